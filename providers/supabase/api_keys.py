"""The project's `anon` and `service_role` keys (`GET .../api-keys?reveal=true`), read-only.

Create, update and refresh read; delete does nothing. The keys are secret outputs: the state holds
them only encrypted, and they are never logged or exported in plaintext.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from providers.core.properties import properties
from providers.core.provider import Resource
from providers.supabase.errors import SupabaseError
from providers.supabase.provider import SupabaseProvider


class ApiKeysProvider(SupabaseProvider):
    inputs = ("projectRef",)
    outputs = ("anonKey", "serviceRoleKey", "keyNames")
    secret_outputs = ("anonKey", "serviceRoleKey")

    def observe(self, ref: str) -> dict[str, Any]:
        keys = self.client().list_api_keys(ref)
        by_name = {str(key.get("name")): key.get("api_key") for key in keys}
        missing = [name for name in ("anon", "service_role") if not by_name.get(name)]
        if missing:
            raise SupabaseError(
                f"project {ref}: the API lists no {' or '.join(missing)} key (legacy API keys disabled?)"
            )
        return {
            "projectRef": ref,
            "anonKey": by_name["anon"],
            "serviceRoleKey": by_name["service_role"],
            "keyNames": sorted(by_name),
        }

    def create(self, props: dict[str, Any]) -> CreateResult:
        ref = props["projectRef"]
        return CreateResult(f"{ref}/api-keys", self.observe(ref))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.observe(news["projectRef"]))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, self.observe(props["projectRef"]))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


@dataclass
class ApiKeysArgs:
    project_ref: pulumi.Input[str]


class SupabaseApiKeys(Resource, module="supabase", name="ApiKeys"):
    """The project's API keys (`pulumi-python:dynamic/supabase:ApiKeys`), as secrets."""

    anon_key: pulumi.Output[str]
    service_role_key: pulumi.Output[str]

    def __init__(self, name: str, args: ApiKeysArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ApiKeysProvider(), name, properties(args), opts)
