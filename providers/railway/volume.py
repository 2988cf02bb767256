"""A persistent Railway volume attached to a service (`volumeCreate`).

Railway sizes volumes by plan and offers no size field on create and no resize mutation in the
public API (checked against the SDL), so the size is not an input here.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic

from providers.railway import operations as ops
from providers.railway.base import (
    RailwayProvider,
    RailwayResource,
    create_or_adopt,
    delete_unless_gone,
    edges,
    first,
    not_found_is_gone,
)
from providers.railway.client import RailwayClient


class VolumeProvider(RailwayProvider):
    inputs = ("projectId", "environmentId", "serviceId", "mountPath", "region")
    replace_on = ("projectId", "environmentId", "region")
    # One service cannot mount two volumes at the same path.
    delete_before_replace = True

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
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

        volume, _ = create_or_adopt(find, make)
        return pulumi.dynamic.CreateResult(volume["id"], self.given(props))

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        def read() -> pulumi.dynamic.ReadResult:
            instance = first(_instances(self.client(), props["environmentId"]), lambda node: node["volumeId"] == id_)
            if instance is None:
                return self.gone()
            outs = {
                **self.given(props),
                "serviceId": instance.get("serviceId"),
                "mountPath": instance["mountPath"],
                "region": instance.get("region") if props.get("region") else None,
            }
            return pulumi.dynamic.ReadResult(id_, outs)

        return not_found_is_gone(read)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        self.client().execute(
            ops.VOLUME_INSTANCE_UPDATE,
            {
                "volumeId": id_,
                "environmentId": news["environmentId"],
                "input": {"serviceId": news["serviceId"], "mountPath": news["mountPath"]},
            },
            idempotent=True,
        )
        return pulumi.dynamic.UpdateResult(self.given(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        delete_unless_gone(
            lambda: client.execute(ops.VOLUME_DELETE, {"volumeId": id_}, idempotent=True),
            lambda: any(node["volumeId"] == id_ for node in _instances(client, props["environmentId"])),
        )


def _instances(client: RailwayClient, environment_id: str) -> list[dict[str, Any]]:
    environment = client.execute(ops.VOLUME_INSTANCES, {"environmentId": environment_id})["environment"]
    return [node for node in edges(environment["volumeInstances"]) if node.get("state") not in ("DELETED", "DELETING")]


class RailwayVolume(RailwayResource, module="railway", name="Volume"):
    @property
    def mount_path(self) -> pulumi.Output[str]:
        return self.output("mountPath")

    def __init__(
        self,
        resource_name: str,
        *,
        project_id: pulumi.Input[str],
        environment_id: pulumi.Input[str],
        service_id: pulumi.Input[str],
        mount_path: pulumi.Input[str],
        region: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "projectId": project_id,
            "environmentId": environment_id,
            "serviceId": service_id,
            "mountPath": mount_path,
            "region": region,
        }
        super().__init__(VolumeProvider(), resource_name, props, opts)
