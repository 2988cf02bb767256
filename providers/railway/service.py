"""A Railway service from a Docker image, its per-replica limits, its variables and its deployments.

Railway applies instance settings and variables at the next deployment. Variables are therefore
written with `skipDeploys` and instance updates never deploy by themselves; the `RailwayDeployment`
resource deploys once per `pulumi up` in which the image, the variables or the instance settings
changed, and not otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi.dynamic

from providers.railway import operations as ops
from providers.railway.base import (
    RailwayProvider,
    RailwayResource,
    create_or_adopt,
    delete_unless_gone,
    differs,
    edges,
    first,
    managed,
    not_found_is_gone,
    whole,
)
from providers.railway.client import RailwayClient, RailwayNotFoundError

# Service and instance settings ---------------------------------------------------------------

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
    settings and the image with `serviceInstanceUpdate`. `revision` counts instance updates, so the
    deployment can tell when settings that only a deployment applies have changed."""

    inputs = ("projectId", "environmentId", "name", "image", *INSTANCE_SETTINGS)
    replace_on = ("projectId", "environmentId")

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
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

        service, _ = create_or_adopt(find, make)
        self._update_instance(client, service["id"], props)
        return pulumi.dynamic.CreateResult(service["id"], {**self.given(props), "revision": 1})

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        def read() -> pulumi.dynamic.ReadResult:
            environment = self.client().execute(ops.SERVICE_INSTANCES, {"environmentId": props["environmentId"]})
            instance = first(
                edges(environment["environment"]["serviceInstances"]), lambda node: node["serviceId"] == id_
            )
            if instance is None:
                return self.gone()
            live = {setting: managed(props, setting, instance.get(setting)) for setting in INSTANCE_SETTINGS}
            source = instance.get("source") or {}
            outs = {
                **self.given(props),
                **live,
                "name": instance["serviceName"],
                "image": source.get("image"),
                "revision": props.get("revision"),
            }
            return pulumi.dynamic.ReadResult(id_, outs)

        return not_found_is_gone(read)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        client = self.client()
        if differs(olds.get("name"), news.get("name")):
            client.execute(ops.SERVICE_UPDATE, {"id": id_, "input": {"name": news["name"]}}, idempotent=True)
        revision = whole(olds.get("revision")) or 0
        if any(differs(olds.get(key), news.get(key)) for key in ("image", *INSTANCE_SETTINGS)):
            self._update_instance(client, id_, news)
            revision += 1
        return pulumi.dynamic.UpdateResult({**self.given(news), "revision": revision})

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


class RailwayService(RailwayResource, module="railway", name="Service"):
    name: pulumi.Output[str]
    image: pulumi.Output[str]
    revision: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        project_id: pulumi.Input[str],
        environment_id: pulumi.Input[str],
        name: pulumi.Input[str],
        image: pulumi.Input[str],
        num_replicas: pulumi.Input[int],
        region: pulumi.Input[str],
        restart_policy_type: pulumi.Input[str],
        restart_policy_max_retries: pulumi.Input[int],
        healthcheck_path: pulumi.Input[str] | None = None,
        healthcheck_timeout: pulumi.Input[int] | None = None,
        start_command: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "projectId": project_id,
            "environmentId": environment_id,
            "name": name,
            "image": image,
            "numReplicas": num_replicas,
            "region": region,
            "healthcheckPath": healthcheck_path,
            "healthcheckTimeout": healthcheck_timeout,
            "restartPolicyType": restart_policy_type,
            "restartPolicyMaxRetries": restart_policy_max_retries,
            "startCommand": start_command,
            "revision": None,
        }
        super().__init__(ServiceProvider(), resource_name, props, opts)


# Per-replica limits -------------------------------------------------------------------------


class ServiceLimitsProvider(RailwayProvider):
    """CPU and memory per replica (`serviceInstanceLimitsUpdate`, a set: safe to repeat).

    Deleting this resource leaves the last limits on the service instance (the API has no way to
    clear an override); they go away with the service.
    """

    inputs = ("environmentId", "serviceId", "vcpus", "memoryGb")
    replace_on = ("environmentId", "serviceId")

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        self._set(self.client(), props)
        return pulumi.dynamic.CreateResult(f"{props['serviceId']}/{props['environmentId']}", self.given(props))

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        def read() -> pulumi.dynamic.ReadResult:
            override = self.client().execute(
                ops.SERVICE_LIMITS, {"environmentId": props["environmentId"], "serviceId": props["serviceId"]}
            )["serviceInstanceLimitOverride"]
            return pulumi.dynamic.ReadResult(id_, {**self.given(props), **_limits(override, props)})

        return not_found_is_gone(read)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        self._set(self.client(), news)
        return pulumi.dynamic.UpdateResult(self.given(news))

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


class RailwayServiceLimits(RailwayResource, module="railway", name="ServiceLimits"):
    vcpus: pulumi.Output[float]

    def __init__(
        self,
        resource_name: str,
        *,
        environment_id: pulumi.Input[str],
        service_id: pulumi.Input[str],
        vcpus: pulumi.Input[float],
        memory_gb: pulumi.Input[float],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"environmentId": environment_id, "serviceId": service_id, "vcpus": vcpus, "memoryGb": memory_gb}
        super().__init__(ServiceLimitsProvider(), resource_name, props, opts)


# Variables ----------------------------------------------------------------------------------


