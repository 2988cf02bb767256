"""How a stack's settings and its components' outputs feed each component's arguments.

`__main__.py` stays a readable list of components; the mapping from `StackSettings` fields to
component arguments, and between components, lives here, one function per component.
"""

from __future__ import annotations

import datetime as dt

import pulumi

from components.app_secrets.component import AppSecrets, AppSecretsArgs
from components.app_secrets.contract import JWT_REFRESH_SECRET_PREVIOUS, JWT_SECRET_PREVIOUS
from components.app_secrets.rotation import rotation_on
from components.backend_image.component import BackendImage, BackendImageArgs
from components.backend_service.component import BackendService, BackendServiceArgs
from components.error_tracking.component import ErrorTracking, ErrorTrackingArgs
from components.github_environment.component import GitHubEnvironmentArgs
from components.observability_dashboard.component import ObservabilityDashboardArgs
from components.railway_project.component import RailwayProject, RailwayProjectArgs
from components.railway_service import RegistryCredentials
from components.redis_cache.component import RedisCache, RedisCacheArgs
from components.supabase_database.component import SupabaseDatabase, SupabaseDatabaseArgs
from components.uptime_monitor.component import UptimeMonitorArgs
from components.watchdog_service.component import WatchdogServiceArgs
from cost.usage_limit import workspace_limit
from settings.model import StackSettings
from settings.seed import PRODUCTION_BRANCH, PRODUCTION_ENVIRONMENT
from watchdog.render import render_config


def resource_name(settings: StackSettings) -> str:
    """The name of the stack's Railway project and Supabase project."""
    return f"converge-nps-{settings.environment}"


def secrets_args(settings: StackSettings, today: dt.date) -> AppSecretsArgs:
    rotation = settings.secret_rotation
    return AppSecretsArgs(
        # The event windows are the watchdog's: one list of the days the conference must not be disturbed.
        rotation=rotation_on(
            today,
            anchor=rotation.anchor,
            days=rotation.rotation_days,
            overlap_days=rotation.overlap_days,
            windows=settings.watchdog.event_windows,
        ),
        sendgrid_api_key=settings.sendgrid_api_key.get_secret_value(),
        smartsheet_api_key=settings.smartsheet_api_key.get_secret_value(),
        slack_webhook_url=settings.slack_webhook_url.get_secret_value() if settings.slack_webhook_url else None,
    )


def error_tracking_args(settings: StackSettings) -> ErrorTrackingArgs:
    sentry = settings.sentry
    return ErrorTrackingArgs(
        organization=sentry.organization,
        team=sentry.team,
        name=resource_name(settings),
        slack_integration_id=sentry.slack_integration_id,
        slack_channel=sentry.slack_channel,
    )


def image_args(settings: StackSettings) -> BackendImageArgs:
    image = settings.image
    return BackendImageArgs(
        repository=image.repository,
        tag=image.tag,
        build_context=image.build_context,
        dockerfile=image.dockerfile,
        platform=image.platform,
        prebuilt_reference=image.prebuilt_reference,
    )


def database_args(settings: StackSettings) -> SupabaseDatabaseArgs:
    database = settings.database
    return SupabaseDatabaseArgs(
        project_name=resource_name(settings),
        organization=database.organization,
        plan=database.plan,
        region=database.region,
        compute_size=database.compute_size,
        postgres_major_version=database.postgres_major_version,
        pool_mode=database.pool_mode,
        default_pool_size=database.default_pool_size,
        backup_retention_days=database.backup_retention_days,
        rls_schemas=database.rls_schemas,
        allowed_cidrs=database.allowed_cidrs,
        # Production data: `pulumi destroy` or a replacing change must not delete it.
        protect=settings.environment == PRODUCTION_ENVIRONMENT,
    )


def railway_args(settings: StackSettings) -> RailwayProjectArgs:
    return RailwayProjectArgs(
        name=resource_name(settings),
        environment=settings.environment,
        description=f"Converge-NPS {settings.environment} (managed by Pulumi stack {pulumi.get_stack()})",
        usage_limit=workspace_limit(settings) if settings.railway.set_usage_limit else None,
        workspace_id=settings.railway.workspace_id,
        adopt_project_id=settings.railway.project_id,
        adopt_environment_id=settings.railway.environment_id,
    )


