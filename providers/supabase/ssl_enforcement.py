"""SSL enforcement on the project's database (`/ssl-enforcement`), confirmed with `appliedSuccessfully`.

A change restarts the database: the provider waits for the services to be healthy again before the
next resource touches the project.

Deleting the resource leaves enforcement as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import DiffResult

from providers.core.properties import properties
from providers.core.provider import Resource
from providers.supabase.provider import SettingProvider

if TYPE_CHECKING:
    from providers.supabase.client import SupabaseClient


class SslEnforcementProvider(SettingProvider):
    kind = "ssl-enforcement"
    inputs = ("projectRef", "enforced")
    outputs = ("appliedSuccessfully",)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = self.diff_of(olds, news)
        if not result.changes and olds.get("appliedSuccessfully") is False:
            result.changes = True
        return result

    def observe(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        return _ssl_state(ref, client.get_ssl_enforcement(ref))

    def converge(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        wanted = bool(props["enforced"])
        live = self.observe(client, ref, props)
        if live["enforced"] == wanted and live["appliedSuccessfully"]:
            return live
        state = _ssl_state(ref, client.set_ssl_enforcement(ref, wanted))
        if not (state["enforced"] == wanted and state["appliedSuccessfully"]):
            state = client.wait_for(
                f"project {ref}: SSL enforcement {'on' if wanted else 'off'}",
                lambda: self.observe(client, ref, props),
                lambda seen: seen["enforced"] == wanted and seen["appliedSuccessfully"],
            )
        client.wait_until_ready(ref, "restart after the SSL enforcement change")
        return state


def _ssl_state(ref: str, answer: dict[str, Any]) -> dict[str, Any]:
    return {
        "projectRef": ref,
        "enforced": bool((answer.get("currentConfig") or {}).get("database")),
        "appliedSuccessfully": bool(answer.get("appliedSuccessfully")),
    }


@dataclass
class SslEnforcementArgs:
    project_ref: pulumi.Input[str]
    enforced: pulumi.Input[bool] = True


class SupabaseSslEnforcement(Resource, module="supabase", name="SslEnforcement"):
    """SSL enforcement on the database (`pulumi-python:dynamic/supabase:SslEnforcement`)."""

    enforced: pulumi.Output[bool]
    applied_successfully: pulumi.Output[bool]

    def __init__(self, name: str, args: SslEnforcementArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(SslEnforcementProvider(), name, properties(args), opts)
