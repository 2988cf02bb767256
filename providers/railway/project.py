"""Railway projects, environments, the workspace spend cap and environment-scoped project tokens."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic

from providers.core.errors import ApiError
from providers.railway import operations as ops
from providers.railway.base import (
    RailwayProvider,
    RailwayResource,
    create_or_adopt,
    delete_unless_gone,
    edges,
    first,
    not_found_is_gone,
    whole,
)
from providers.railway.client import API, RailwayClient, RailwayNotFoundError

# Project ------------------------------------------------------------------------------------


class ProjectProvider(RailwayProvider):
    """A Railway project, created (named after the stack) or adopted by id.

    An adopted project (`adoptId`) is never deleted by Pulumi: it was there before this stack.
    """

    inputs = ("name", "description", "workspaceId", "adoptId", "defaultEnvironmentName")
    replace_on = ("workspaceId", "adoptId")

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        # The default environment's name only matters when the project is made; an adopted project's
        # name and description stay its owner's (adopting must not rename it).
        ignored = ["defaultEnvironmentName", *(["name", "description"] if news.get("adoptId") else [])]
        return super().diff(_id, {**olds, **{key: news.get(key) for key in ignored}}, news)

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        client = self.client()
        if props.get("adoptId"):
            project = _project(client, props["adoptId"])
            if project is None:
                raise ApiError(API, "RailwayProject", f"project {props['adoptId']} (railway.projectId) does not exist")
            return pulumi.dynamic.CreateResult(project["id"], self._outs(props, project, created=False))

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
        project, _ = create_or_adopt(find, make)
        return pulumi.dynamic.CreateResult(project["id"], self._outs(props, project, created=True))

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        project = _project(self.client(), id_)
        if project is None:
            return self.gone()
        return pulumi.dynamic.ReadResult(id_, self._outs(props, project, created=bool(props.get("created"))))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        project = self.client().execute(
            ops.PROJECT_UPDATE, {"id": id_, "input": {"name": news["name"], "description": news.get("description")}}
        )["projectUpdate"]
        return pulumi.dynamic.UpdateResult(self._outs(news, project, created=bool(olds.get("created"))))

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
    return project


class RailwayProject(RailwayResource, module="railway", name="Project"):
    name: pulumi.Output[str]
    created: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        default_environment_name: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        workspace_id: pulumi.Input[str] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "name": name,
            "description": description,
            "workspaceId": workspace_id,
            "adoptId": adopt_id,
            "defaultEnvironmentName": default_environment_name,
            "liveWorkspaceId": None,
            "created": None,
        }
        super().__init__(ProjectProvider(), resource_name, props, opts)


# Environment --------------------------------------------------------------------------------


class EnvironmentProvider(RailwayProvider):
    """One environment of a project: adopted by id, adopted by name (the project's default
    environment), or created. Only one this provider created is deleted by it; the others go with
    their project."""

    inputs = ("projectId", "name", "adoptId")
    replace_on = ("projectId", "adoptId")

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
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
            return pulumi.dynamic.CreateResult(environment["id"], self._outs(props, environment, created=False))

        def make() -> dict[str, Any]:
            made: dict[str, Any] = client.execute(
                ops.ENVIRONMENT_CREATE, {"input": {"projectId": project_id, "name": props["name"]}}
            )["environmentCreate"]
            return made

        # Found by name before any create: the project's default environment (made with the project)
        # or one that was there already; either way not this resource's to delete.
        environment, created = create_or_adopt(lambda: find("name", props["name"]), make)
        return pulumi.dynamic.CreateResult(environment["id"], self._outs(props, environment, created=created))

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        environment = first(_environments(self.client(), props["projectId"]) or [], lambda node: node["id"] == id_)
        if environment is None:
            return self.gone()
        return pulumi.dynamic.ReadResult(id_, self._outs(props, environment, created=bool(props.get("created"))))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        environment = self.client().execute(ops.ENVIRONMENT_RENAME, {"id": id_, "input": {"name": news["name"]}})[
            "environmentRename"
        ]
        return pulumi.dynamic.UpdateResult(self._outs(news, environment, created=bool(olds.get("created"))))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("created"):
            return
        client = self.client()
        delete_unless_gone(
            lambda: client.execute(ops.ENVIRONMENT_DELETE, {"id": id_}, idempotent=True),
            lambda: any(node["id"] == id_ for node in _environments(client, props["projectId"]) or []),
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        # An environment adopted by id keeps its own name (adopting must not rename it).
        return super().diff(_id, {**olds, "name": news.get("name")} if news.get("adoptId") else olds, news)

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


class RailwayEnvironment(RailwayResource, module="railway", name="Environment"):
    name: pulumi.Output[str]
    created: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        *,
        project_id: pulumi.Input[str],
        name: pulumi.Input[str],
        adopt_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"projectId": project_id, "name": name, "adoptId": adopt_id, "created": None}
        super().__init__(EnvironmentProvider(), resource_name, props, opts)


# Usage limit (spend cap) -------------------------------------------------------------------


class UsageLimitConflictError(ApiError):
    pass


class UsageLimitProvider(RailwayProvider):
    """Railway's usage limit (`usageLimitSet`): a soft limit (an e-mail alert) and a hard limit that
    takes the workloads offline. Railway keeps ONE limit per customer, i.e. per workspace, not per
    project; so the create refuses to take over a limit someone else set (another stack in the same
    workspace, or a person in the dashboard) instead of silently overwriting it."""

    inputs = ("projectId", "softLimitDollars", "hardLimitDollars")
    replace_on = ("projectId",)

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        client = self.client()
        customer = _customer(client, props["projectId"])
        soft, hard = whole(props["softLimitDollars"]), whole(props["hardLimitDollars"])
        current = customer.get("usageLimit")
        if current is not None and (current["softLimit"], current.get("hardLimit")) != (soft, hard):
            raise UsageLimitConflictError(
                API,
                "RailwayUsageLimitSet",
                f"the workspace already has a usage limit (soft ${current['softLimit']}, hard "
                f"${current.get('hardLimit')}) that this stack did not set. Railway has one limit per workspace, and "
                "its hard limit takes every project in the workspace offline. Remove or align it in the Railway "
                "dashboard, or set `railway.setUsageLimit: false` in this stack if another stack owns the limit.",
            )
        if current is None:
            self._set(client, customer["id"], soft, hard)
        return pulumi.dynamic.CreateResult(customer["id"], self._outs(props, customer, soft, hard))

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        def read() -> pulumi.dynamic.ReadResult:
            customer = _customer(self.client(), props["projectId"])
            current = customer.get("usageLimit")
            if current is None or customer["id"] != id_:
                return self.gone()
            outs = self._outs(props, customer, current["softLimit"], current.get("hardLimit"))
            return pulumi.dynamic.ReadResult(id_, outs)

        return not_found_is_gone(read)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        soft, hard = whole(news["softLimitDollars"]), whole(news["hardLimitDollars"])
        self._set(self.client(), id_, soft, hard)
        return pulumi.dynamic.UpdateResult(
            {**self.given(news), "customerId": id_, "workspaceId": olds.get("workspaceId")}
        )

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        delete_unless_gone(
            lambda: client.execute(ops.USAGE_LIMIT_REMOVE, {"input": {"customerId": id_}}, idempotent=True),
            lambda: _customer(client, props["projectId"]).get("usageLimit") is not None,
        )

    @staticmethod
    def _set(client: RailwayClient, customer_id: str, soft: int | None, hard: int | None) -> None:
        client.execute(
            ops.USAGE_LIMIT_SET,
            {"input": {"customerId": customer_id, "softLimitDollars": soft, "hardLimitDollars": hard}},
            idempotent=True,
        )

    def _outs(self, props: dict[str, Any], customer: dict[str, Any], soft: Any, hard: Any) -> dict[str, Any]:
        return {
            **self.given(props),
            "softLimitDollars": soft,
            "hardLimitDollars": hard,
            "customerId": customer["id"],
            "workspaceId": customer.get("workspaceId"),
        }


def _customer(client: RailwayClient, project_id: str) -> dict[str, Any]:
    project = client.execute(ops.USAGE_LIMIT, {"projectId": project_id})["project"]
    workspace = project.get("workspace")
    if not workspace:
        raise ApiError(
            API, "RailwayUsageLimit", f"project {project_id} belongs to no workspace, so it has no spend cap"
        )
    customer: dict[str, Any] = dict(workspace["customer"])
    customer["workspaceId"] = workspace["id"]
    return customer


class RailwayUsageLimit(RailwayResource, module="railway", name="UsageLimit"):
    @property
    def customer_id(self) -> pulumi.Output[str]:
        return self.output("customerId")

    def __init__(
        self,
        resource_name: str,
        *,
        project_id: pulumi.Input[str],
        soft_limit_dollars: pulumi.Input[int],
        hard_limit_dollars: pulumi.Input[int],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "projectId": project_id,
            "softLimitDollars": soft_limit_dollars,
            "hardLimitDollars": hard_limit_dollars,
            "customerId": None,
            "workspaceId": None,
        }
        super().__init__(UsageLimitProvider(), resource_name, props, opts)


# Project token ------------------------------------------------------------------------------


class ProjectTokenProvider(RailwayProvider):
    """A project token scoped to one environment (`projectTokenCreate`), for the deploy job.

    Railway shows a token's value once, at creation. A token of the same name left by a failed
    earlier attempt cannot be adopted (its value was never seen), so it is deleted and made anew.
    """

    inputs = ("projectId", "environmentId", "name")
    replace_on = inputs

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        client = self.client()
        for stale in self._matching(client, props):
            client.execute(ops.PROJECT_TOKEN_DELETE, {"id": stale["id"]}, idempotent=True)
        variables = {
            "input": {"projectId": props["projectId"], "environmentId": props["environmentId"], "name": props["name"]}
        }
        try:
            token = client.execute(ops.PROJECT_TOKEN_CREATE, variables)["projectTokenCreate"]
        except ApiError as error:
            if not error.ambiguous:
                raise
            for stale in self._matching(client, props):
                client.execute(ops.PROJECT_TOKEN_DELETE, {"id": stale["id"]}, idempotent=True)
            token = client.execute(ops.PROJECT_TOKEN_CREATE, variables)["projectTokenCreate"]
        return pulumi.dynamic.CreateResult(_token_id(props), {**self.given(props), "token": token})

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        def read() -> pulumi.dynamic.ReadResult:
            if not self._matching(self.client(), props):
                return self.gone()
            # The value cannot be read back; the state keeps the one seen at creation.
            return pulumi.dynamic.ReadResult(id_, {**self.given(props), "token": props.get("token")})

        return not_found_is_gone(read)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        try:
            matching = self._matching(client, props)
        except RailwayNotFoundError:
            return
        for token in matching:
            token_id: str = token["id"]

            def send(token_id: str = token_id) -> object:
                return client.execute(ops.PROJECT_TOKEN_DELETE, {"id": token_id}, idempotent=True)

            delete_unless_gone(send, lambda: bool(self._matching(client, props)))

    @staticmethod
    def _matching(client: RailwayClient, props: dict[str, Any]) -> list[dict[str, Any]]:
        listed = client.execute(ops.PROJECT_TOKENS, {"projectId": props["projectId"]})["projectTokens"]
        return [
            node
            for node in edges(listed)
            if node["name"] == props["name"] and node["environmentId"] == props["environmentId"]
        ]


def _token_id(props: dict[str, Any]) -> str:
    # projectTokenCreate answers with the token only; the (project, environment, name) triple is what
    # finds it again, and a name is unique to this stack.
    return f"{props['projectId']}/{props['environmentId']}/{props['name']}"


class RailwayProjectToken(RailwayResource, module="railway", name="ProjectToken"):
    token: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        project_id: pulumi.Input[str],
        environment_id: pulumi.Input[str],
        name: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"projectId": project_id, "environmentId": environment_id, "name": name, "token": None}
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["token"]))
        super().__init__(ProjectTokenProvider(), resource_name, props, opts)
