"""Supavisor, the shared pooler: pool mode and default pool size of the primary database, and where it
listens. The live value is read first; when any part differs, the whole configuration is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi

from providers.core.properties import properties
from providers.core.provider import Resource
from providers.supabase.errors import SupabaseError
from providers.supabase.provider import SettingProvider

if TYPE_CHECKING:
    from providers.supabase.client import SupabaseClient

# Property names and the pooler config's (`SupavisorConfigResponse`) for the same values.
_FIELDS = {
    "poolMode": "pool_mode",
    "defaultPoolSize": "default_pool_size",
    "maxClientConn": "max_client_conn",
    "dbHost": "db_host",
    "dbUser": "db_user",
    "dbName": "db_name",
    "dbPort": "db_port",
}


class PoolerProvider(SettingProvider):
    kind = "pooler"
    inputs = ("projectRef", "poolMode", "defaultPoolSize")
    outputs = ("maxClientConn", "dbHost", "dbUser", "dbName", "dbPort")

    def observe(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        entries = [e for e in client.get_pooler(ref) if e.get("database_type") == "PRIMARY"]
        if not entries:
            raise SupabaseError(f"project {ref}: the pooler config lists no PRIMARY database")
        # One entry per pool mode may be listed; the one in the wanted mode describes the pooled URL.
        entry = next((e for e in entries if e.get("pool_mode") == props.get("poolMode")), entries[0])
        return {"projectRef": ref, **{name: entry.get(field) for name, field in _FIELDS.items()}}

    def converge(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        live = self.observe(client, ref, props)
        # Numbers arrive from the engine as floats; the API wants an integer pool size.
        mode, size = str(props["poolMode"]), int(props["defaultPoolSize"])
        wanted: dict[str, Any] = {"poolMode": mode, "defaultPoolSize": size}
        if all(live[name] == value for name, value in wanted.items()):
            return live
        applied = client.update_pooler(ref, pool_mode=mode, default_pool_size=size)
        for name, value in wanted.items():
            if applied.get(_FIELDS[name]) != value:
                raise SupabaseError(
                    f"project {ref}: pooler {_FIELDS[name]} stayed {applied.get(_FIELDS[name])!r}, wanted {value!r}"
                )
        return {**live, **wanted}


@dataclass
class PoolerArgs:
    project_ref: pulumi.Input[str]
    pool_mode: pulumi.Input[str]
    default_pool_size: pulumi.Input[int]


class SupabasePooler(Resource, module="supabase", name="Pooler"):
    """Supavisor settings of the project (`pulumi-python:dynamic/supabase:Pooler`) and where it listens."""

    pool_mode: pulumi.Output[str]
    default_pool_size: pulumi.Output[int]
    db_host: pulumi.Output[str]
    db_user: pulumi.Output[str]
    db_name: pulumi.Output[str]
    db_port: pulumi.Output[int]

    def __init__(self, name: str, args: PoolerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(PoolerProvider(), name, properties(args), opts)
