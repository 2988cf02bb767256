"""One deployment of a Railway service (`serviceInstanceDeployV2`) for one combination of image,
instance-settings revision and variables revision.

Any change is a new deployment, i.e. a replacement, so a service deploys once per `pulumi up` in which
its image, variables or instance settings changed, and not otherwise. Removing one from the state
leaves Railway's deployment history alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult

from providers.core.properties import properties
from providers.core.provider import Resource
from providers.railway import documents as ops
from providers.railway.provider import RailwayProvider


class DeploymentProvider(RailwayProvider):
    inputs = ("environmentId", "serviceId", "image", "serviceRevision", "variablesRevision")
    replace_on = inputs
    outputs = ("status",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        # A repeated deploy of the same configuration converges to the same running service, so the
        # request may be retried like any idempotent one.
        deployment_id = self.client().execute(
            ops.SERVICE_DEPLOY,
            {"environmentId": props["environmentId"], "serviceId": props["serviceId"]},
            idempotent=True,
        )["serviceInstanceDeployV2"]
        return CreateResult(deployment_id, {**self.given(props), "status": None})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        deployment = self.client().execute(ops.DEPLOYMENT, {"id": id_})["deployment"]
        return ReadResult(id_, {**self.given(props), "status": deployment["status"]})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        return None


@dataclass
class DeploymentArgs:
    environment_id: pulumi.Input[str]
    service_id: pulumi.Input[str]
    image: pulumi.Input[str]
    service_revision: pulumi.Input[int]
    variables_revision: pulumi.Input[int]


class RailwayDeployment(Resource, module="railway", name="Deployment"):
    """A deployment of a service (`pulumi-python:dynamic/railway:Deployment`)."""

    status: pulumi.Output[str | None]

    def __init__(self, resource_name: str, args: DeploymentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(DeploymentProvider(), resource_name, properties(args), opts)
