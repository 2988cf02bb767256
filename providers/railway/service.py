"""A Railway service from a Docker image, with its per-environment instance settings.

Railway applies instance settings and variables at the next deployment: instance updates never deploy
by themselves, and `revision` counts them, so `RailwayDeployment` can tell when settings that only a
deployment applies have changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from providers.core.properties import properties
from providers.core.provider import Resource, create_or_adopt, gone
from providers.railway import documents as ops
from providers.railway.provider import RailwayProvider, delete_unless_gone, edges, first, managed, whole

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient

# Instance settings as ServiceInstanceUpdateInput names them; all are read back from ServiceInstance.
INSTANCE_SETTINGS = (
    "numReplicas",
    "region",
    "healthcheckPath",
    "healthcheckTimeout",
    "restartPolicyType",
    "restartPolicyMaxRetries",
    "startCommand",
)
_INT_SETTINGS = frozenset({"numReplicas", "healthcheckTimeout", "restartPolicyMaxRetries"})


class ServiceProvider(RailwayProvider):
    """`serviceCreate` (no source, so nothing deploys before its variables exist), then the instance
    settings and the image with `serviceInstanceUpdate`."""

    inputs = ("projectId", "environmentId", "name", "image", *INSTANCE_SETTINGS)
    replace_on = ("projectId", "environmentId")
    outputs = ("revision",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()

        def find() -> dict[str, Any] | None:
            listed = client.execute(ops.SERVICES, {"projectId": props["projectId"]})["project"]
            return first(edges(listed["services"]), lambda node: node["name"] == props["name"])

        def make() -> dict[str, Any]:
            service_input = {
                "projectId": props["projectId"],
                "environmentId": props["environmentId"],
                "name": props["name"],
            }
            made: dict[str, Any] = client.execute(ops.SERVICE_CREATE, {"input": service_input})["serviceCreate"]
            return made

        service, _ = create_or_adopt(find, make, what=f"service named {props['name']!r}")
        self._update_instance(client, service["id"], props)
        return CreateResult(service["id"], {**self.given(props), "revision": 1})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        environment = self.client().execute(ops.SERVICE_INSTANCES, {"environmentId": props["environmentId"]})
        instance = first(edges(environment["environment"]["serviceInstances"]), lambda node: node["serviceId"] == id_)
        if instance is None:
            return gone()
        live = {setting: managed(props, setting, instance.get(setting)) for setting in INSTANCE_SETTINGS}
        source = instance.get("source") or {}
        outs = {
            **self.given(props),
            **live,
            "name": instance["serviceName"],
            "image": source.get("image"),
            "revision": props.get("revision"),
        }
        # The live settings become the inputs as well: for a setting the program leaves to another owner
        # (`ignore_changes`: the backend's replicas, set by the watchdog) the engine then keeps the live
        # value, where it would otherwise send back the value the service was created with.
        return ReadResult(id_, outs, inputs=self.given(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        if self.changed(olds, news, ("name",)):
            client.execute(ops.SERVICE_UPDATE, {"id": id_, "input": {"name": news["name"]}}, idempotent=True)
        revision = whole(olds.get("revision")) or 0
        if self.changed(olds, news, ("image", *INSTANCE_SETTINGS)):
            self._update_instance(client, id_, news)
            revision += 1
        return UpdateResult({**self.given(news), "revision": revision})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()

        def exists() -> bool:
            listed = client.execute(ops.SERVICES, {"projectId": props["projectId"]})["project"]
            return any(node["id"] == id_ for node in edges(listed["services"]))

        delete_unless_gone(
            lambda: client.execute(
                ops.SERVICE_DELETE, {"id": id_, "environmentId": props["environmentId"]}, idempotent=True
            ),
            exists,
        )

    @staticmethod
    def _update_instance(client: RailwayClient, service_id: str, props: Mapping[str, Any]) -> None:
        settings = {key: whole(props.get(key)) if key in _INT_SETTINGS else props.get(key) for key in INSTANCE_SETTINGS}
        instance_input = {key: value for key, value in settings.items() if value is not None}
        instance_input["source"] = {"image": props["image"]}
        client.execute(
            ops.SERVICE_INSTANCE_UPDATE,
            {"serviceId": service_id, "environmentId": props["environmentId"], "input": instance_input},
            idempotent=True,
        )


@dataclass
class ServiceArgs:
    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    name: pulumi.Input[str]
    image: pulumi.Input[str]
    num_replicas: pulumi.Input[int]
    region: pulumi.Input[str]
    restart_policy_type: pulumi.Input[str]
    restart_policy_max_retries: pulumi.Input[int]
    healthcheck_path: pulumi.Input[str] | None = None
    healthcheck_timeout: pulumi.Input[int] | None = None
    start_command: pulumi.Input[str] | None = None


class RailwayService(Resource, module="railway", name="Service"):
    """A service and its instance in one environment (`pulumi-python:dynamic/railway:Service`)."""

    name: pulumi.Output[str]
    image: pulumi.Output[str]
    revision: pulumi.Output[int]

    def __init__(self, resource_name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ServiceProvider(), resource_name, properties(args), opts)
