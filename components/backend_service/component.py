"""The Node.js/Express API on Railway: image, replicas, limits, health check, variables, public domain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components import tokens
from components.backend_service.contract import MAX_REPLICAS_OUTPUT, MIN_REPLICAS_OUTPUT, REPLICAS_OUTPUT
from components.railway_service import RailwayPlacement, RegistryCredentials, ServiceDefinition, deploy_service
from providers.railway import CustomDomainArgs, RailwayCustomDomain, RailwayServiceDomain, ServiceDomainArgs


@dataclass
class BackendServiceArgs:
    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    # Digest-pinned (BackendImage.image_ref): a new digest is a new deployment, a rebuilt tag is not missed.
    image: pulumi.Input[str]
    # Railway has no autoscaler: this many replicas run; max and thresholds are kept for a scaler.
    replicas: int
    min_replicas: int
    max_replicas: int
    scale_up: Mapping[str, int]
    scale_down: Mapping[str, int]
    vcpu_per_replica: float
    memory_gb_per_replica: float
    region: str
    health_check_path: str
    health_check_timeout_seconds: int
    restart_policy: str
    restart_max_retries: int
    deployment_timeout_minutes: int
    node_env: str
    frontend_url: str
    # The Supabase pooler URL (a secret). None leaves DATABASE_URL unset rather than inventing one.
    database_url: pulumi.Input[str] | None
    redis_url: pulumi.Input[str]
    jwt_secret: pulumi.Input[str]
    jwt_refresh_secret: pulumi.Input[str]
    sendgrid_api_key: pulumi.Input[str]
    smartsheet_api_key: pulumi.Input[str]
    sentry_dsn: pulumi.Input[str]
    # A custom domain with TLS (production); None gives the service a Railway-generated domain.
    public_domain: str | None = None
    service_name: str = "backend"
    # The image's repository is private: Railway pulls it with these (see docs/railway.md).
    registry: RegistryCredentials | None = None
    # The watchdog scales the service: `replicas` is its count at creation, and `pulumi up` keeps the live one.
    replicas_set_by_watchdog: bool = False
    extra_variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    extra_secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


class BackendService(pulumi.ComponentResource):
    """The API service in the stack's Railway environment.

    Outputs: `domain` and `url` (custom or Railway-generated), `dns_records` (what the operator must
    create for a custom domain; empty otherwise), and the scaling envelope (`replicas`,
    `max_replicas`, `scale_up`, `scale_down`) for a scaler: Railway itself has none.
    """

    service_id: pulumi.Output[str]
    domain: pulumi.Output[str]
    url: pulumi.Output[str]
    dns_records: pulumi.Output[list[dict[str, str]]]
    deployment_id: pulumi.Output[str]

    def __init__(self, name: str, args: BackendServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.BACKEND_SERVICE, name, None, opts)
        deployed = deploy_service(
            name,
            RailwayPlacement.of(args),
            ServiceDefinition(
                service_name=args.service_name,
                image=args.image,
                replicas=args.replicas,
                vcpus=args.vcpu_per_replica,
                memory_gb=args.memory_gb_per_replica,
                variables={"NODE_ENV": args.node_env, "FRONTEND_URL": args.frontend_url, **args.extra_variables},
                secrets={
                    **({"DATABASE_URL": args.database_url} if args.database_url is not None else {}),
                    "REDIS_URL": args.redis_url,
                    "JWT_SECRET": args.jwt_secret,
                    "JWT_REFRESH_SECRET": args.jwt_refresh_secret,
                    "SENDGRID_API_KEY": args.sendgrid_api_key,
                    "SMARTSHEET_API_KEY": args.smartsheet_api_key,
                    "SENTRY_DSN": args.sentry_dsn,
                    **args.extra_secrets,
                },
                health_check_path=args.health_check_path,
                health_check_timeout_seconds=args.health_check_timeout_seconds,
                registry=args.registry,
                replicas_set_elsewhere=args.replicas_set_by_watchdog,
            ),
            parent=self,
        )
        service = deployed.service
        child = pulumi.ResourceOptions(parent=self)
        if args.public_domain is not None:
            custom = RailwayCustomDomain(
                f"{name}-domain",
                CustomDomainArgs(
                    project_id=args.project_id,
                    environment_id=args.environment_id,
                    service_id=service.id,
                    domain=args.public_domain,
                ),
                opts=child,
            )
            # The configured name, so the API URL is known in preview; Railway answers with the same name.
            self.domain = pulumi.Output.from_input(args.public_domain)
            self.dns_records = custom.dns_records
        else:
            generated = RailwayServiceDomain(
                f"{name}-domain",
                ServiceDomainArgs(
                    project_id=args.project_id,
                    environment_id=args.environment_id,
                    service_id=service.id,
                ),
                opts=child,
            )
            self.domain = generated.domain
            self.dns_records = pulumi.Output.from_input([])
        self.service_id = service.id
        self.url = pulumi.Output.concat("https://", self.domain)
        self.deployment_id = deployed.deployment.id
        self.replicas = args.replicas
        self.min_replicas = args.min_replicas
        self.max_replicas = args.max_replicas
        self.scale_up = dict(args.scale_up)
        self.scale_down = dict(args.scale_down)
        self.register_outputs(
            {
                "serviceId": self.service_id,
                "url": self.url,
                "dnsRecords": self.dns_records,
                REPLICAS_OUTPUT: self.replicas,
                MIN_REPLICAS_OUTPUT: self.min_replicas,
                MAX_REPLICAS_OUTPUT: self.max_replicas,
                "scaleUp": self.scale_up,
                "scaleDown": self.scale_down,
            }
        )
