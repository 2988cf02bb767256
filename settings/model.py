"""The typed settings of one Converge-NPS stack.

Everything a stack decides lives here, with the seed's rules
(`INFRASTRUCTURE_SETUP_SUMMARY.md`) as validators. The model is the single source
of truth: `Pulumi.yaml`'s `config:` block, the JSON schema of the stack files and
the README's config reference are all generated from it (`python -m settings`).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from typing import Annotated, Final, Literal

from pydantic import (
    AfterValidator,
    AliasGenerator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from settings import formats
from settings.production import ProductionFacts, production_violations
from settings.seed import (
    BACKUP_RETENTION_DAYS_BY_PLAN,
    DEPLOY_BRANCH_BY_ENVIRONMENT,
    ENVIRONMENT_BY_STACK,
    MAX_REPLICAS,
    PLAN_BY_ENVIRONMENT,
    PRODUCTION_ENVIRONMENT,
    REDIS_EVICTION_POLICY,
    SECRET_ROTATION_DAYS,
    RedisEvictionPolicy,
)
from settings.sources import NAMESPACE, CiOverrideSource, PulumiConfigSource, current_stack

Environment = Literal["development", "staging", "production"]
SupabasePlan = Literal["free", "pro", "team", "enterprise"]
# Compute sizes as the Management API names them (`ci_micro` ...), without the prefix.
SupabaseComputeSize = Literal[
    "nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"
]
FREE_PLAN: Final = "free"
# Free projects run nano and cannot buy compute add-ons; paid plans start at micro.
FREE_PLAN_COMPUTE_SIZE: Final = "nano"
SMALLEST_PAID_COMPUTE_SIZE: Final = "micro"


def default_compute_size(plan: str) -> str:
    """The size a project on `plan` runs without a compute add-on."""
    return FREE_PLAN_COMPUTE_SIZE if plan == FREE_PLAN else SMALLEST_PAID_COMPUTE_SIZE


IMAGE_REPOSITORY_PATTERN: Final = r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+$"
_GIT_REF = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)(?!.*@\{)[A-Za-z0-9._/-]+(?<![./])$")
_SQL_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")


# Every settings model: camelCase keys as in Pulumi config, unknown keys rejected, immutable, defaults validated.
_MODEL_BEHAVIOUR = ConfigDict(
    alias_generator=AliasGenerator(alias=to_camel),
    populate_by_name=True,
    extra="forbid",
    frozen=True,
    validate_default=True,
)


class _Settings(BaseModel):
    model_config = _MODEL_BEHAVIOUR


class CpuRule(_Settings):
    """A CPU threshold held for a duration, as the seed states its scaling rules."""

    cpu_percent: Annotated[int, Field(gt=0, lt=100, description="CPU utilisation threshold, percent.")]
    for_minutes: Annotated[int, Field(gt=0, le=60, description="How long the threshold must hold, minutes.")]


class BackendSettings(_Settings):
    """The Node.js/Express API service."""

    min_replicas: Annotated[
        int,
        Field(ge=1, le=MAX_REPLICAS, description="Replicas deployed normally (Railway has no autoscaler)."),
    ]
    max_replicas: Annotated[
        int, Field(ge=1, le=MAX_REPLICAS, description="Ceiling for the scaler and for manual scaling.")
    ]
    event_replicas: Annotated[
        int,
        Field(ge=1, le=MAX_REPLICAS, description="Replicas while `eventMode` is on (seed: 3, week 16)."),
    ] = 3
    vcpu_per_replica: Annotated[
        float, Field(gt=0, le=32, description="CPU limit of one replica, vCPU (Railway limit).")
    ]
    memory_gb_per_replica: Annotated[
        float, Field(gt=0, le=32, description="Memory limit of one replica, GB (Railway limit).")
    ]
    health_check_path: Annotated[str, Field(pattern=r"^/", description="HTTP path Railway probes.")] = "/health"
    health_check_timeout_seconds: Annotated[
        int, Field(gt=0, le=3600, description="How long a new deployment may take to become healthy.")
    ] = 60
    public_domain: Annotated[
        str | None,
        Field(description="Custom API domain with TLS; unset means the Railway-generated domain."),
    ] = None
    scale_up: Annotated[CpuRule, Field(description="Add a replica when CPU stays above this.")] = CpuRule(
        cpu_percent=70, for_minutes=5
    )
    scale_down: Annotated[CpuRule, Field(description="Remove a replica when CPU stays below this.")] = CpuRule(
        cpu_percent=30, for_minutes=15
    )

    @field_validator("public_domain")
    @classmethod
    def _hostname(cls, value: str | None) -> str | None:
        return formats.hostname(value) if value is not None else None

    @model_validator(mode="after")
    def _replica_order(self) -> BackendSettings:
        problems: list[tuple[str, str]] = []
        if self.min_replicas > self.max_replicas:
            problems.append(("minReplicas", f"{self.min_replicas} is above maxReplicas ({self.max_replicas})"))
        if self.event_replicas > self.max_replicas:
            problems.append(("eventReplicas", f"{self.event_replicas} is above maxReplicas ({self.max_replicas})"))
        if self.scale_down.cpu_percent >= self.scale_up.cpu_percent:
            problems.append(("scaleDown.cpuPercent", "must be below scaleUp.cpuPercent, or the scaler flaps"))
        raise_rule_violations(problems)
        return self


class ImageSettings(_Settings):
    """The backend container image: built here, or a pinned reference CI already built."""

    repository: Annotated[
        str,
        Field(
            pattern=IMAGE_REPOSITORY_PATTERN,
            description="Registry repository the image is pushed to, e.g. `ghcr.io/converge-nps/backend`.",
        ),
    ]
    tag: Annotated[
        str,
        Field(
            pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
            description="Image tag. CI overrides it per run with `CONVERGE_IMAGE_TAG`.",
        ),
    ] = "latest"
    prebuilt_reference: Annotated[
        str | None,
        Field(
            pattern=r"^[^@\s]+@sha256:[0-9a-f]{64}$",
            description="A digest-pinned image CI already built and pushed; when set nothing is built. "
            "CI sets it with `CONVERGE_IMAGE_REF`.",
        ),
    ] = None
    registry_username: Annotated[
        str | None,
        Field(
            min_length=1,
            description="User Railway pulls a private image with (with the `registryPassword` secret, a token that "
            "can read the repository's packages); unset: the image is public.",
        ),
    ] = None
    build_context: Annotated[
        str, Field(min_length=1, description="The backend source directory (the app repository's `backend/`).")
    ] = "../converge-nps/backend"
    dockerfile: Annotated[str, Field(min_length=1, description="Dockerfile used for the build.")] = (
        "docker/backend/Dockerfile"
    )
    platform: Annotated[str, Field(description="Target platform of the build.")] = "linux/amd64"


class RedisSettings(_Settings):
    """The Redis cache on Railway."""

    memory_mb: Annotated[
        int, Field(ge=64, le=65536, description="`--maxmemory` of redis-server, MB (seed: 256/256/512).")
    ]
    eviction_policy: Annotated[
        RedisEvictionPolicy,
        Field(description=f"`--maxmemory-policy`; the seed fixes `{REDIS_EVICTION_POLICY}`."),
    ] = REDIS_EVICTION_POLICY
    rdb_snapshots: Annotated[bool, Field(description="RDB snapshots (`--save`).")] = True
    append_only: Annotated[bool, Field(description="AOF persistence (`--appendonly yes`).")] = True
    vcpu: Annotated[float, Field(gt=0, le=32, description="CPU limit of the Redis container, vCPU.")] = 0.1
    volume_gb: Annotated[int, Field(ge=1, le=250, description="Size of the Railway volume for RDB/AOF files.")] = 1
    image: Annotated[
        str,
        Field(pattern=r"^[^\s:@]+:[0-9][A-Za-z0-9_.-]*$", description="Pinned Redis image (a version tag)."),
    ] = "redis:8.10.1-alpine"

    @model_validator(mode="after")
    def _persistence(self) -> RedisSettings:
        raise_rule_violations(
            [
                (key, "the seed requires RDB snapshots plus AOF")
                for key, on in (("rdbSnapshots", self.rdb_snapshots), ("appendOnly", self.append_only))
                if not on
            ]
        )
        return self


class DatabaseSettings(_Settings):
    """The Supabase PostgreSQL project."""

    plan: Annotated[
        SupabasePlan,
        Field(description="Plan of the Supabase organization (set in Supabase, not by the API; checked here)."),
    ]
    organization: Annotated[
        str,
        AfterValidator(formats.supabase_organization_slug),
        Field(
            json_schema_extra=formats.json_pattern(formats.SUPABASE_ORGANIZATION_SLUG),
            description="Slug of the Supabase organization the project lives in.",
        ),
    ]
    region: Annotated[str, Field(min_length=1, description="Supabase region; changing it replaces the project.")] = (
        "us-west-1"
    )
    compute_size: Annotated[SupabaseComputeSize, Field(description="Compute add-on size.")] = SMALLEST_PAID_COMPUTE_SIZE
    postgres_major_version: Annotated[Literal[15], Field(description="PostgreSQL major version (seed: 15).")] = 15
    pool_mode: Annotated[Literal["transaction"], Field(description="Supavisor pool mode (port 6543).")] = "transaction"
    default_pool_size: Annotated[int, Field(ge=1, le=1000, description="Supavisor pool size per user/db.")] = 15
    allowed_cidrs: Annotated[
        tuple[str, ...], Field(description="CIDRs allowed to connect; empty means no network restriction.")
    ] = ()
    rls_schemas: Annotated[
        tuple[str, ...], Field(min_length=1, description="Schemas whose every table must have RLS enabled.")
    ] = ("public",)

    @field_validator("allowed_cidrs")
    @classmethod
    def _cidrs(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            ipaddress.ip_network(value, strict=True)
        return values

    @field_validator("rls_schemas")
    @classmethod
    def _schema_names(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        # They are spliced into SQL as literals; plain identifiers keep that safe and unambiguous.
        for value in values:
            if not _SQL_IDENTIFIER.fullmatch(value):
                raise ValueError(f"{value!r} is not a plain PostgreSQL schema name")
        return values

    @model_validator(mode="after")
    def _compute_fits_plan(self) -> DatabaseSettings:
        if (self.plan == FREE_PLAN) != (self.compute_size == FREE_PLAN_COMPUTE_SIZE):
            expected = default_compute_size(self.plan) + ("" if self.plan == FREE_PLAN else " or larger")
            raise_rule_violations(
                [("computeSize", f"a {self.plan!r} organization runs {expected}, not {self.compute_size!r}")]
            )
        return self

    @property
    def backup_retention_days(self) -> int:
        """Daily backup retention the plan gives (0: no daily backups)."""
        return BACKUP_RETENTION_DAYS_BY_PLAN[self.plan]


class BudgetSettings(_Settings):
    """Monthly spending of the stack."""

    monthly_usd: Annotated[float, Field(gt=0, le=10000, description="Monthly budget of the stack, USD.")]
    soft_limit_percent: Annotated[
        int, Field(gt=0, le=100, description="Railway soft spend limit (alert) as a percent of the budget.")
    ] = 80


class RailwaySettings(_Settings):
    """Where the stack lives on Railway (one project per stack, holding one environment)."""

    workspace_id: Annotated[
        str | None,
        Field(min_length=1, description="Railway workspace the project is created in; unset: the token's workspace."),
    ] = None
    project_id: Annotated[
        str | None,
        Field(
            min_length=1,
            description="Adopt this existing Railway project instead of creating `converge-nps-<environment>`; "
            "an adopted project is never deleted by Pulumi.",
        ),
    ] = None
    environment_id: Annotated[
        str | None,
        Field(min_length=1, description="Adopt this environment of `projectId` instead of one named after the stack."),
    ] = None
    set_usage_limit: Annotated[
        bool,
        Field(
            description="Set Railway's usage limit of the workspace: hard, every stack sharing the workspace at "
            "maximum scale on Railway; soft, `budget.softLimitPercent` of it. Railway keeps one limit per "
            "workspace: stacks sharing a workspace leave this on in one stack only (production)."
        ),
    ] = True
    region: Annotated[str, Field(min_length=1, description="Railway region the services and the volume run in.")] = (
        "us-west2"
    )
    restart_policy: Annotated[
        Literal["ON_FAILURE", "ALWAYS", "NEVER"],
        Field(description="Restart policy of the services (seed: automatic restart on failure)."),
    ] = "ON_FAILURE"
    restart_max_retries: Annotated[
        int, Field(ge=0, le=100, description="Restarts Railway tries under ON_FAILURE before giving up.")
    ] = 10
    deployment_timeout_minutes: Annotated[
        int,
        Field(
            ge=1,
            le=120,
            description="How long `pulumi up` waits for a Railway deployment to succeed (build, start, health "
            "check) before it fails.",
        ),
    ] = 15

    @model_validator(mode="after")
    def _adoption(self) -> RailwaySettings:
        if self.environment_id is not None and self.project_id is None:
            raise_rule_violations([("environmentId", "adopting an environment needs the projectId it belongs to")])
        return self


class AlertSettings(_Settings):
    """Alert thresholds (seed: Monitoring & Alerting)."""

    cpu_percent: Annotated[int, Field(gt=0, lt=100, description="CPU alert threshold, percent.")] = 80
    cpu_for_minutes: Annotated[int, Field(gt=0, le=60, description="How long CPU must stay high.")] = 5
    memory_percent: Annotated[int, Field(gt=0, lt=100, description="Memory alert threshold, percent.")] = 90
    error_rate_percent: Annotated[float, Field(gt=0, lt=100, description="Error-rate alert threshold.")] = 5
    p95_latency_ms: Annotated[int, Field(gt=0, le=60000, description="p95 response-time alert, ms.")] = 1000


class BackupSettings(_Settings):
    """Logical backups to S3 (ops/backup), on top of the provider's daily backups."""

    s3_bucket: Annotated[
        str,
        Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", description="S3 bucket of the weekly/hourly dumps."),
    ]
    scheduled: Annotated[
        bool,
        Field(description="Run the scheduled S3 backups (`.github/workflows/backup.yml`) for this stack."),
    ] = True
    aws_region: Annotated[
        str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$", description="AWS region of the bucket.")
    ] = "us-west-2"
    weekly_cron: Annotated[str, Field(description="When the weekly backup runs (UTC cron).")] = "0 3 * * 0"
    event_cron: Annotated[str, Field(description="When backups run in event mode (UTC cron).")] = "0 * * * *"

    @field_validator("weekly_cron", "event_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return formats.github_cron(value)


class GitHubSettings(_Settings):
    """The GitHub repository whose deployment environments this stack manages."""

    repository: Annotated[
        str,
        AfterValidator(formats.github_repository),
        Field(
            json_schema_extra=formats.json_pattern(formats.GITHUB_REPOSITORY),
            description="Repository name (owner is `github:owner`).",
        ),
    ]
    reviewer_users: Annotated[
        tuple[
            Annotated[
                str,
                AfterValidator(formats.github_login),
                Field(json_schema_extra=formats.json_pattern(formats.GITHUB_LOGIN)),
            ],
            ...,
        ],
        Field(description="GitHub logins allowed to approve deployments (ids are looked up)."),
    ] = ()
    reviewer_teams: Annotated[
        tuple[
            Annotated[
                str,
                AfterValidator(formats.github_team_slug),
                Field(json_schema_extra=formats.json_pattern(formats.GITHUB_TEAM_SLUG)),
            ],
            ...,
        ],
        Field(description="Slugs of the owner's teams allowed to approve deployments (ids are looked up)."),
    ] = ()
    prevent_self_review: Annotated[bool, Field(description="The deployer may not approve their own run.")] = True


class SecretRotationSettings(_Settings):
    """When the generated JWT secrets rotate."""

    rotation_days: Annotated[
        int, Field(ge=1, le=SECRET_ROTATION_DAYS, description="Rotation period, days (seed: at most 90).")
    ] = SECRET_ROTATION_DAYS
    anchor: Annotated[dt.date, Field(description="First day of the first rotation window.")] = dt.date(2026, 1, 1)
    overlap_days: Annotated[
        int,
        Field(
            ge=0,
            le=SECRET_ROTATION_DAYS,
            description="Days after a rotation the previous secrets stay set as `JWT_SECRET_PREVIOUS` and "
            "`JWT_REFRESH_SECRET_PREVIOUS`, so sessions signed before it stay valid.",
        ),
    ] = 7


# --- watchdog: settings of the monitoring, alerting and scaling service (watchdog/) ---------------
# Its thresholds stay where they are (`backend.scaleUp/scaleDown`, `alerts`, `budget`); this block
# holds only what the service adds: the cooldown, the event windows and the off-hours window.


class EventWindow(_Settings):
    """Days (UTC, both inclusive) the stack runs in event mode without anyone flipping `eventMode`."""

    start: Annotated[dt.date, Field(description="First day of the window.")]
    end: Annotated[dt.date, Field(description="Last day of the window (inclusive).")]

    @model_validator(mode="after")
    def _ordered(self) -> EventWindow:
        if self.end < self.start:
            raise_rule_violations([("end", f"{self.end} is before start ({self.start})")])
        return self

    def covers(self, moment: dt.datetime) -> bool:
        return self.start <= moment.astimezone(dt.UTC).date() <= self.end


class OffHours(_Settings):
    """A daily UTC window (and optionally whole weekends) with fewer replicas allowed."""

    start_utc: Annotated[dt.time, Field(description="Start of the nightly window, UTC (HH:MM).")]
    end_utc: Annotated[dt.time, Field(description="End of the window, UTC; before the start means after midnight.")]
    weekends: Annotated[bool, Field(description="Saturday and Sunday (UTC) are off-hours all day.")] = True
    max_replicas: Annotated[
        int, Field(ge=1, le=MAX_REPLICAS, description="Most replicas the scaler keeps during off-hours.")
    ] = 1

    @model_validator(mode="after")
    def _not_empty(self) -> OffHours:
        if self.start_utc == self.end_utc:
            raise_rule_violations([("endUtc", "equals startUtc: the window would be empty")])
        return self

    def covers(self, moment: dt.datetime) -> bool:
        utc = moment.astimezone(dt.UTC)
        if self.weekends and utc.weekday() >= 5:
            return True
        now = utc.time()
        if self.start_utc < self.end_utc:
            return self.start_utc <= now < self.end_utc
        return now >= self.start_utc or now < self.end_utc


class WatchdogSettings(_Settings):
    """The watchdog service: alerts on `alerts`, scales the backend by `backend.scaleUp/scaleDown`."""

    enabled: Annotated[bool, Field(description="Deploy the watchdog into this environment.")] = True
    cooldown_minutes: Annotated[
        int,
        Field(
            ge=1, le=240, description="Least time after the backend's latest deployment before a scale step, minutes."
        ),
    ] = 10
    event_windows: Annotated[
        tuple[EventWindow, ...],
        Field(description="Date ranges in event mode (event replicas as the floor), as if `eventMode` were on."),
    ] = ()
    off_hours: Annotated[
        OffHours | None, Field(description="Nightly/weekend window with fewer replicas (seed: staging).")
    ] = None
    image_repository: Annotated[
        str,
        Field(
            pattern=IMAGE_REPOSITORY_PATTERN,
            description="Registry repository the watchdog image (docker/watchdog/Dockerfile) is pushed to; its "
            "tag is `image.tag`.",
        ),
    ] = "ghcr.io/converge-nps/watchdog"
    vcpu: Annotated[float, Field(gt=0, le=32, description="CPU limit of the watchdog service, vCPU.")] = 0.1
    memory_gb: Annotated[float, Field(gt=0, le=32, description="Memory limit of the watchdog service, GB.")] = 0.25

    def event_mode_at(self, moment: dt.datetime) -> bool:
        return any(window.covers(moment) for window in self.event_windows)


# --- end of the watchdog block -------------------------------------------------------------------------


# --- Monitoring: UptimeRobot (components/uptime_monitor) and Sentry (components/error_tracking) -------


class UptimeSettings(_Settings):
    """The UptimeRobot monitor of the backend's health check (seed: Monitoring & Alerting)."""

    interval_seconds: Annotated[
        int, Field(gt=0, description="Seconds between two checks (seed: 5 minutes, UptimeRobot's free plan).")
    ] = 300
    alert_email: Annotated[
        str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", description="E-mail address the monitor alerts.")
    ]


_SENTRY_SLUG = r"^[a-z0-9][a-z0-9_-]{0,49}$"


class SentrySettings(_Settings):
    """The Sentry organization and team the stack's projects belong to, and where critical errors go."""

    organization: Annotated[str, Field(pattern=_SENTRY_SLUG, description="Sentry organization slug.")]
    team: Annotated[str, Field(pattern=_SENTRY_SLUG, description="Slug of the team that owns the projects.")]
    slack_integration_id: Annotated[
        str | None,
        Field(
            pattern=r"^[0-9]+$",
            description="Id of the organization's Slack integration (Sentry posts to Slack only through it).",
        ),
    ] = None
    slack_channel: Annotated[
        str | None, Field(pattern=r"^#?[a-z0-9_-]{1,80}$", description="Slack channel critical errors go to.")
    ] = None

    @model_validator(mode="after")
    def _slack(self) -> SentrySettings:
        if (self.slack_integration_id is None) != (self.slack_channel is None):
            raise_rule_violations([("slackChannel", "set both slackIntegrationId and slackChannel, or neither")])
        return self


# --- end of monitoring settings ---------------------------------------------------------------------------


class StackSettings(BaseSettings):
    """Everything one stack (`dev`, `staging`, `prod`) decides.

    Values come from the stack's Pulumi config (namespace `converge-nps`), with the few
    environment variables CI decides per run on top (see `settings.sources.CI_OVERRIDES`).
    Load it with `settings.load_stack_settings`, which turns errors into one message.
    """

    model_config = SettingsConfigDict(**_MODEL_BEHAVIOUR)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only the named CI overrides may come from the environment: a stray CONVERGE_* variable on a
        # laptop must not silently change a stack.
        return (init_settings, CiOverrideSource(settings_cls), PulumiConfigSource(settings_cls))

    environment: Annotated[Environment, Field(description="Deployment environment on Railway and GitHub.")]
    deploy_branch: Annotated[str, Field(description="The only git branch that deploys to this environment.")]
    auto_deploy: Annotated[bool, Field(description="Deploy on push; false means a reviewer approves.")]
    frontend_url: Annotated[
        str,
        Field(description="Origin of the React front end, `https://host[:port]`: the backend's CORS origin."),
    ]
    event_mode: Annotated[
        bool, Field(description="Conference week: event replicas and hourly backups (seed, week 16).")
    ] = False
    backend: BackendSettings
    image: ImageSettings
    redis: RedisSettings
    database: DatabaseSettings
    budget: BudgetSettings
    railway: Annotated[RailwaySettings, Field(description="The stack's Railway project and environment.")] = (
        RailwaySettings()
    )
    alerts: Annotated[AlertSettings, Field(description="Alert thresholds.")] = AlertSettings()
    backups: BackupSettings
    github: GitHubSettings
    secret_rotation: Annotated[SecretRotationSettings, Field(description="JWT secret rotation.")] = (
        SecretRotationSettings()
    )
    # watchdog: the one field of the watchdog block above.
    watchdog: Annotated[WatchdogSettings, Field(description="Monitoring, alerting and autoscaling service.")] = (
        WatchdogSettings()
    )

    uptime: Annotated[UptimeSettings, Field(description="UptimeRobot monitor of the backend's health check.")]
    sentry: Annotated[SentrySettings, Field(description="Sentry projects, DSNs and critical-error alert.")]
    sendgrid_api_key: Annotated[SecretStr, Field(description="SendGrid API key (`--secret`).")]
    smartsheet_api_key: Annotated[SecretStr, Field(description="Smartsheet API key (`--secret`).")]
    slack_webhook_url: Annotated[
        SecretStr | None,
        Field(description="Slack incoming webhook the deploy job and UptimeRobot notify (`--secret`)."),
    ] = None
    registry_password: Annotated[
        SecretStr | None,
        Field(
            description="Token Railway pulls the private backend image with (`--secret`): a personal access token "
            "with read:packages, not the workflow's GITHUB_TOKEN, which expires with its job."
        ),
    ] = None

    @field_validator("frontend_url")
    @classmethod
    def _origin(cls, value: str) -> str:
        return formats.origin(value, "https")

    @field_validator("deploy_branch")
    @classmethod
    def _git_ref(cls, value: str) -> str:
        if not _GIT_REF.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid git branch name")
        return value

    @field_validator("slack_webhook_url")
    @classmethod
    def _secret_https(cls, value: SecretStr | None) -> SecretStr | None:
        # The message must not echo the secret, so only the scheme is named.
        if value is not None and not value.get_secret_value().startswith("https://"):
            raise ValueError("must be an https:// URL (value not shown: it is a secret)")
        return value

    @model_validator(mode="after")
    def _seed_rules(self) -> StackSettings:
        raise_rule_violations(
            seed_rule_violations(
                stack=current_stack(),
                environment=self.environment,
                deploy_branch=self.deploy_branch,
                plan=self.database.plan,
                production=ProductionFacts(
                    auto_deploy=self.auto_deploy,
                    has_reviewers=bool(self.github.reviewer_users or self.github.reviewer_teams),
                    prevent_self_review=self.github.prevent_self_review,
                    backups_scheduled=self.backups.scheduled,
                    rdb_snapshots=self.redis.rdb_snapshots,
                    append_only=self.redis.append_only,
                    min_replicas=self.backend.min_replicas,
                ),
            )
        )
        return self

    @property
    def deployed_replicas(self) -> int:
        """Replicas Railway runs now: the event figure in event mode, the minimum otherwise."""
        return (
            max(self.backend.event_replicas, self.backend.min_replicas)
            if self.event_mode
            else self.backend.min_replicas
        )

    @property
    def backup_cron(self) -> str:
        """The S3 backup schedule in force: hourly in event mode, weekly otherwise."""
        return self.backups.event_cron if self.event_mode else self.backups.weekly_cron


def seed_rule_violations(
    *,
    stack: str | None,
    environment: str | None,
    deploy_branch: str | None = None,
    plan: str | None = None,
    production: ProductionFacts | None = None,
) -> list[tuple[str, str]]:
    """The seed's per-stack rules; a value passed as None is not checked.

    Each stack is bound to one environment, and through it to one branch, one plan and (prod only) the
    production invariants: what a stack must satisfy follows from its name, not from what it claims.
    Also run by the loader on raw values when other keys fail, so one message names every bad key.
    """
    problems: list[tuple[str, str]] = []
    bound = ENVIRONMENT_BY_STACK.get(stack) if stack is not None else environment
    if bound is None:
        stacks = ", ".join(f"{s} ({e})" for s, e in ENVIRONMENT_BY_STACK.items())
        return [("environment", f"stack {stack!r} is bound to no environment; the stacks are {stacks}")]
    if environment is not None and environment != bound:
        owner = next((s for s, e in ENVIRONMENT_BY_STACK.items() if e == environment), None)
        claim = f", which belongs to stack {owner!r}" if owner else ""
        problems.append(("environment", f"stack {stack!r} deploys {bound!r}, not {environment!r}{claim}"))
    if bound not in DEPLOY_BRANCH_BY_ENVIRONMENT:
        return problems
    expected_branch = DEPLOY_BRANCH_BY_ENVIRONMENT[bound]
    if deploy_branch is not None and deploy_branch != expected_branch:
        owner = next((e for e, b in DEPLOY_BRANCH_BY_ENVIRONMENT.items() if b == deploy_branch), None)
        claim = f" ({owner}'s branch)" if owner else ""
        problems.append(("deployBranch", f"{bound} deploys from {expected_branch!r}, not {deploy_branch!r}{claim}"))
    expected_plan = PLAN_BY_ENVIRONMENT[bound]
    if plan is not None and plan != expected_plan:
        problems.append(("database.plan", f"{bound} runs on the {expected_plan!r} plan, not {plan!r}"))
    if bound == PRODUCTION_ENVIRONMENT and production is not None:
        problems += [(v.setting, f"production {v.rule}") for v in production_violations(production)]
    return problems


RULE_VIOLATIONS = "rule_violations"


def raise_rule_violations(problems: list[tuple[str, str]]) -> None:
    """Raise one validation error that still names each offending key (relative to the model)."""
    if problems:
        raise PydanticCustomError(
            RULE_VIOLATIONS,
            "{summary}",
            {"summary": "; ".join(f"{key}: {message}" for key, message in problems), "problems": problems},
        )


def is_secret_field(field: FieldInfo) -> bool:
    return "SecretStr" in repr(field.annotation)


# The keys Pulumi.yaml declares `secret: true`: Pulumi refuses them in plaintext, and so does a stack-file read.
SECRET_KEYS: Final = frozenset(
    f"{NAMESPACE}:{field.alias or name}" for name, field in StackSettings.model_fields.items() if is_secret_field(field)
)
