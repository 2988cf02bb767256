"""Converge-NPS infrastructure: one stack per environment (`dev`, `staging`, `prod`).

Reads the typed stack settings, declares the components, exports what an operator needs.
"""

import pulumi

from components.backend_image import BackendImage, BackendImageArgs
from components.backend_service import BackendService, BackendServiceArgs
from components.github_environment import GitHubEnvironment, GitHubEnvironmentArgs
from components.railway_project import RailwayProjectArgs, RailwayProjectEnvironment
from components.redis_cache import RedisCache, RedisCacheArgs
from components.secrets import AppSecrets, AppSecretsArgs, RotationWindow
from components.supabase_database import SupabaseDatabase, SupabaseDatabaseArgs
from cost import estimate, sizes_from_settings
from settings import runtime

settings = runtime.stack_settings()

secrets = AppSecrets(
    "app",
    AppSecretsArgs(
        rotation=RotationWindow.containing(
            runtime.today(), settings.secret_rotation.anchor, settings.secret_rotation.rotation_days
        ),
        sendgrid_api_key=settings.sendgrid_api_key.get_secret_value(),
        smartsheet_api_key=settings.smartsheet_api_key.get_secret_value(),
        sentry_dsn=settings.sentry_dsn.get_secret_value(),
        frontend_sentry_dsn=settings.frontend_sentry_dsn.get_secret_value(),
        slack_webhook_url=settings.slack_webhook_url.get_secret_value() if settings.slack_webhook_url else None,
    ),
)

image = BackendImage(
    "backend",
    BackendImageArgs(
        repository=settings.image.repository,
        tag=settings.image.tag,
        build_context=settings.image.build_context,
        dockerfile=settings.image.dockerfile,
        platform=settings.image.platform,
        prebuilt_reference=settings.image.prebuilt_reference,
    ),
)

# Supabase (issue 4): the PostgreSQL database, a project in the organization the stack names.
database = SupabaseDatabase(
    "database",
    SupabaseDatabaseArgs(
        project_name=f"converge-nps-{settings.environment}",
        organization=settings.database.organization,
        plan=settings.database.plan,
        region=settings.database.region,
        compute_size=settings.database.compute_size,
        postgres_major_version=settings.database.postgres_major_version,
        pool_mode=settings.database.pool_mode,
        default_pool_size=settings.database.default_pool_size,
        backup_retention_days=settings.database.backup_retention_days,
        rls_schemas=settings.database.rls_schemas,
        allowed_cidrs=settings.database.allowed_cidrs,
        # Production data: `pulumi destroy` or a replacing change must not delete it.
        protect=settings.environment == "production",
    ),
)

