"""CPU and memory per replica of a Railway service (`serviceInstanceLimitsUpdate`, a set: safe to repeat).

Railway applies limits at the next deployment, like instance settings: `revision` counts the changes,
so `RailwayDeployment` redeploys when the limits alone changed.

Deleting this resource leaves the last limits on the service instance (the API has no way to clear an
override); they go away with the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from providers.core.properties import properties
from providers.core.provider import Resource
from providers.railway import documents as ops
from providers.railway.provider import RailwayProvider, whole

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient


class ServiceLimitsProvider(RailwayProvider):
    inputs = ("environmentId", "serviceId", "vcpus", "memoryGb")
    replace_on = ("environmentId", "serviceId")
    outputs = ("revision",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        self._set(self.client(), props)
        return CreateResult(f"{props['serviceId']}/{props['environmentId']}", {**self.given(props), "revision": 1})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        override = self.client().execute(
            ops.SERVICE_LIMITS, {"environmentId": props["environmentId"], "serviceId": props["serviceId"]}
        )["serviceInstanceLimitOverride"]
        return ReadResult(id_, {**self.given(props), **_limits(override, props), "revision": props.get("revision")})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self._set(self.client(), news)
        return UpdateResult({**self.given(news), "revision": (whole(olds.get("revision")) or 0) + 1})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        return None

    @staticmethod
    def _set(client: RailwayClient, props: Mapping[str, Any]) -> None:
        limits_input = {
            "environmentId": props["environmentId"],
            "serviceId": props["serviceId"],
            "vCPUs": float(props["vcpus"]),
            "memoryGB": float(props["memoryGb"]),
        }
        client.execute(ops.SERVICE_LIMITS_UPDATE, {"input": limits_input}, idempotent=True)


def _limits(override: Any, props: Mapping[str, Any]) -> dict[str, Any]:
    """The live limits from the `ServiceInstanceLimit` scalar, whose shape the SDL leaves open.

    No override (null) means the plan defaults apply: reported as no limits, so the next `up` sets
    them again. An override named as the update input names it is read; any other shape keeps what
    the state says rather than guessing units and inventing drift.
    """
    if override is None:
        return {"vcpus": None, "memoryGb": None}
    if isinstance(override, dict) and ("vCPUs" in override or "memoryGB" in override):
        return {"vcpus": override.get("vCPUs"), "memoryGb": override.get("memoryGB")}
    return {"vcpus": props.get("vcpus"), "memoryGb": props.get("memoryGb")}


@dataclass
class ServiceLimitsArgs:
    environment_id: pulumi.Input[str]
    service_id: pulumi.Input[str]
    vcpus: pulumi.Input[float]
    memory_gb: pulumi.Input[float]


class RailwayServiceLimits(Resource, module="railway", name="ServiceLimits"):
    """Per-replica CPU and memory of a service (`pulumi-python:dynamic/railway:ServiceLimits`)."""

    vcpus: pulumi.Output[float]
    revision: pulumi.Output[int]

    def __init__(self, resource_name: str, args: ServiceLimitsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ServiceLimitsProvider(), resource_name, properties(args), opts)
