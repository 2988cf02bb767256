"""One environment of a Railway project: adopted by id, adopted by name (the project's default
environment), or created. Only one this provider created is deleted by it; the others go with their
project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from providers.core.errors import ApiError
from providers.core.properties import properties
from providers.core.provider import Origin, Resource, create_or_adopt, gone
from providers.railway import documents as ops
from providers.railway.errors import API, RailwayNotFoundError
from providers.railway.provider import RailwayProvider, delete_unless_gone, edges, first

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient


class EnvironmentProvider(RailwayProvider):
    inputs = ("projectId", "name", "adoptId")
    replace_on = ("projectId", "adoptId")
    outputs = ("created",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        project_id = props["projectId"]

        def find(match: str, value: str) -> dict[str, Any] | None:
            return first(_environments(client, project_id) or [], lambda node: node[match] == value)

        if props.get("adoptId"):
            environment = find("id", props["adoptId"])
            if environment is None:
                raise ApiError(
                    API, "RailwayEnvironments", f"environment {props['adoptId']} is not in project {project_id}"
                )
            return CreateResult(environment["id"], self._outs(props, environment, created=False))

        def make() -> dict[str, Any]:
            made: dict[str, Any] = client.execute(
                ops.ENVIRONMENT_CREATE, {"input": {"projectId": project_id, "name": props["name"]}}
            )["environmentCreate"]
            return made

        # Found by name before any create: the project's default environment (made with the project)
        # or one that was there already; either way not this resource's to delete.
        environment, origin = create_or_adopt(
            lambda: find("name", props["name"]), make, what=f"environment named {props['name']!r}"
        )
        return CreateResult(environment["id"], self._outs(props, environment, created=origin is not Origin.FOUND))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        environment = first(_environments(self.client(), props["projectId"]) or [], lambda node: node["id"] == id_)
        if environment is None:
            return gone()
        return ReadResult(id_, self._outs(props, environment, created=bool(props.get("created"))))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        environment = self.client().execute(ops.ENVIRONMENT_RENAME, {"id": id_, "input": {"name": news["name"]}})[
            "environmentRename"
        ]
        return UpdateResult(self._outs(news, environment, created=bool(olds.get("created"))))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("created"):
            return
        client = self.client()
        delete_unless_gone(
            lambda: client.execute(ops.ENVIRONMENT_DELETE, {"id": id_}, idempotent=True),
            lambda: any(node["id"] == id_ for node in _environments(client, props["projectId"]) or []),
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # An environment adopted by id keeps its own name (adopting must not rename it).
        return self.diff_of({**olds, "name": news.get("name")} if news.get("adoptId") else olds, news)

    def _outs(self, props: dict[str, Any], environment: dict[str, Any], *, created: bool) -> dict[str, Any]:
        name = props["name"] if props.get("adoptId") else environment["name"]
        return {**self.given(props), "name": name, "created": created}


def _environments(client: RailwayClient, project_id: str) -> list[dict[str, Any]] | None:
    """The project's environments; None when the project itself is gone."""
    try:
        project = client.execute(ops.ENVIRONMENTS, {"projectId": project_id})["project"]
    except RailwayNotFoundError:
        return None
    return edges(project["environments"])


@dataclass
class EnvironmentArgs:
    project_id: pulumi.Input[str]
    name: pulumi.Input[str]
    adopt_id: pulumi.Input[str] | None = None


class RailwayEnvironment(Resource, module="railway", name="Environment"):
    """An environment of a Railway project (`pulumi-python:dynamic/railway:Environment`)."""

    name: pulumi.Output[str]
    created: pulumi.Output[bool]

    def __init__(self, resource_name: str, args: EnvironmentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(EnvironmentProvider(), resource_name, properties(args), opts)
