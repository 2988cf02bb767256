"""A client key of a Sentry project (`POST /api/0/projects/{org}/{project}/keys/`), whose DSN the SDKs
are configured with.

Adopted by its name. The DSN is a secret output: it lets anyone send events to the project, so the
state holds it only encrypted. The key's secret half is never read into the state. Keys cannot move
between projects, and a new name is a new key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult

from providers.core.errors import ApiError
from providers.core.properties import properties
from providers.core.provider import Resource, create_or_adopt
from providers.sentry.errors import API
from providers.sentry.provider import SentryProvider


class ClientKeyProvider(SentryProvider):
    inputs = ("organization", "project", "name")
    replace_on = ("organization", "project", "name")
    outputs = ("keyId", "dsn")
    secret_outputs = ("dsn",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        organization, project = props["organization"], props["project"]

        def find() -> dict[str, Any] | None:
            named = [key for key in client.list_keys(organization, project) if key.get("name") == props["name"]]
            return named[0] if named else None

        key, _origin = create_or_adopt(
            find, lambda: client.create_key(organization, project, name=props["name"]), what="client key"
        )
        return CreateResult(str(key["id"]), self.observed(props, key))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        key = self.client().get_key(props["organization"], props["project"], id_)
        return ReadResult(id_, self.observed(props, key))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.client().delete_key(props["organization"], props["project"], id_)

    def observed(self, props: dict[str, Any], key: dict[str, Any]) -> dict[str, Any]:
        dsn = (key.get("dsn") or {}).get("public")
        if not dsn:
            raise ApiError(API, "read client key", f"key {key.get('id')} of {props['project']} has no public DSN")
        return {**self.given(props), "name": key.get("name"), "keyId": str(key["id"]), "dsn": dsn}


@dataclass
class ClientKeyArgs:
    organization: str
    project: pulumi.Input[str]
    name: str


class SentryClientKey(Resource, module="sentry", name="ClientKey"):
    """A Sentry client key (`pulumi-python:dynamic/sentry:ClientKey`); `dsn` is a secret."""

    key_id: pulumi.Output[str]
    dsn: pulumi.Output[str]

    def __init__(self, name: str, args: ClientKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ClientKeyProvider(), name, properties(args), opts)
