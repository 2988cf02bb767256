"""A Railway project token scoped to one environment (`projectTokenCreate`), for the deploy job.

Railway shows a token's value once, at creation. A token of the same name left by a failed earlier
attempt cannot be adopted (its value was never seen), so it is deleted and made anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult

from providers.core.errors import ApiError
from providers.core.properties import properties
from providers.core.provider import Resource, gone
from providers.railway import documents as ops
from providers.railway.provider import RailwayProvider, delete_unless_gone, edges

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient


class ProjectTokenProvider(RailwayProvider):
    inputs = ("projectId", "environmentId", "name")
    replace_on = inputs
    outputs = ("token",)
    secret_outputs = ("token",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        self._delete_matching(client, props)
        variables = {
            "input": {"projectId": props["projectId"], "environmentId": props["environmentId"], "name": props["name"]}
        }
        try:
            token = client.execute(ops.PROJECT_TOKEN_CREATE, variables)["projectTokenCreate"]
        except ApiError as error:
            if not error.ambiguous:
                raise
            self._delete_matching(client, props)
            token = client.execute(ops.PROJECT_TOKEN_CREATE, variables)["projectTokenCreate"]
        return CreateResult(_token_id(props), {**self.given(props), "token": token})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if not self._matching(self.client(), props):
            return gone()
        # The value cannot be read back; the state keeps the one seen at creation.
        return ReadResult(id_, {**self.given(props), "token": props.get("token")})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        for token in self._matching(client, props):
            token_id: str = token["id"]

            def send(token_id: str = token_id) -> object:
                return client.execute(ops.PROJECT_TOKEN_DELETE, {"id": token_id}, idempotent=True)

            delete_unless_gone(send, lambda: bool(self._matching(client, props)))

    def _delete_matching(self, client: RailwayClient, props: dict[str, Any]) -> None:
        for stale in self._matching(client, props):
            client.execute(ops.PROJECT_TOKEN_DELETE, {"id": stale["id"]}, idempotent=True)

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


@dataclass
class ProjectTokenArgs:
    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    name: pulumi.Input[str]


class RailwayProjectToken(Resource, module="railway", name="ProjectToken"):
    """An environment-scoped project token (`pulumi-python:dynamic/railway:ProjectToken`), secret."""

    token: pulumi.Output[str]

    def __init__(self, resource_name: str, args: ProjectTokenArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ProjectTokenProvider(), resource_name, properties(args), opts)
