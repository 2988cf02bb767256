"""A persistent Railway volume attached to a service (`volumeCreate`).

Railway sizes volumes by plan and offers no size field on create and no resize mutation in the
public API (checked against the SDL), so the size is not an input here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from providers.core.properties import properties
from providers.core.provider import Resource, create_or_adopt, gone
from providers.railway import documents as ops
from providers.railway.provider import RailwayProvider, delete_unless_gone, edges, first

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient


class VolumeProvider(RailwayProvider):
    inputs = ("projectId", "environmentId", "serviceId", "mountPath", "region")
    replace_on = ("projectId", "environmentId", "region")
    # One service cannot mount two volumes at the same path.
    delete_before_replace = True

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()

        def find() -> dict[str, Any] | None:
            instance = first(
                _instances(client, props["environmentId"]),
                lambda node: node.get("serviceId") == props["serviceId"] and node["mountPath"] == props["mountPath"],
            )
            return None if instance is None else {"id": instance["volumeId"]}

        def make() -> dict[str, Any]:
            volume_input = {
                "projectId": props["projectId"],
                "environmentId": props["environmentId"],
                "serviceId": props["serviceId"],
                "mountPath": props["mountPath"],
            }
            if props.get("region"):
                volume_input["region"] = props["region"]
            made: dict[str, Any] = client.execute(ops.VOLUME_CREATE, {"input": volume_input})["volumeCreate"]
            return made

        volume, _ = create_or_adopt(find, make, what=f"volume at {props['mountPath']}")
        return CreateResult(volume["id"], self.given(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        instance = first(_instances(self.client(), props["environmentId"]), lambda node: node["volumeId"] == id_)
        if instance is None:
            return gone()
        outs = {
            **self.given(props),
            "serviceId": instance.get("serviceId"),
            "mountPath": instance["mountPath"],
            "region": instance.get("region") if props.get("region") else None,
        }
        return ReadResult(id_, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self.client().execute(
            ops.VOLUME_INSTANCE_UPDATE,
            {
                "volumeId": id_,
                "environmentId": news["environmentId"],
                "input": {"serviceId": news["serviceId"], "mountPath": news["mountPath"]},
            },
            idempotent=True,
        )
        return UpdateResult(self.given(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        delete_unless_gone(
            lambda: client.execute(ops.VOLUME_DELETE, {"volumeId": id_}, idempotent=True),
            lambda: any(node["volumeId"] == id_ for node in _instances(client, props["environmentId"])),
        )


def _instances(client: RailwayClient, environment_id: str) -> list[dict[str, Any]]:
    environment = client.execute(ops.VOLUME_INSTANCES, {"environmentId": environment_id})["environment"]
    return [node for node in edges(environment["volumeInstances"]) if node.get("state") not in ("DELETED", "DELETING")]


@dataclass
class VolumeArgs:
    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    service_id: pulumi.Input[str]
    mount_path: pulumi.Input[str]
    region: pulumi.Input[str] | None = None


class RailwayVolume(Resource, module="railway", name="Volume"):
    """A persistent volume mounted in a service (`pulumi-python:dynamic/railway:Volume`)."""

    mount_path: pulumi.Output[str]

    def __init__(self, resource_name: str, args: VolumeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(VolumeProvider(), resource_name, properties(args), opts)
