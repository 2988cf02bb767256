"""The service variables this program manages (`variableCollectionUpsert`, with `skipDeploys`).

`variables` are plain, `secrets` are secret values (Pulumi keeps them encrypted in the state and masks
them in diffs). Variables set by others (Railway's own `RAILWAY_*`, a person's) are left alone: only
names this resource manages are written, read back or deleted. Railway applies variables at the next
deployment; `revision` counts the writes, which is what tells `RailwayDeployment` they changed.
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
from providers.railway.provider import RailwayProvider, delete_unless_gone, whole

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient


class VariablesProvider(RailwayProvider):
    inputs = ("projectId", "environmentId", "serviceId", "variables", "secrets")
    replace_on = ("projectId", "environmentId", "serviceId")
    outputs = ("revision",)
    secret_outputs = ("secrets",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        self._upsert(self.client(), props, _merged(props))
        return CreateResult(f"{props['serviceId']}/{props['environmentId']}", {**self.given(props), "revision": 1})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        live = self.client().execute(ops.VARIABLES, _scope(props))["variables"] or {}
        outs = {
            **self.given(props),
            "variables": {name: live[name] for name in props.get("variables") or {} if name in live},
            "secrets": {name: live[name] for name in props.get("secrets") or {} if name in live},
            "revision": props.get("revision"),
        }
        return ReadResult(id_, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        old, new = _merged(olds), _merged(news)
        changed = {name: value for name, value in new.items() if old.get(name) != value}
        removed = sorted(set(old) - set(new))
        if changed:
            self._upsert(client, news, changed)
        for name in removed:
            self._delete_variable(client, news, name)
        revision = (whole(olds.get("revision")) or 0) + (1 if changed or removed else 0)
        return UpdateResult({**self.given(news), "revision": revision})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        # A service already gone (and every variable with it) ends the loop with "not found": done.
        client = self.client()
        for name in sorted(_merged(props)):
            self._delete_variable(client, props, name)

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


@dataclass
class VariablesArgs:
    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    service_id: pulumi.Input[str]
    # Variable names are data: kept exactly as given (never renamed like property names).
    variables: Mapping[str, pulumi.Input[str]]
    secrets: Mapping[str, pulumi.Input[str]]


class RailwayVariables(Resource, module="railway", name="Variables"):
    """The variables of a service (`pulumi-python:dynamic/railway:Variables`)."""

    revision: pulumi.Output[int]

    def __init__(self, resource_name: str, args: VariablesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        inputs = properties(args)
        # Each value secret, not the map: the names stay known in preview while any value is not.
        inputs["secrets"] = {name: pulumi.Output.secret(value) for name, value in args.secrets.items()}
        super().__init__(VariablesProvider(), resource_name, inputs, opts)