class VariablesProvider(RailwayProvider):
    """The service variables this program manages (`variableCollectionUpsert`, with `skipDeploys`).

    `variables` are plain, `secrets` are secret values (Pulumi keeps them encrypted in the state and
    masks them in diffs). Variables set by others (Railway's own `RAILWAY_*`, a person's) are left
    alone: only names this resource manages are written, read back or deleted. `revision` counts the
    writes, which is what tells the deployment that the variables changed.
    """

    inputs = ("projectId", "environmentId", "serviceId", "variables", "secrets")
    replace_on = ("projectId", "environmentId", "serviceId")

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        self._upsert(self.client(), props, _merged(props))
        return pulumi.dynamic.CreateResult(
            f"{props['serviceId']}/{props['environmentId']}", {**self.given(props), "revision": 1}
        )

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        def read() -> pulumi.dynamic.ReadResult:
            live = self.client().execute(ops.VARIABLES, _scope(props))["variables"] or {}
            outs = {
                **self.given(props),
                "variables": {name: live[name] for name in props.get("variables") or {} if name in live},
                "secrets": {name: live[name] for name in props.get("secrets") or {} if name in live},
                "revision": props.get("revision"),
            }
            return pulumi.dynamic.ReadResult(id_, outs)

        return not_found_is_gone(read)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        client = self.client()
        old, new = _merged(olds), _merged(news)
        changed = {name: value for name, value in new.items() if old.get(name) != value}
        removed = sorted(set(old) - set(new))
        if changed:
            self._upsert(client, news, changed)
        for name in removed:
            self._delete_variable(client, news, name)
        revision = (whole(olds.get("revision")) or 0) + (1 if changed or removed else 0)
        return pulumi.dynamic.UpdateResult({**self.given(news), "revision": revision})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        for name in sorted(_merged(props)):
            try:
                self._delete_variable(client, props, name)
            except RailwayNotFoundError:
                # The service (and with it every variable) is gone already.
                return

    @staticmethod
    def _upsert(client: RailwayClient, props: Mapping[str, Any], values: Mapping[str, str]) -> None:
        upsert_input = {**_scope(props), "variables": dict(values), "replace": False, "skipDeploys": True}
        client.execute(ops.VARIABLES_UPSERT, {"input": upsert_input}, idempotent=True)

    @staticmethod
    def _delete_variable(client: RailwayClient, props: Mapping[str, Any], name: str) -> None:
        def still_set() -> bool:
            return name in (client.execute(ops.VARIABLES, _scope(props))["variables"] or {})

        delete_unless_gone(
            lambda: client.execute(ops.VARIABLE_DELETE, {"input": {**_scope(props), "name": name}}, idempotent=True),
            still_set,
        )


def _scope(props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "projectId": props["projectId"],
        "environmentId": props["environmentId"],
        "serviceId": props["serviceId"],
    }


def _merged(props: Mapping[str, Any]) -> dict[str, str]:
    return {**(props.get("variables") or {}), **(props.get("secrets") or {})}


class RailwayVariables(RailwayResource, module="railway", name="Variables"):
    revision: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        project_id: pulumi.Input[str],
        environment_id: pulumi.Input[str],
        service_id: pulumi.Input[str],
        variables: Mapping[str, pulumi.Input[str]],
        secrets: Mapping[str, pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "projectId": project_id,
            "environmentId": environment_id,
            "serviceId": service_id,
            "variables": variables,
            # Each value secret, not the map: the names stay known in preview while any value is not.
            "secrets": {name: pulumi.Output.secret(value) for name, value in secrets.items()},
            "revision": None,
        }
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["secrets"]))
        super().__init__(VariablesProvider(), resource_name, props, opts)


# Deployment ---------------------------------------------------------------------------------


class DeploymentProvider(RailwayProvider):
    """One deployment of the service (`serviceInstanceDeployV2`) for one combination of image,
    instance-settings revision and variables revision. Any change is a new deployment, i.e. a
    replacement; removing one from the state leaves Railway's deployment history alone."""

    inputs = ("environmentId", "serviceId", "image", "serviceRevision", "variablesRevision")
    replace_on = inputs

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        # A repeated deploy of the same configuration converges to the same running service, so the
        # request may be retried like any idempotent one.
        deployment_id = self.client().execute(
            ops.SERVICE_DEPLOY,
            {"environmentId": props["environmentId"], "serviceId": props["serviceId"]},
            idempotent=True,
        )["serviceInstanceDeployV2"]
        return pulumi.dynamic.CreateResult(deployment_id, {**self.given(props), "status": None})

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        def read() -> pulumi.dynamic.ReadResult:
            deployment = self.client().execute(ops.DEPLOYMENT, {"id": id_})["deployment"]
            return pulumi.dynamic.ReadResult(id_, {**self.given(props), "status": deployment["status"]})

        return not_found_is_gone(read)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        return None


class RailwayDeployment(RailwayResource, module="railway", name="Deployment"):
    status: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        environment_id: pulumi.Input[str],
        service_id: pulumi.Input[str],
        image: pulumi.Input[str],
        service_revision: pulumi.Input[int],
        variables_revision: pulumi.Input[int],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "environmentId": environment_id,
            "serviceId": service_id,
            "image": image,
            "serviceRevision": service_revision,
            "variablesRevision": variables_revision,
            "status": None,
        }
        super().__init__(DeploymentProvider(), resource_name, props, opts)
