"""Converge-NPS infrastructure: one stack per environment (`dev`, `staging`, `prod`).

Reads the typed stack settings, declares the components, exports what an operator needs.
How settings feed each component is in `wiring.py`.
"""

import pulumi

import wiring
from components.app_secrets.component import AppSecrets
from components.backend_image.component import BackendImage
from components.backend_service.component import BackendService
from components.error_tracking.component import ErrorTracking
from components.github_environment.component import GitHubEnvironment
from components.observability_dashboard.component import ObservabilityDashboard
from components.railway_project.component import RailwayProject
from components.redis_cache.component import RedisCache
from components.supabase_database.component import SupabaseDatabase
from components.uptime_monitor.component import UptimeMonitor
from components.watchdog_service.component import WatchdogService
from cost.stack import estimate, sizes_from_settings
from settings import runtime

settings = runtime.stack_settings()

secrets = AppSecrets("app", wiring.secrets_args(settings, runtime.today()))
image = BackendImage("backend", wiring.image_args(settings))
database = SupabaseDatabase("database", wiring.database_args(settings))
railway = RailwayProject("railway", wiring.railway_args(settings))
redis = RedisCache("redis", wiring.redis_args(settings, railway))
error_tracking = ErrorTracking("sentry", wiring.error_tracking_args(settings))
backend = BackendService(
    "backend",
    wiring.backend_args(
        settings,
        railway=railway,
        image=image,
        database=database,
        redis=redis,
        secrets=secrets,
        error_tracking=error_tracking,
    ),
)
dashboard = ObservabilityDashboard(
    "dashboard", wiring.dashboard_args(settings, railway=railway, backend=backend, redis=redis)
)
uptime = UptimeMonitor("uptime", wiring.uptime_args(settings, backend=backend, secrets=secrets))
if settings.watchdog.enabled:
    WatchdogService("watchdog", wiring.watchdog_args(settings, railway=railway, backend=backend, secrets=secrets))
deploy_environment = GitHubEnvironment(
    settings.environment,
    wiring.deploy_environment_args(
        settings, backend=backend, railway=railway, database=database, secrets=secrets, error_tracking=error_tracking
    ),
)
if settings.backups.scheduled:
    GitHubEnvironment(
        wiring.backup_environment_name(settings), wiring.backup_environment_args(settings, database=database)
    )

pulumi.export("environment", settings.environment)
pulumi.export("deployBranch", settings.deploy_branch)
pulumi.export("githubEnvironment", deploy_environment.name)
pulumi.export("frontendUrl", settings.frontend_url)
pulumi.export("apiUrl", backend.url)
# Production's custom domain: the records to create at the DNS provider after the first `up`.
pulumi.export("apiDnsRecords", backend.dns_records)
pulumi.export(
    "railway",
    {
        "projectId": railway.project_id,
        "environmentId": railway.environment_id,
        "backendServiceId": backend.service_id,
        "redisServiceId": redis.service_id,
        "dashboardId": dashboard.dashboard_id,
    },
)
pulumi.export(
    "database",
    {
        "projectRef": database.project_ref,
        "region": database.region,
        "organization": settings.database.organization,
        "plan": database.plan,
        "computeSize": database.compute_size,
        "postgresMajorVersion": settings.database.postgres_major_version,
        "postgresVersion": database.postgres_version,
        "backupRetentionDays": database.backup_retention_days,
        "backups": database.backups,
    },
)
pulumi.export("backendImage", image.image_ref)
pulumi.export(
    "backendReplicas",
    {
        "deployed": settings.deployed_replicas,
        "min": settings.backend.min_replicas,
        "max": settings.backend.max_replicas,
        "event": settings.backend.event_replicas,
        "scaleUp": settings.backend.scale_up.model_dump(by_alias=True),
        "scaleDown": settings.backend.scale_down.model_dump(by_alias=True),
    },
)
pulumi.export("alerts", settings.alerts.model_dump(by_alias=True))
pulumi.export("uptimeMonitorId", uptime.monitor_id)
pulumi.export(
    "sentryProjects", {"backend": error_tracking.backend_project, "frontend": error_tracking.frontend_project}
)
pulumi.export("eventMode", settings.event_mode)
pulumi.export("backupSchedule", settings.backup_cron if settings.backups.scheduled else None)
pulumi.export("secretsRotateOn", secrets.rotates_on)
# After a rotation: the first day the backend no longer accepts the previous JWT secrets (null otherwise).
pulumi.export("previousSecretsValidUntil", secrets.previous_valid_until)
pulumi.export("budgetMonthlyUsd", settings.budget.monthly_usd)
# The monthly cost of the declared sizes (cost/stack.py, prices in cost/prices.yaml), the same model the
# policy pack's spending cap applies to the registered resources.
pulumi.export("costEstimate", estimate(sizes_from_settings(settings)).as_output())
