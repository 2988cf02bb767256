"""A Railway service of the stack, assembled one way for every component that runs one (the backend,
Redis): the service, its limits, its variables, a volume where it keeps data, and the deployment that
follows the service's, the limits' and the variables' revisions once the volume is in place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import pulumi

from components.railway_resources import SERVICE_REPLICAS
from providers.railway import (
    DeploymentArgs,
    RailwayDeployment,
    RailwayService,
    RailwayServiceLimits,
    RailwayVariables,
    RailwayVolume,
    ServiceArgs,
    ServiceLimitsArgs,
    VariablesArgs,
    VolumeArgs,
)


class Placed(Protocol):
    """Arguments of a component that runs a Railway service."""

    @property
    def project_id(self) -> pulumi.Input[str]: ...
    @property
    def environment_id(self) -> pulumi.Input[str]: ...
    @property
    def region(self) -> str: ...
    @property
    def restart_policy(self) -> str: ...
    @property
    def restart_max_retries(self) -> int: ...
    @property
    def deployment_timeout_minutes(self) -> int: ...


@dataclass(frozen=True)
class RailwayPlacement:
    """Where the stack's services run and how Railway restarts them."""

    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    region: str
    restart_policy: str
    restart_max_retries: int
    # How long `up` waits for a deployment to succeed before it fails.
    deployment_timeout_minutes: int

    @classmethod
    def of(cls, args: Placed) -> RailwayPlacement:
        return cls(
            args.project_id,
            args.environment_id,
            args.region,
            args.restart_policy,
            args.restart_max_retries,
            args.deployment_timeout_minutes,
        )


@dataclass(frozen=True)
class RegistryCredentials:
    """What Railway pulls a private image with: a user and a token that can read the repository."""

    username: str
    password: pulumi.Input[str]


@dataclass(frozen=True)
class ServiceDefinition:
    service_name: str
    image: pulumi.Input[str]
    replicas: int
    vcpus: float
    memory_gb: float
    variables: Mapping[str, pulumi.Input[str]]
    # Railway variables that are credentials: sent and stored as Pulumi secrets.
    secrets: Mapping[str, pulumi.Input[str]]
    start_command: str | None = None
    health_check_path: str | None = None
    health_check_timeout_seconds: int | None = None
    # Where a volume is mounted; None: the service keeps no data.
    volume_mount_path: str | None = None
    # Pull credentials for an image in a private registry; None: the image is public.
    registry: RegistryCredentials | None = None
    # Something else (the watchdog) sets the replica count once the service runs: `replicas` is only the
    # count it is created with, and `pulumi up` leaves the live count alone.
    replicas_set_elsewhere: bool = False


@dataclass(frozen=True)
class DeployedService:
    service: RailwayService
    volume: RailwayVolume | None
    deployment: RailwayDeployment


def deploy_service(
    name: str, placement: RailwayPlacement, definition: ServiceDefinition, parent: pulumi.Resource
) -> DeployedService:
    child = pulumi.ResourceOptions(parent=parent)
    service = RailwayService(
        name,
        ServiceArgs(
            project_id=placement.project_id,
            environment_id=placement.environment_id,
            name=definition.service_name,
            image=definition.image,
            num_replicas=definition.replicas,
            region=placement.region,
            healthcheck_path=definition.health_check_path,
            healthcheck_timeout=definition.health_check_timeout_seconds,
            start_command=definition.start_command,
            restart_policy_type=placement.restart_policy,
            restart_policy_max_retries=placement.restart_max_retries,
            registry_username=definition.registry.username if definition.registry else None,
            registry_password=pulumi.Output.secret(definition.registry.password) if definition.registry else None,
        ),
        opts=pulumi.ResourceOptions(
            parent=parent, ignore_changes=[SERVICE_REPLICAS] if definition.replicas_set_elsewhere else None
        ),
    )
    limits = RailwayServiceLimits(
        f"{name}-limits",
        ServiceLimitsArgs(
            environment_id=placement.environment_id,
            service_id=service.id,
            vcpus=definition.vcpus,
            memory_gb=definition.memory_gb,
        ),
        opts=child,
    )
    variables = RailwayVariables(
        f"{name}-variables",
        VariablesArgs(
            project_id=placement.project_id,
            environment_id=placement.environment_id,
            service_id=service.id,
            variables=dict(definition.variables),
            secrets=dict(definition.secrets),
        ),
        opts=child,
    )
    volume = None
    if definition.volume_mount_path is not None:
        volume = RailwayVolume(
            f"{name}-data",
            VolumeArgs(
                project_id=placement.project_id,
                environment_id=placement.environment_id,
                service_id=service.id,
                mount_path=definition.volume_mount_path,
                region=placement.region,
            ),
            opts=child,
        )
    deployment = RailwayDeployment(
        f"{name}-deployment",
        DeploymentArgs(
            environment_id=placement.environment_id,
            service_id=service.id,
            image=service.image,
            service_revision=service.revision,
            # Railway applies limits at the next deployment: a change of limits alone redeploys.
            limits_revision=limits.revision,
            variables_revision=variables.revision,
            timeout_minutes=placement.deployment_timeout_minutes,
        ),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[limits, *([volume] if volume else [])]),
    )
    return DeployedService(service, volume, deployment)
