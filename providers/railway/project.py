"""A Railway project, created (named after the stack) or adopted by id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from providers.core.errors import ApiError
from providers.core.properties import properties
from providers.core.provider import Resource, create_or_adopt, gone
from providers.railway import documents as ops
from providers.railway.errors import API, RailwayNotFoundError
from providers.railway.provider import RailwayProvider, delete_unless_gone, deleted, edges, first

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient


class ProjectProvider(RailwayProvider):
    """An adopted project (`adoptId`) is never deleted by Pulumi: it was there before this stack."""

    inputs = ("name", "description", "workspaceId", "adoptId", "defaultEnvironmentName")
    replace_on = ("workspaceId", "adoptId")
    outputs = ("liveWorkspaceId", "created")

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # The default environment's name only matters when the project is made; an adopted project's
        # name and description stay its owner's (adopting must not rename it).
        ignored = ["defaultEnvironmentName", *(["name", "description"] if news.get("adoptId") else [])]
        return self.diff_of({**olds, **{key: news.get(key) for key in ignored}}, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        if props.get("adoptId"):
            project = _project(client, props["adoptId"])
            if project is None:
                raise ApiError(API, "RailwayProject", f"project {props['adoptId']} (railway.projectId) does not exist")
            return CreateResult(project["id"], self._outs(props, project, created=False))

        def find() -> dict[str, Any] | None:
            listed = client.execute(ops.PROJECTS_IN_WORKSPACE, {"workspaceId": props.get("workspaceId")})
            return first(edges(listed["projects"]), lambda node: node["name"] == props["name"])

        def make() -> dict[str, Any]:
            project_input: dict[str, Any] = {
                "name": props["name"],
                "description": props.get("description"),
                "defaultEnvironmentName": props.get("defaultEnvironmentName"),
            }
            if props.get("workspaceId"):
                project_input["workspaceId"] = props["workspaceId"]
            created: dict[str, Any] = client.execute(ops.PROJECT_CREATE, {"input": project_input})["projectCreate"]
            return created

        # A project found by its stack-specific name is one an earlier attempt of this stack made.
        project, _ = create_or_adopt(find, make, what=f"project named {props['name']!r}")
        return CreateResult(project["id"], self._outs(props, project, created=True))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        project = _project(self.client(), id_)
        if project is None:
            return gone()
        return ReadResult(id_, self._outs(props, project, created=bool(props.get("created"))))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        project = self.client().execute(
            ops.PROJECT_UPDATE, {"id": id_, "input": {"name": news["name"], "description": news.get("description")}}
        )["projectUpdate"]
        return UpdateResult(self._outs(news, project, created=bool(olds.get("created"))))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("created"):
            return
        client = self.client()
        delete_unless_gone(
            lambda: client.execute(ops.PROJECT_DELETE, {"id": id_}, idempotent=True),
            lambda: _project(client, id_) is not None,
        )

    def _outs(self, props: dict[str, Any], project: dict[str, Any], *, created: bool) -> dict[str, Any]:
        adopted = bool(props.get("adoptId"))
        return {
            **self.given(props),
            "name": props["name"] if adopted else project["name"],
            "description": props.get("description") if adopted else project.get("description"),
            "liveWorkspaceId": project.get("workspaceId"),
            "created": created,
        }


def _project(client: RailwayClient, project_id: str) -> dict[str, Any] | None:
    try:
        project: dict[str, Any] = client.execute(ops.PROJECT, {"id": project_id})["project"]
    except RailwayNotFoundError:
        return None
    return None if deleted(project) else project


@dataclass
class ProjectArgs:
    name: pulumi.Input[str]
    default_environment_name: pulumi.Input[str]
    description: pulumi.Input[str] | None = None
    workspace_id: pulumi.Input[str] | None = None
    adopt_id: pulumi.Input[str] | None = None


class RailwayProject(Resource, module="railway", name="Project"):
    """A Railway project (`pulumi-python:dynamic/railway:Project`)."""

    name: pulumi.Output[str]
    created: pulumi.Output[bool]

    def __init__(self, resource_name: str, args: ProjectArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ProjectProvider(), resource_name, properties(args), opts)
