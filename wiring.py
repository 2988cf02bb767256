"""How a stack's settings and its components' outputs feed each component's arguments.

`__main__.py` stays a readable list of components; the mapping from `StackSettings` fields to
component arguments, and between components, lives here, one function per component.
"""

from __future__ import annotations

import datetime as dt

import pulumi

from components.app_secrets import AppSecrets, AppSecretsArgs, rotation_on
from components.app_secrets.contract import JWT_REFRESH_SECRET_PREVIOUS, JWT_SECRET_PREVIOUS
from components.backend_image import BackendImage, BackendImageArgs
from components.backend_service import BackendService, BackendServiceArgs
from components.github_environment import GitHubEnvironmentArgs
from components.railway_project import RailwayProject, RailwayProjectArgs
from components.redis_cache import RedisCache, RedisCacheArgs
from components.supabase_database import SupabaseDatabase, SupabaseDatabaseArgs
from components.watchdog_service import WatchdogServiceArgs
from settings import StackSettings
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
        sentry_dsn=settings.sentry_dsn.get_secret_value(),
        frontend_sentry_dsn=settings.frontend_sentry_dsn.get_secret_value(),
        slack_webhook_url=settings.slack_webhook_url.get_secret_value() if settings.slack_webhook_url else None,
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
        monthly_budget_usd=settings.budget.monthly_usd,
        soft_limit_percent=settings.budget.soft_limit_percent,
        set_usage_limit=settings.railway.set_usage_limit,
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
    )


def backend_args(
    settings: StackSettings,
    *,
    railway: RailwayProject,
    image: BackendImage,
    database: SupabaseDatabase,
    redis: RedisCache,
    secrets: AppSecrets,
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
        sentry_dsn=secrets.sentry_dsn,
        public_domain=backend.public_domain,
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
        image_repository=watchdog.image_repository,
        image_tag=settings.image.tag,
        platform=settings.image.platform,
        vcpu=watchdog.vcpu,
        memory_gb=watchdog.memory_gb,
        config=config,
        token_name=f"watchdog-{settings.environment}",
        slack_webhook_url=secrets.slack_webhook_url,
    )


def deploy_environment_args(
    settings: StackSettings,
    *,
    backend: BackendService,
    railway: RailwayProject,
    database: SupabaseDatabase,
    secrets: AppSecrets,
) -> GitHubEnvironmentArgs:
    """The environment the deploy job runs in: its branch only, reviewers in production."""
    deploy_secrets: dict[str, pulumi.Input[str]] = {
        "VITE_SENTRY_DSN": secrets.frontend_sentry_dsn,
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
            "PG_MAJOR": str(settings.database.postgres_major_version),
        },
        # pg_dump exports a snapshot, which a transaction pooler cannot hold: the session-mode URL.
        secrets={"BACKUP_DATABASE_URL": database.direct_url},
    )
