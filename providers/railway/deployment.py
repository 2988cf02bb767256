"""One deployment of a Railway service (`serviceInstanceDeployV2`) for one combination of image,
instance-settings revision, limits revision and variables revision.

Any change is a new deployment, i.e. a replacement, so a service deploys once per `pulumi up` in which
its image, variables, limits or instance settings changed, and not otherwise. Removing one from the
state leaves Railway's deployment history alone.

`up` succeeds only once the deployment does: it is polled until SUCCESS (or SLEEPING, a successful
deployment of a service that sleeps when idle), and FAILED, CRASHED or REMOVED fail the `up` with the
status and the deployment's last log lines, as Railway's own clients wait for it. `timeoutMinutes` bounds
the wait; it is not an input (changing it deploys nothing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult

from providers.core.errors import ApiError
from providers.core.properties import properties
from providers.core.provider import Resource
from providers.railway import documents as ops
from providers.railway.provider import RailwayProvider

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient

SUCCEEDED = frozenset({"SUCCESS", "SLEEPING"})
FAILED = frozenset({"FAILED", "CRASHED", "REMOVED"})
LOG_LINES = 20


class DeploymentError(Exception):
    """The deployment failed, or did not finish in time; the message carries its last log lines."""


class DeploymentProvider(RailwayProvider):
    inputs = ("environmentId", "serviceId", "image", "serviceRevision", "limitsRevision", "variablesRevision")
    replace_on = inputs
    outputs = ("status",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        # A repeated deploy of the same configuration converges to the same running service, so the
        # request may be retried like any idempotent one.
        deployment_id = client.execute(
            ops.SERVICE_DEPLOY,
            {"environmentId": props["environmentId"], "serviceId": props["serviceId"]},
            idempotent=True,
        )["serviceInstanceDeployV2"]
        status = _wait(client, deployment_id, float(props["timeoutMinutes"]))
        return CreateResult(
            deployment_id, {**self.given(props), "timeoutMinutes": props["timeoutMinutes"], "status": status}
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        deployment = self.client().execute(ops.DEPLOYMENT, {"id": id_})["deployment"]
        outs = {**self.given(props), "timeoutMinutes": props.get("timeoutMinutes"), "status": deployment["status"]}
        return ReadResult(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        return None


def _wait(client: RailwayClient, deployment_id: str, timeout_minutes: float) -> str:
    seen: list[str] = []

    def finished() -> str | None:
        status = str(client.execute(ops.DEPLOYMENT, {"id": deployment_id})["deployment"]["status"])
        seen.append(status)
        if status in FAILED:
            raise DeploymentError(
                f"Railway deployment {deployment_id} ended {status}{_last_lines(client, deployment_id)}"
            )
        return status if status in SUCCEEDED else None

    interval = client.poll_interval
    checks = max(1, math.ceil(timeout_minutes * 60 / interval))
    try:
        return client.wait_for("deployment", finished, attempts=checks, interval=interval)
    except ApiError as error:
        if len(seen) < checks:
            raise
        raise DeploymentError(
            f"Railway deployment {deployment_id} still {seen[-1]} after {timeout_minutes:g} minutes "
            "(railway.deploymentTimeoutMinutes); it may still finish: see it in Railway, then run `pulumi up` again"
            + _last_lines(client, deployment_id)
        ) from error


def _last_lines(client: RailwayClient, deployment_id: str) -> str:
    """The deployment's last log lines, for the error that fails the `up` (best effort: a failure to
    fetch them must not hide the status)."""
    try:
        logs = client.execute(ops.DEPLOYMENT_LOGS, {"deploymentId": deployment_id, "limit": LOG_LINES})
    except ApiError:
        return "; its logs could not be read"
    lines = [f"  {line.get('timestamp', '')} {line.get('message', '')}" for line in logs["deploymentLogs"]]
    return "; its last log lines:\n" + "\n".join(lines) if lines else "; it left no logs"


@dataclass
class DeploymentArgs:
    environment_id: pulumi.Input[str]
    service_id: pulumi.Input[str]
    image: pulumi.Input[str]
    service_revision: pulumi.Input[int]
    limits_revision: pulumi.Input[int]
    variables_revision: pulumi.Input[int]
    timeout_minutes: float


class RailwayDeployment(Resource, module="railway", name="Deployment"):
    """A deployment of a service (`pulumi-python:dynamic/railway:Deployment`)."""

    status: pulumi.Output[str | None]

    def __init__(self, resource_name: str, args: DeploymentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(DeploymentProvider(), resource_name, properties(args), opts)
