"""The watchdog on Railway: its image built from docker/watchdog/Dockerfile, a project token scoped to the
environment, and one replica with no volume and no domain (it serves nothing; it calls Railway and Slack)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components import tokens
from components.railway_service import RailwayPlacement, RegistryCredentials, ServiceDefinition, deploy_service
from components.watchdog_service.contract import BUILD_CONTEXT, DOCKERFILE, REPLICAS, SERVICE_NAME
from providers.railway import ProjectTokenArgs, RailwayProjectToken
from providers.railway.environment_variables import TOKEN_VARIABLE
from watchdog.contract import CONFIG_VARIABLE, SLACK_WEBHOOK_VARIABLE


@dataclass
class WatchdogServiceArgs:
    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    region: str
    restart_policy: str
    restart_max_retries: int
    deployment_timeout_minutes: int
    image_repository: str
    image_tag: str
    platform: str
    vcpu: float
    memory_gb: float
    # WATCHDOG_CONFIG (watchdog.render.render_config), rendered from the Railway ids once they are known.
    config: pulumi.Input[str]
    # The project token's name in Railway, unique in the project.
    token_name: str
    slack_webhook_url: pulumi.Input[str] | None = None
    # The image's repository is private: Railway pulls it with these (the backend's, see docs/railway.md).
    registry: RegistryCredentials | None = None


class WatchdogService(pulumi.ComponentResource):
    """Exports `service_id` and `image_ref` (the pushed image, pinned by digest)."""

    service_id: pulumi.Output[str]
    image_ref: pulumi.Output[str]

    def __init__(self, name: str, args: WatchdogServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.WATCHDOG_SERVICE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        image = docker.Image(
            name,
            image_name=f"{args.image_repository}:{args.image_tag}",
            build=docker.DockerBuildArgs(context=BUILD_CONTEXT, dockerfile=DOCKERFILE, platform=args.platform),
            # Registry credentials come from the Docker config of whoever runs `pulumi up`, as for the backend.
            skip_push=False,
            opts=child,
        )
        token = RailwayProjectToken(
            f"{name}-token",
            ProjectTokenArgs(project_id=args.project_id, environment_id=args.environment_id, name=args.token_name),
            opts=child,
        )
        secrets: dict[str, pulumi.Input[str]] = {TOKEN_VARIABLE: token.token}
        if args.slack_webhook_url is not None:
            secrets[SLACK_WEBHOOK_VARIABLE] = args.slack_webhook_url
        deployed = deploy_service(
            name,
            RailwayPlacement.of(args),
            ServiceDefinition(
                service_name=SERVICE_NAME,
                image=image.repo_digest,
                replicas=REPLICAS,
                vcpus=args.vcpu,
                memory_gb=args.memory_gb,
                variables={CONFIG_VARIABLE: args.config},
                secrets=secrets,
                registry=args.registry,
            ),
            parent=self,
        )
        self.service_id = deployed.service.id
        self.image_ref = image.repo_digest
        self.register_outputs({"serviceId": self.service_id, "imageRef": self.image_ref})
