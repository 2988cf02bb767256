"""Row-level security on every table of the application's schemas, through `POST .../database/query`.

Create and update run one idempotent statement that enables RLS wherever it is off, then read the
catalog back and fail if any table still has it off. Refresh reads the catalog: a table that lost RLS
(or one a migration added without it) is listed in `tablesWithoutRls`, which `diff` reports as a
change, so the next `pulumi up` turns RLS back on. Deleting the resource leaves RLS on.

RLS only denies by default; the policies that then allow access are the application's migrations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, CreateResult, DiffResult, ReadResult, UpdateResult

from providers.core.properties import is_unknown, properties
from providers.core.provider import Resource
from providers.supabase.errors import SupabaseError
from providers.supabase.provider import SupabaseProvider

if TYPE_CHECKING:
    from providers.supabase.client import SupabaseClient

_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")


def _schema_list(schemas: list[str]) -> str:
    # Names are checked against _SCHEMA_NAME first; quoting as literals is then belt and braces.
    return ", ".join("'" + schema.replace("'", "''") + "'" for schema in sorted(schemas))


def _tables_in(schemas: list[str]) -> str:
    # Ordinary and partitioned tables; views and foreign tables have no RLS of their own.
    return (
        "from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
        f"where c.relkind in ('r', 'p') and n.nspname in ({_schema_list(schemas)})"
    )


def enable_rls_sql(schemas: list[str]) -> str:
    """One statement that enables RLS on each table of `schemas` that has it off (a no-op otherwise)."""
    return (
        "do $converge_rls$\n"
        "declare t record;\n"
        "begin\n"
        "  for t in select n.nspname as schema_name, c.relname as table_name "
        f"{_tables_in(schemas)} and not c.relrowsecurity\n"
        "  loop\n"
        "    execute format('alter table %I.%I enable row level security', t.schema_name, t.table_name);\n"
        "  end loop;\n"
        "end\n"
        "$converge_rls$;"
    )


def rls_status_sql(schemas: list[str]) -> str:
    """Each table of `schemas` with whether RLS is on, from the catalog."""
    return (
        "select n.nspname as schema_name, c.relname as table_name, c.relrowsecurity as rls_enabled "
        f"{_tables_in(schemas)} order by 1, 2;"
    )


def observe_rls(client: SupabaseClient, ref: str, schemas: list[str]) -> dict[str, Any]:
    rows = client.run_query(ref, rls_status_sql(schemas), read_only=True)
    try:
        tables = [(f"{row['schema_name']}.{row['table_name']}", bool(row["rls_enabled"])) for row in rows]
    except KeyError as missing:
        raise SupabaseError(f"project {ref}: the RLS read-back answered rows without {missing}") from None
    return {
        "projectRef": ref,
        "schemas": sorted(schemas),
        "tables": [name for name, _on in tables],
        "tablesWithoutRls": [name for name, on in tables if not on],
    }


class RowLevelSecurityProvider(SupabaseProvider):
    inputs = ("projectRef", "schemas")
    # A set of schemas: the order in the stack file means nothing.
    unordered = ("schemas",)
    outputs = ("tables", "tablesWithoutRls")

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        failures = super().check_inputs(news)
        schemas = news.get("schemas")
        if is_unknown(schemas):
            return failures
        if not schemas:
            return [*failures, CheckFailure("schemas", "name at least one schema")]
        return failures + [
            CheckFailure("schemas", f"{schema!r} is not a plain PostgreSQL schema name")
            for schema in schemas
            if not isinstance(schema, str) or not _SCHEMA_NAME.match(schema)
        ]

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = self.diff_of(olds, news)
        if not result.changes and olds.get("tablesWithoutRls"):
            return DiffResult(changes=True, replaces=[], delete_before_replace=None)
        return result

    def _enforce(self, ref: str, schemas: list[str]) -> dict[str, Any]:
        client = self.client()
        # SQL sent while the database is still coming up (or restarting) fails.
        client.wait_until_ready(ref, "before enabling RLS")
        client.run_query(ref, enable_rls_sql(schemas), read_only=False)
        state = observe_rls(client, ref, schemas)
        if state["tablesWithoutRls"]:
            raise SupabaseError(
                f"project {ref}: RLS is still off on {', '.join(state['tablesWithoutRls'])} after enabling it"
            )
        return state

    def create(self, props: dict[str, Any]) -> CreateResult:
        ref = props["projectRef"]
        return CreateResult(f"{ref}/rls", self._enforce(ref, list(props["schemas"])))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._enforce(news["projectRef"], list(news["schemas"])))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, observe_rls(self.client(), props["projectRef"], list(props["schemas"])))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


@dataclass
class RowLevelSecurityArgs:
    project_ref: pulumi.Input[str]
    schemas: pulumi.Input[list[str]]


class SupabaseRowLevelSecurity(Resource, module="supabase", name="RowLevelSecurity"):
    """RLS on every table of the schemas (`pulumi-python:dynamic/supabase:RowLevelSecurity`)."""

    tables: pulumi.Output[list[str]]
    tables_without_rls: pulumi.Output[list[str]]

    def __init__(self, name: str, args: RowLevelSecurityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(RowLevelSecurityProvider(), name, properties(args), opts)