def redis_args(settings: StackSettings, railway: RailwayProject) -> RedisCacheArgs:
    redis = settings.redis
    return RedisCacheArgs(
        project_id=railway.project_id,
        environment_id=railway.environment_id,
        image=redis.image,
        memory_mb=redis.memory_mb,
        eviction_policy=redis.eviction_policy,
        rdb_snapshots=redis.rdb_snapshots,
        append_only=redis.append_only,
        vcpu=redis.vcpu,
        volume_gb=redis.volume_gb,
        region=settings.railway.region,
        restart_policy=settings.railway.restart_policy,
        restart_max_retries=settings.railway.restart_max_retries,
        deployment_timeout_minutes=settings.railway.deployment_timeout_minutes,
    )


def backend_args(
    settings: StackSettings,
    *,
    railway: RailwayProject,
    image: BackendImage,
    database: SupabaseDatabase,
    redis: RedisCache,
    secrets: AppSecrets,
    error_tracking: ErrorTracking,
) -> BackendServiceArgs:
    backend = settings.backend
    return BackendServiceArgs(
        project_id=railway.project_id,
        environment_id=railway.environment_id,
        image=image.image_ref,
        replicas=settings.deployed_replicas,
        min_replicas=backend.min_replicas,
        max_replicas=backend.max_replicas,
        scale_up=backend.scale_up.model_dump(by_alias=True),
        scale_down=backend.scale_down.model_dump(by_alias=True),
        vcpu_per_replica=backend.vcpu_per_replica,
        memory_gb_per_replica=backend.memory_gb_per_replica,
        region=settings.railway.region,
        health_check_path=backend.health_check_path,
        health_check_timeout_seconds=backend.health_check_timeout_seconds,
        restart_policy=settings.railway.restart_policy,
        restart_max_retries=settings.railway.restart_max_retries,
        deployment_timeout_minutes=settings.railway.deployment_timeout_minutes,
        node_env="development" if settings.environment == "development" else "production",
        frontend_url=settings.frontend_url,
        # The Supabase pooler URL (transaction mode, port 6543, sslmode=require), a secret.
        database_url=database.database_url,
        redis_url=redis.url,
        jwt_secret=secrets.jwt_secret,
        jwt_refresh_secret=secrets.jwt_refresh_secret,
        # After a rotation, until the overlap ends: the backend verifies with these too (docs/secrets.md).
        extra_secrets={
            variable: value
            for variable, value in (
                (JWT_SECRET_PREVIOUS, secrets.jwt_secret_previous),
                (JWT_REFRESH_SECRET_PREVIOUS, secrets.jwt_refresh_secret_previous),
            )
            if value is not None
        },
        sendgrid_api_key=secrets.sendgrid_api_key,
        smartsheet_api_key=secrets.smartsheet_api_key,
        sentry_dsn=error_tracking.backend_dsn,
        public_domain=backend.public_domain,
        registry=registry_credentials(settings),
        replicas_set_by_watchdog=settings.watchdog.enabled,
    )


def watchdog_args(
    settings: StackSettings, *, railway: RailwayProject, backend: BackendService, secrets: AppSecrets
) -> WatchdogServiceArgs:
    # Only a string comes out of the apply: every resource is declared outside it, in preview and update alike.
    config = pulumi.Output.all(railway.project_id, railway.environment_id, backend.service_id).apply(
        lambda ids: render_config(settings, project_id=ids[0], environment_id=ids[1], backend_service_id=ids[2])
    )
    watchdog = settings.watchdog
    return WatchdogServiceArgs(
        project_id=railway.project_id,
        environment_id=railway.environment_id,
        region=settings.railway.region,
        restart_policy=settings.railway.restart_policy,
        restart_max_retries=settings.railway.restart_max_retries,
        deployment_timeout_minutes=settings.railway.deployment_timeout_minutes,
        image_repository=watchdog.image_repository,
        image_tag=settings.image.tag,
        platform=settings.image.platform,
        vcpu=watchdog.vcpu,
        memory_gb=watchdog.memory_gb,
        config=config,
        token_name=f"watchdog-{settings.environment}",
        slack_webhook_url=secrets.slack_webhook_url,
        registry=registry_credentials(settings),
    )


def registry_credentials(settings: StackSettings) -> RegistryCredentials | None:
    """Railway's pull credentials for the backend image: set when `image.registryUsername` is (its
    repository is private), with the `registryPassword` secret."""
    username, password = settings.image.registry_username, settings.registry_password
    if username is None:
        if password is not None:
            pulumi.log.warn(
                "registryPassword is set but image.registryUsername is not: Railway gets no pull credentials"
            )
        return None
    if password is None:
        raise pulumi.RunError(
            "image.registryUsername is set, so Railway needs the registryPassword secret to pull the image: "
            "pulumi config set --secret converge-nps:registryPassword <token with read:packages>"
        )
    return RegistryCredentials(username, pulumi.Output.secret(password.get_secret_value()))


