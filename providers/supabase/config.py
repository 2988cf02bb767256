"""Settings of a Supabase project, each its own resource: compute size, pooler, SSL enforcement, network
restrictions. Each one reads the live value first and writes only what differs, so a no-change
`pulumi up` (and a create over a project already configured that way) sends no write.

Deleting one of these resources leaves the project as it is (except network restrictions, whose
removal means "no restriction"): the settings go with the project, and reverting them during a
replacement would restart the database for nothing.
"""

from __future__ import annotations

import contextlib
import ipaddress
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CreateResult, DiffResult, ReadResult, UpdateResult

from providers.supabase.client import NotFoundError, SupabaseClient
from providers.supabase.common import (
    SupabaseError,
    SupabaseProvider,
    gone,
    is_unknown,
    wait_for,
    wait_until_healthy,
)

# Compute sizes with a billing add-on variant (`ci_<size>`); nano is the baseline of a project with none.
BASELINE_COMPUTE = "nano"
COMPUTE_SIZES = (
    "nano",
    "micro",
    "small",
    "medium",
    "large",
    "xlarge",
    "2xlarge",
    "4xlarge",
    "8xlarge",
    "12xlarge",
    "16xlarge",
)
COMPUTE_ADDON = "compute_instance"
UNRESTRICTED_V4 = "0.0.0.0/0"
UNRESTRICTED_V6 = "::/0"


def compute_variant(size: str) -> str:
    return f"ci_{size}"


