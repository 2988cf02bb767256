"""A Railway service from a Docker image, with its per-environment instance settings.

Railway applies instance settings and variables at the next deployment: instance updates never deploy
by themselves, and `revision` counts them, so `RailwayDeployment` can tell when settings that only a
deployment applies have changed.

Placement (`region`, `numReplicas`) is sent as `multiRegionConfig` (`{"<region>": {"numReplicas": n}}`)
and read back from the latest deployment's manifest, as Railway's CLI and the Terraform providers do:
the top-level `region` and `numReplicas` of an instance are legacy, and read back null or 1.

An image in a private registry needs `registryCredentials` on the instance, or Railway cannot pull it.
They are write-only: the password is sent, never read back, and the state keeps a digest of the pair
(secret-marked), so a new password shows in `diff` without the password being kept in the state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from providers.core.properties import is_unknown, properties
from providers.core.provider import Resource, create_or_adopt, gone
from providers.railway import documents as ops
from providers.railway.provider import RailwayProvider, delete_unless_gone, edges, first, managed, whole

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient

# Instance settings as ServiceInstanceUpdateInput names them; all are read back from ServiceInstance.
INSTANCE_SETTINGS = (
    "healthcheckPath",
    "healthcheckTimeout",
    "restartPolicyType",
    "restartPolicyMaxRetries",
    "startCommand",
)
_INT_SETTINGS = frozenset({"healthcheckTimeout", "restartPolicyMaxRetries"})
# Where the replicas run: sent as `multiRegionConfig`, read from the latest deployment's manifest.
PLACEMENT = ("region", "numReplicas")
# A new service's instance shows up a moment after `serviceCreate` answers.
_INSTANCE_CHECKS = 30
_INSTANCE_CHECK_SECONDS = 1.0


class ServiceProvider(RailwayProvider):
    """`serviceCreate` (no source, so nothing deploys before its variables exist), then the instance
    settings and the image with `serviceInstanceUpdate`."""

    inputs = ("projectId", "environmentId", "name", "image", *PLACEMENT, *INSTANCE_SETTINGS, "registryUsername")
    replace_on = ("projectId", "environmentId")
    outputs = ("revision", "registryCredentialsDigest")
    secret_outputs = ("registryPassword", "registryCredentialsDigest")

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = self.diff_of(olds, news)
        if _credentials_changed(olds, news) and not result.changes:
            return DiffResult(changes=True, replaces=[], delete_before_replace=None)
        return result

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
        client.wait_for(
            "ServiceInstance",
            lambda: _instance(client, props["environmentId"], service["id"]),
            attempts=_INSTANCE_CHECKS,
            interval=_INSTANCE_CHECK_SECONDS,
        )
        self._update_instance(client, service["id"], props)
        return CreateResult(service["id"], {**self._outputs(props), "revision": 1})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        instance = _instance(self.client(), props["environmentId"], id_)
        if instance is None:
            return gone()
        live = {setting: managed(props, setting, instance.get(setting)) for setting in INSTANCE_SETTINGS}
        source = instance.get("source") or {}
        outs = {
            **self.given(props),
            **live,
            **_placement(instance.get("latestDeployment"), props),
            "name": instance["serviceName"],
            "image": _same_image(source.get("image"), props.get("image")),
            "revision": props.get("revision"),
            # Write-only: what was last set is all there is to know.
            "registryCredentialsDigest": props.get("registryCredentialsDigest"),
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
        if self.changed(olds, news, ("image", *PLACEMENT, *INSTANCE_SETTINGS, "registryUsername")) or (
            _credentials_changed(olds, news)
        ):
            self._update_instance(client, id_, news, olds)
            revision += 1
        return UpdateResult({**self._outputs(news), "revision": revision})

    def _outputs(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {**self.given(props), "registryCredentialsDigest": credentials_digest(props)}

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
    def _update_instance(
        client: RailwayClient, service_id: str, props: Mapping[str, Any], olds: Mapping[str, Any] | None = None
    ) -> None:
        settings = {key: whole(props.get(key)) if key in _INT_SETTINGS else props.get(key) for key in INSTANCE_SETTINGS}
        instance_input: dict[str, Any] = {key: value for key, value in settings.items() if value is not None}
        instance_input["source"] = {"image": props["image"]}
        if props.get("registryPassword"):
            instance_input["registryCredentials"] = {
                "username": props["registryUsername"],
                "password": props["registryPassword"],
            }
        placement: dict[str, Any] = {props["region"]: {"numReplicas": whole(props["numReplicas"])}}
        if olds and olds.get("region") and olds["region"] != props["region"]:
            placement[olds["region"]] = None  # a region set to null is left: the replicas move
        instance_input["multiRegionConfig"] = placement
        client.execute(
            ops.SERVICE_INSTANCE_UPDATE,
            {"serviceId": service_id, "environmentId": props["environmentId"], "input": instance_input},
            idempotent=True,
        )


def credentials_digest(props: Mapping[str, Any]) -> str | None:
    """A one-way digest of the registry credentials, kept in the state instead of the password. The
    password is a registry token (high entropy), which is what makes an unsalted digest safe to keep."""
    if not props.get("registryPassword"):
        return None
    pair = f"converge-nps/railway-registry/{props['registryUsername']}/{props['registryPassword']}"
    return "sha256:" + hashlib.sha256(pair.encode()).hexdigest()


def _credentials_changed(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    password = news.get("registryPassword")
    return is_unknown(password) or credentials_digest(news) != olds.get("registryCredentialsDigest")


def normal_image(reference: str) -> str:
    """`reference` in full: registry, repository and tag (`redis:8` -> `docker.io/library/redis:8`,
    `x` -> `docker.io/library/x:latest`); a digest-pinned reference keeps its digest and no tag is added."""
    name, at, digest = reference.partition("@")
    head, slash, _ = name.partition("/")
    if not (slash and ("." in head or ":" in head or head == "localhost")):
        name = f"docker.io/{name}" if slash else f"docker.io/library/{name}"
    if not at and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name + at + digest


def _same_image(live: str | None, declared: str | None) -> str | None:
    """The declared spelling when Railway reports the same image in another form, else what it reports."""
    if live and declared and not is_unknown(declared) and normal_image(live) == normal_image(declared):
        return declared
    return live


def _instance(client: RailwayClient, environment_id: str, service_id: str) -> dict[str, Any] | None:
    environment = client.execute(ops.SERVICE_INSTANCES, {"environmentId": environment_id})["environment"]
    return first(edges(environment["serviceInstances"]), lambda node: node["serviceId"] == service_id)


def _placement(deployment: Mapping[str, Any] | None, props: Mapping[str, Any]) -> dict[str, Any]:
    """`region` and `numReplicas` as the latest deployment's manifest records them.

    Several regions read as their names joined with "," and the sum of their replicas, so a placement
    changed outside Pulumi shows as drift. No deployment yet (or an older manifest without a
    placement) reports what the state says: nothing runs to compare with.
    """
    deploy = ((deployment or {}).get("meta") or {}).get("serviceManifest", {}).get("deploy") or {}
    config = deploy.get("multiRegionConfig")
    if not config and deploy.get("region"):
        # Deployments made before multi-region carry the region and a replica count of their own.
        config = {deploy["region"]: {"numReplicas": deploy.get("numReplicas", 1)}}
    active = {
        region: int(value["numReplicas"])
        for region, value in (config or {}).items()
        if isinstance(value, Mapping) and (value.get("numReplicas") or 0) >= 1
    }
    if not active:
        return {key: props.get(key) for key in PLACEMENT}
    return {"region": ",".join(sorted(active)), "numReplicas": sum(active.values())}


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
    # For an image in a private registry (a token that can read its packages); both or neither.
    registry_username: pulumi.Input[str] | None = None
    registry_password: pulumi.Input[str] | None = None


class RailwayService(Resource, module="railway", name="Service"):
    """A service and its instance in one environment (`pulumi-python:dynamic/railway:Service`)."""

    name: pulumi.Output[str]
    image: pulumi.Output[str]
    revision: pulumi.Output[int]

    def __init__(self, resource_name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ServiceProvider(), resource_name, properties(args), opts)