def deploy_environment_args(
    settings: StackSettings,
    *,
    backend: BackendService,
    railway: RailwayProject,
    database: SupabaseDatabase,
    secrets: AppSecrets,
    error_tracking: ErrorTracking,
) -> GitHubEnvironmentArgs:
    """The environment the deploy job runs in: its branch only, reviewers in production."""
    deploy_secrets: dict[str, pulumi.Input[str]] = {
        # The frontend build reads it; Sentry made it (ErrorTracking).
        "VITE_SENTRY_DSN": error_tracking.frontend_dsn,
        # A project token scoped to this environment, for the deploy job's `railway` CLI.
        "RAILWAY_TOKEN": railway.deploy_token,
        # Migrations run in session mode (SupabaseDatabase.direct_url), not through the transaction pooler.
        "DATABASE_URL": database.direct_url,
    }
    if secrets.slack_webhook_url is not None:
        deploy_secrets["SLACK_WEBHOOK_URL"] = secrets.slack_webhook_url
    return GitHubEnvironmentArgs(
        repository=settings.github.repository,
        environment=settings.environment,
        deploy_branch=settings.deploy_branch,
        reviewer_teams=settings.github.reviewer_teams,
        reviewer_users=settings.github.reviewer_users,
        prevent_self_review=settings.github.prevent_self_review,
        variables={
            # The custom domain in production, the Railway-generated one elsewhere.
            "VITE_API_BASE_URL": pulumi.Output.concat(backend.url, "/v1"),
            "VITE_WS_URL": pulumi.Output.concat("wss://", backend.domain),
        },
        secrets=deploy_secrets,
    )


def uptime_args(settings: StackSettings, *, backend: BackendService, secrets: AppSecrets) -> UptimeMonitorArgs:
    return UptimeMonitorArgs(
        name=f"{resource_name(settings)} health",
        url=pulumi.Output.concat(backend.url, settings.backend.health_check_path),
        interval_seconds=settings.uptime.interval_seconds,
        alert_email=settings.uptime.alert_email,
        slack_webhook_url=secrets.slack_webhook_url,
    )


def dashboard_args(
    settings: StackSettings, *, railway: RailwayProject, backend: BackendService, redis: RedisCache
) -> ObservabilityDashboardArgs:
    alerts = settings.alerts
    return ObservabilityDashboardArgs(
        environment_id=railway.environment_id,
        backend_service_id=backend.service_id,
        redis_service_id=redis.service_id,
        cpu_percent=alerts.cpu_percent,
        cpu_for_minutes=alerts.cpu_for_minutes,
        memory_percent=alerts.memory_percent,
        error_rate_percent=alerts.error_rate_percent,
        p95_latency_ms=alerts.p95_latency_ms,
    )


def backup_environment_name(settings: StackSettings) -> str:
    return f"{settings.environment}-backups"


def backup_environment_args(settings: StackSettings, *, database: SupabaseDatabase) -> GitHubEnvironmentArgs:
    """The environment `.github/workflows/backup.yml` runs in. Separate from the deploy environment because
    scheduled runs start from the default branch (which staging's branch policy refuses) and must not
    wait for production's reviewers every hour."""
    return GitHubEnvironmentArgs(
        repository=settings.github.repository,
        environment=backup_environment_name(settings),
        # Scheduled workflows run from the default branch (production's), so only it may use this environment.
        deploy_branch=PRODUCTION_BRANCH,
        variables={
            "EVENT_MODE": str(settings.event_mode).lower(),
            "BACKUP_S3_BUCKET": settings.backups.s3_bucket,
            "BACKUP_CRON": settings.backup_cron,
            "AWS_REGION": settings.backups.aws_region,
            # pg_dump must be at least the server's major, which Supabase chooses (the setting is its minimum).
            "PG_MAJOR": database.postgres_major.apply(
                lambda major: str(int(major if major is not None else settings.database.postgres_major_version))
            ),
        },
        # pg_dump exports a snapshot, which a transaction pooler cannot hold: the session-mode URL.
        secrets={"BACKUP_DATABASE_URL": database.direct_url},
    )