class _Settings(SupabaseProvider):
    """A project setting: create and update both converge the live value, read observes it."""

    def observe(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def converge(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def create(self, props: dict[str, Any]) -> CreateResult:
        ref = props["project_ref"]
        return CreateResult(f"{ref}/{self.kind}", self.converge(self.client(), ref, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            return ReadResult(id_, {**props, **self.observe(self.client(), props["project_ref"], props)})
        except NotFoundError:
            return gone()

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.converge(self.client(), news["project_ref"], news))

    kind = "setting"


class ComputeProvider(_Settings):
    """Compute size through the billing add-ons: `PATCH .../billing/addons` with `ci_<size>`, and
    `DELETE .../billing/addons/ci_<size>` to go back to the baseline (nano)."""

    kind = "compute"
    compared = ("size",)

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        size = news.get("size")
        if is_unknown(size) or size in COMPUTE_SIZES:
            return []
        return [CheckFailure("size", f"{size!r} is not a compute size ({', '.join(COMPUTE_SIZES)})")]

    def observe(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        addons = client.list_addons(ref)
        variant = next(
            (
                str(addon["variant"]["id"])
                for addon in addons.get("selected_addons", [])
                if addon.get("type") == COMPUTE_ADDON
            ),
            None,
        )
        size = variant.removeprefix("ci_") if variant else BASELINE_COMPUTE
        return {"project_ref": ref, "size": size, "variant": variant}

    def converge(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        wanted = props["size"]
        live = self.observe(client, ref, props)
        if live["size"] == wanted:
            return live
        if wanted == BASELINE_COMPUTE:
            client.remove_addon(ref, str(live["variant"]))
        else:
            client.apply_compute_addon(ref, compute_variant(wanted))
        # A resize restarts the database: the settings after this one wait for it to be healthy again.
        wait_until_healthy(client, ref, f"resize to {wanted}")
        after = self.observe(client, ref, props)
        if after["size"] != wanted:
            raise SupabaseError(
                f"project {ref}: asked for compute size {wanted!r}, the billing add-ons say {after['size']!r}. "
                "Free organizations cannot buy compute add-ons; check the organization's plan"
            )
        return after


class PoolerProvider(_Settings):
    """Supavisor, the shared pooler: pool mode and default pool size of the primary database."""

    kind = "pooler"
    compared = ("pool_mode", "default_pool_size")

    def observe(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        entries = [e for e in client.get_pooler(ref) if e.get("database_type") == "PRIMARY"]
        if not entries:
            raise SupabaseError(f"project {ref}: the pooler config lists no PRIMARY database")
        # One entry per pool mode may be listed; the one in the wanted mode describes the pooled URL.
        entry = next((e for e in entries if e.get("pool_mode") == props.get("pool_mode")), entries[0])
        return {
            "project_ref": ref,
            "pool_mode": entry.get("pool_mode"),
            "default_pool_size": entry.get("default_pool_size"),
            "max_client_conn": entry.get("max_client_conn"),
            "db_host": entry.get("db_host"),
            "db_user": entry.get("db_user"),
            "db_name": entry.get("db_name"),
            "db_port": entry.get("db_port"),
        }

    def converge(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        live = self.observe(client, ref, props)
        # Numbers arrive from the engine as floats; the API wants an integer pool size.
        wanted = {"pool_mode": str(props["pool_mode"]), "default_pool_size": int(props["default_pool_size"])}
        # Only what differs is sent: the pool mode of the shared pooler may not be writable on every plan.
        changes = {key: value for key, value in wanted.items() if live[key] != value}
        if not changes:
            return live
        applied = client.update_pooler(ref, changes)
        for key, value in changes.items():
            if applied.get(key) != value:
                raise SupabaseError(f"project {ref}: pooler {key} stayed {applied.get(key)!r}, wanted {value!r}")
        return {**live, **changes}


class SslEnforcementProvider(_Settings):
    """SSL enforcement on the database (`/ssl-enforcement`), confirmed with `appliedSuccessfully`."""

    kind = "ssl-enforcement"
    compared = ("enforced",)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        if not result.changes and olds.get("applied_successfully") is False:
            result.changes = True
        return result

    def observe(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        answer = client.get_ssl_enforcement(ref)
        return _ssl_state(ref, answer)

    def converge(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        wanted = bool(props["enforced"])
        live = self.observe(client, ref, props)
        if live["enforced"] == wanted and live["applied_successfully"]:
            return live
        state = _ssl_state(ref, client.set_ssl_enforcement(ref, wanted))
        if state["enforced"] == wanted and state["applied_successfully"]:
            return state
        result: dict[str, Any] = wait_for(
            f"project {ref}: SSL enforcement {'on' if wanted else 'off'}",
            lambda: self.observe(client, ref, props),
            lambda seen: seen["enforced"] == wanted and seen["applied_successfully"],
        )
        return result


def _ssl_state(ref: str, answer: dict[str, Any]) -> dict[str, Any]:
    return {
        "project_ref": ref,
        "enforced": bool((answer.get("currentConfig") or {}).get("database")),
        "applied_successfully": bool(answer.get("appliedSuccessfully")),
    }


class NetworkRestrictionsProvider(_Settings):
    """The CIDRs allowed to reach the database; deleting the resource lifts the restriction."""

    kind = "network-restrictions"
    compared = ("allowed_cidrs",)

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        cidrs = news.get("allowed_cidrs")
        if is_unknown(cidrs):
            return []
        failures = []
        for cidr in cidrs or []:
            try:
                ipaddress.ip_network(cidr, strict=True)
            except ValueError as error:
                failures.append(CheckFailure("allowed_cidrs", f"{cidr!r}: {error}"))
        if not cidrs:
            failures.append(CheckFailure("allowed_cidrs", "list at least one CIDR (or leave the resource out)"))
        return failures

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        cidrs = news.get("allowed_cidrs")
        canonical = cidrs if is_unknown(cidrs) or not cidrs else _canonical(cidrs)
        return super().diff(id_, olds, {**news, "allowed_cidrs": canonical})

    def observe(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        return _network_state(ref, client.get_network_restrictions(ref))

    def converge(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        wanted = _canonical(props["allowed_cidrs"])
        live = self.observe(client, ref, props)
        if live["entitlement"] == "disallowed":
            raise SupabaseError(f"project {ref}: the organization's plan does not allow network restrictions")
        if live["allowed_cidrs"] == wanted:
            return live
        ipv4, ipv6 = _split(wanted)
        state = _network_state(ref, client.apply_network_restrictions(ref, ipv4, ipv6))
        if state["allowed_cidrs"] != wanted:
            raise SupabaseError(f"project {ref}: network restrictions are {state['allowed_cidrs']}, wanted {wanted}")
        return state

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        with contextlib.suppress(NotFoundError):
            self.client().apply_network_restrictions(props["project_ref"], [UNRESTRICTED_V4], [UNRESTRICTED_V6])


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
        "project_ref": ref,
        "allowed_cidrs": _canonical(cidrs),
        "entitlement": answer.get("entitlement"),
        "status": answer.get("status"),
    }


@dataclass
class ComputeArgs:
    project_ref: pulumi.Input[str]
    size: pulumi.Input[str]


class SupabaseCompute(pulumi.dynamic.Resource, module="supabase", name="Compute"):
    """The project's compute size (`pulumi-python:dynamic/supabase:Compute`)."""

    size: pulumi.Output[str]
    variant: pulumi.Output[str | None]

    def __init__(self, name: str, args: ComputeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = {"project_ref": args.project_ref, "size": args.size, "variant": None}
        super().__init__(ComputeProvider(), name, props, opts)


@dataclass
class PoolerArgs:
    project_ref: pulumi.Input[str]
    pool_mode: pulumi.Input[str]
    default_pool_size: pulumi.Input[int]


class SupabasePooler(pulumi.dynamic.Resource, module="supabase", name="Pooler"):
    """Supavisor settings of the project (`pulumi-python:dynamic/supabase:Pooler`) and where it listens."""

    pool_mode: pulumi.Output[str]
    default_pool_size: pulumi.Output[int]
    db_host: pulumi.Output[str]
    db_user: pulumi.Output[str]
    db_name: pulumi.Output[str]
    db_port: pulumi.Output[int]

    def __init__(self, name: str, args: PoolerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = {
            "project_ref": args.project_ref,
            "pool_mode": args.pool_mode,
            "default_pool_size": args.default_pool_size,
            "max_client_conn": None,
            "db_host": None,
            "db_user": None,
            "db_name": None,
            "db_port": None,
        }
        super().__init__(PoolerProvider(), name, props, opts)


@dataclass
class SslEnforcementArgs:
    project_ref: pulumi.Input[str]
    enforced: pulumi.Input[bool] = True


class SupabaseSslEnforcement(pulumi.dynamic.Resource, module="supabase", name="SslEnforcement"):
    """SSL enforcement on the database (`pulumi-python:dynamic/supabase:SslEnforcement`)."""

    enforced: pulumi.Output[bool]
    applied_successfully: pulumi.Output[bool]

    def __init__(self, name: str, args: SslEnforcementArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = {"project_ref": args.project_ref, "enforced": args.enforced, "applied_successfully": None}
        super().__init__(SslEnforcementProvider(), name, props, opts)


@dataclass
class NetworkRestrictionsArgs:
    project_ref: pulumi.Input[str]
    allowed_cidrs: pulumi.Input[list[str]]


class SupabaseNetworkRestrictions(pulumi.dynamic.Resource, module="supabase", name="NetworkRestrictions"):
    """CIDRs allowed to connect to the database (`pulumi-python:dynamic/supabase:NetworkRestrictions`)."""

    allowed_cidrs: pulumi.Output[list[str]]
    entitlement: pulumi.Output[str]

    def __init__(self, name: str, args: NetworkRestrictionsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = {
            "project_ref": args.project_ref,
            "allowed_cidrs": args.allowed_cidrs,
            "entitlement": None,
            "status": None,
        }
        super().__init__(NetworkRestrictionsProvider(), name, props, opts)