# Railway (issue 3): one project per stack with one environment, Redis, the backend, the spend cap.
railway = RailwayProjectEnvironment(
    "railway",
    RailwayProjectArgs(
        name=f"converge-nps-{settings.environment}",
        environment=settings.environment,
        description=f"Converge-NPS {settings.environment} (managed by Pulumi stack {pulumi.get_stack()})",
        monthly_budget_usd=settings.budget.monthly_usd,
        soft_limit_percent=settings.budget.soft_limit_percent,
        set_usage_limit=settings.railway.set_usage_limit,
        workspace_id=settings.railway.workspace_id,
        adopt_project_id=settings.railway.project_id,
        adopt_environment_id=settings.railway.environment_id,
    ),
)
redis = RedisCache(
    "redis",
    RedisCacheArgs(
        project_id=railway.project_id,
        environment_id=railway.environment_id,
        image=settings.redis.image,
        memory_mb=settings.redis.memory_mb,
        eviction_policy=settings.redis.eviction_policy,
        rdb_snapshots=settings.redis.rdb_snapshots,
        append_only=settings.redis.append_only,
        vcpu=settings.redis.vcpu,
        volume_gb=settings.redis.volume_gb,
        region=settings.backend.region,
        restart_policy=settings.railway.restart_policy,
        restart_max_retries=settings.railway.restart_max_retries,
    ),
)
# DATABASE_URL: the Supabase pooler URL (transaction mode, port 6543, `sslmode=require`, a secret).
backend_database_url: pulumi.Input[str] | None = database.database_url
backend = BackendService(
    "backend",
    BackendServiceArgs(
        project_id=railway.project_id,
        environment_id=railway.environment_id,
        image=image.image_ref,
        replicas=settings.deployed_replicas,
        min_replicas=settings.backend.min_replicas,
        max_replicas=settings.backend.max_replicas,
        scale_up=settings.backend.scale_up.model_dump(by_alias=True),
        scale_down=settings.backend.scale_down.model_dump(by_alias=True),
        vcpu_per_replica=settings.backend.vcpu_per_replica,
        memory_gb_per_replica=settings.backend.memory_gb_per_replica,
        region=settings.backend.region,
        health_check_path=settings.backend.health_check_path,
        health_check_timeout_seconds=settings.backend.health_check_timeout_seconds,
        restart_policy=settings.railway.restart_policy,
        restart_max_retries=settings.railway.restart_max_retries,
        node_env="development" if settings.environment == "development" else "production",
        frontend_url=settings.frontend_url,
        database_url=backend_database_url,
        redis_url=redis.url,
        jwt_secret=secrets.jwt_secret,
        jwt_refresh_secret=secrets.jwt_refresh_secret,
        sendgrid_api_key=secrets.sendgrid_api_key,
        smartsheet_api_key=secrets.smartsheet_api_key,
        sentry_dsn=secrets.sentry_dsn,
        public_domain=settings.backend.public_domain,
    ),
)

deploy_variables: dict[str, pulumi.Input[str]] = {
    "EVENT_MODE": str(settings.event_mode).lower(),
    "BACKUP_S3_BUCKET": settings.backups.s3_bucket,
    "BACKUP_CRON": settings.backup_cron,
    # The custom domain in production, the Railway-generated one elsewhere.
    "VITE_API_BASE_URL": pulumi.Output.concat(backend.url, "/v1"),
    "VITE_WS_URL": pulumi.Output.concat("wss://", backend.domain),
}
deploy_secrets: dict[str, pulumi.Input[str]] = {
    "VITE_SENTRY_DSN": secrets.frontend_sentry_dsn,
    # A project token scoped to this environment, for the deploy job's `railway` CLI.
    "RAILWAY_TOKEN": railway.deploy_token,
}
# The deploy job's migrations connect in session mode (see SupabaseDatabase.direct_url).
deploy_secrets["DATABASE_URL"] = database.direct_url
if secrets.slack_webhook_url is not None:
    deploy_secrets["SLACK_WEBHOOK_URL"] = secrets.slack_webhook_url

github_environment = GitHubEnvironment(
    settings.environment,
    GitHubEnvironmentArgs(
        repository=settings.github.repository,
        environment=settings.environment,
        deploy_branch=settings.deploy_branch,
        reviewer_teams=settings.github.reviewer_teams,
        reviewer_users=settings.github.reviewer_users,
        prevent_self_review=settings.github.prevent_self_review,
        variables=deploy_variables,
        secrets=deploy_secrets,
    ),
)

pulumi.export("environment", settings.environment)
pulumi.export("deployBranch", settings.deploy_branch)
pulumi.export("githubEnvironment", github_environment.name)
pulumi.export("frontendUrl", settings.frontend_url)
pulumi.export("apiUrl", backend.url)
pulumi.export("apiDnsRecords", backend.dns_records)
pulumi.export(
    "railway",
    {
        "projectId": railway.project_id,
        "environmentId": railway.environment_id,
        "backendServiceId": backend.service_id,
        "redisServiceId": redis.service_id,
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
pulumi.export("eventMode", settings.event_mode)
pulumi.export("backupSchedule", settings.backup_cron)
pulumi.export("secretsRotateOn", secrets.rotates_on)
pulumi.export("budgetMonthlyUsd", settings.budget.monthly_usd)
# What the declared sizes cost per month (cost/model.py, prices in cost/prices.yaml): the model the
# policy pack's spending-cap applies to the registered resources.
pulumi.export("costEstimate", estimate(sizes_from_settings(settings)).as_output())
