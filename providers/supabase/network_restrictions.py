"""The CIDRs allowed to reach the project's database; deleting the resource lifts the restriction."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, DiffResult

from providers.core.properties import is_unknown, properties
from providers.core.provider import Resource
from providers.supabase.errors import SupabaseError
from providers.supabase.provider import SettingProvider

if TYPE_CHECKING:
    from providers.supabase.client import SupabaseClient

UNRESTRICTED_V4 = "0.0.0.0/0"
UNRESTRICTED_V6 = "::/0"


class NetworkRestrictionsProvider(SettingProvider):
    kind = "network-restrictions"
    inputs = ("projectRef", "allowedCidrs")
    # A set of networks: the order in the stack file means nothing.
    unordered = ("allowedCidrs",)
    outputs = ("entitlement", "status")

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        failures = super().check_inputs(news)
        cidrs = news.get("allowedCidrs")
        if is_unknown(cidrs):
            return failures
        for cidr in cidrs or []:
            try:
                ipaddress.ip_network(cidr, strict=True)
            except ValueError as error:
                failures.append(CheckFailure("allowedCidrs", f"{cidr!r}: {error}"))
        if not cidrs:
            failures.append(CheckFailure("allowedCidrs", "list at least one CIDR (or leave the resource out)"))
        return failures

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        cidrs = news.get("allowedCidrs")
        canonical = cidrs if is_unknown(cidrs) or not cidrs else _canonical(cidrs)
        return self.diff_of(olds, {**news, "allowedCidrs": canonical})

    def observe(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        return _network_state(ref, client.get_network_restrictions(ref))

    def converge(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        wanted = _canonical(props["allowedCidrs"])
        live = self.observe(client, ref, props)
        if live["entitlement"] == "disallowed":
            raise SupabaseError(f"project {ref}: the organization's plan does not allow network restrictions")
        if live["allowedCidrs"] == wanted:
            return live
        ipv4, ipv6 = _split(wanted)
        state = _network_state(ref, client.apply_network_restrictions(ref, ipv4, ipv6))
        if state["allowedCidrs"] != wanted:
            raise SupabaseError(f"project {ref}: network restrictions are {state['allowedCidrs']}, wanted {wanted}")
        return state

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        self.client().apply_network_restrictions(props["projectRef"], [UNRESTRICTED_V4], [UNRESTRICTED_V6])


def _canonical(cidrs: list[Any]) -> list[str]:
    # The API may spell an IPv6 network differently from the stack file; compare the networks.
    return sorted(str(ipaddress.ip_network(str(c), strict=False)) for c in cidrs)


def _split(cidrs: list[str]) -> tuple[list[str], list[str]]:
    ipv4 = [c for c in cidrs if ipaddress.ip_network(c).version == 4]
    return ipv4, [c for c in cidrs if c not in ipv4]


def _network_state(ref: str, answer: dict[str, Any]) -> dict[str, Any]:
    config = answer.get("config") or {}
    cidrs = [*config.get("dbAllowedCidrs", []), *config.get("dbAllowedCidrsV6", [])]
    return {
        "projectRef": ref,
        "allowedCidrs": _canonical(cidrs),
        "entitlement": answer.get("entitlement"),
        "status": answer.get("status"),
    }


@dataclass
class NetworkRestrictionsArgs:
    project_ref: pulumi.Input[str]
    allowed_cidrs: pulumi.Input[list[str]]


class SupabaseNetworkRestrictions(Resource, module="supabase", name="NetworkRestrictions"):
    """CIDRs allowed to connect to the database (`pulumi-python:dynamic/supabase:NetworkRestrictions`)."""

    allowed_cidrs: pulumi.Output[list[str]]
    entitlement: pulumi.Output[str]

    def __init__(self, name: str, args: NetworkRestrictionsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NetworkRestrictionsProvider(), name, properties(args), opts)
