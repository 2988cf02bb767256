"""A comparable description of a database's contents: tables, row counts, per-table checksums, RLS flags,
policies, indexes, constraints and sequences, plus the roles a restore needs.

The per-table checksum is order-independent: the md5 of each row's text form, summed as two 64-bit halves
(exact numeric sums, so duplicates count and no sort or large aggregate is needed), combined with the row
count. Session settings that change a row's text (time zone, date and float formats) are pinned, and
row_security is off so that a policy can never silently hide rows (PostgreSQL raises an error instead).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
from psycopg import sql

Conn = psycopg.Connection[tuple[Any, ...]]

_SESSION = (
    "SET TimeZone TO 'UTC'",
    "SET DateStyle TO 'ISO, YMD'",
    "SET IntervalStyle TO 'postgres'",
    "SET extra_float_digits TO 3",
    "SET bytea_output TO 'hex'",
    "SET row_security TO off",
)

_USER_SCHEMA = """
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp\\_%%'
    AND (cardinality(%(schemas)s::text[]) = 0 OR n.nspname = ANY(%(schemas)s::text[]))
"""

_NOT_EXTENSION_MEMBER = """
    NOT EXISTS (SELECT 1 FROM pg_depend d
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
"""


def _query(template: str) -> sql.Composed:
    """A catalogue query with {user_schema} and {not_extension_member} filled in (no user input)."""
    return sql.SQL(template).format(
        user_schema=sql.SQL(_USER_SCHEMA), not_extension_member=sql.SQL(_NOT_EXTENSION_MEMBER)
    )


# Catalogue queries of (qualified name, what must survive a restore unchanged), for `_named`.
_POLICIES = """
    SELECT p.schemaname || '.' || p.tablename || '.' || p.policyname,
           p.permissive || ' ' || p.cmd
           || ' TO ' || array_to_string(ARRAY(SELECT r FROM unnest(p.roles) AS r ORDER BY 1), ',')
           || ' USING (' || coalesce(p.qual, '') || ') WITH CHECK (' || coalesce(p.with_check, '') || ')'
    FROM pg_policies p JOIN pg_namespace n ON n.nspname = p.schemaname
    WHERE {user_schema}
"""
_INDEXES = """
    SELECT n.nspname || '.' || c.relname, pg_get_indexdef(c.oid)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('i', 'I') AND {user_schema} AND {not_extension_member}
"""
_CONSTRAINTS = """
    SELECT k.conrelid::regclass::text || '.' || k.conname, pg_get_constraintdef(k.oid)
    FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
    WHERE k.conrelid <> 0 AND {user_schema}
"""
_SEQUENCES = """
    SELECT s.schemaname || '.' || s.sequencename, s.last_value
    FROM pg_sequences s JOIN pg_namespace n ON n.nspname = s.schemaname
    WHERE {user_schema}
"""


def _named(conn: Conn, template: str, params: dict[str, Any]) -> dict[str, Any]:
    return {str(name): value for name, value in conn.execute(_query(template + " ORDER BY 1"), params).fetchall()}


@dataclass
class TableFingerprint:
    kind: str
    rows: int
    checksum: str
    rls: bool
    force_rls: bool


@dataclass
class Fingerprint:
    tables: dict[str, TableFingerprint] = field(default_factory=dict)
    policies: dict[str, str] = field(default_factory=dict)
    indexes: dict[str, str] = field(default_factory=dict)
    constraints: dict[str, str] = field(default_factory=dict)
    sequences: dict[str, int | None] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables.values())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> Fingerprint:
        """The inverse of `to_json`. A manifest is read from the bucket, so anything `to_json` would not have
        written raises ValueError naming the malformed part."""
        if not isinstance(data, dict):
            raise ValueError("it is not a JSON object")
        tables = _mapping(data, "tables", lambda v: isinstance(v, dict))
        return cls(
            tables={name: _table(name, t) for name, t in tables.items()},
            policies=_mapping(data, "policies", lambda v: isinstance(v, str)),
            indexes=_mapping(data, "indexes", lambda v: isinstance(v, str)),
            constraints=_mapping(data, "constraints", lambda v: isinstance(v, str)),
            sequences=_mapping(data, "sequences", lambda v: v is None or type(v) is int),
            roles=_strings(data.get("roles", []), "roles"),
        )


_TABLE_FIELDS: dict[str, type] = {"kind": str, "rows": int, "checksum": str, "rls": bool, "force_rls": bool}


def _mapping(data: dict[str, Any], part: str, valid: Callable[[object], bool]) -> dict[str, Any]:
    value = data.get(part, {})
    if not isinstance(value, dict) or not all(isinstance(k, str) and valid(v) for k, v in value.items()):
        raise ValueError(f"its {part} are malformed")
    return dict(value)


def _table(name: str, data: dict[str, Any]) -> TableFingerprint:
    # type() rather than isinstance(): a bool is an int, and a row count of `true` is not a count.
    if set(data) != set(_TABLE_FIELDS) or any(type(data[k]) is not t for k, t in _TABLE_FIELDS.items()):
        raise ValueError(f"its entry for table {name!r} is malformed")
    return TableFingerprint(**data)


def _strings(value: object, part: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"its {part} are not a list of names")
    return list(value)


def prepare_session(conn: Conn) -> None:
    for statement in _SESSION:
        conn.execute(statement)


def _user_tables(conn: Conn, schemas: Sequence[str]) -> list[tuple[str, str, str, bool, bool]]:
    """(schema, table, relkind, RLS enabled, RLS forced) of the tables pg_dump dumps, in name order."""
    rows = conn.execute(
        _query(
            """
        SELECT n.nspname, c.relname, c.relkind::text, c.relrowsecurity, c.relforcerowsecurity
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND {user_schema}
          AND {not_extension_member}
        ORDER BY 1, 2
        """
        ),
        {"schemas": list(schemas)},
    ).fetchall()
    return [(str(a), str(b), str(c), bool(d), bool(e)) for a, b, c, d, e in rows]


@dataclass(frozen=True)
class TableRows:
    name: str  # schema.table
    rows: int


def table_inventory(conn: Conn) -> list[TableRows]:
    """Every user table with its exact row count: what a restore over this database would replace."""
    result: list[TableRows] = []
    for schema, table, *_ in _user_tables(conn, ()):
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM ONLY {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        ).fetchone()
        result.append(TableRows(name=f"{schema}.{table}", rows=int(row[0]) if row else 0))
    return result


def take(conn: Conn, schemas: Sequence[str] = ()) -> Fingerprint:
    """Fingerprint the database `conn` is connected to (in its current transaction/snapshot, if any)."""
    prepare_session(conn)
    params = {"schemas": list(schemas)}
    fp = Fingerprint()
    for schema, name, kind, rls, force_rls in _user_tables(conn, schemas):
        count, low, high = _row_sums(conn, schema, name)
        checksum = hashlib.md5(f"{count}:{low}:{high}".encode(), usedforsecurity=False).hexdigest()
        fp.tables[f"{schema}.{name}"] = TableFingerprint(
            kind=kind, rows=count, checksum=checksum, rls=rls, force_rls=force_rls
        )

    fp.policies = _named(conn, _POLICIES, params)
    fp.indexes = _named(conn, _INDEXES, params)
    fp.constraints = _named(conn, _CONSTRAINTS, params)
    fp.sequences = {
        name: None if value is None else int(value) for name, value in _named(conn, _SEQUENCES, params).items()
    }
    fp.roles = required_roles(conn, schemas)
    return fp


def _row_sums(conn: Conn, schema: str, table: str) -> tuple[int, int, int]:
    query = sql.SQL(
        """
        SELECT count(*),
               coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0),
               coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0)
        FROM (SELECT md5(t::text) AS h FROM ONLY {}.{} AS t) AS rows
        """
    ).format(sql.Identifier(schema), sql.Identifier(table))
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def required_roles(conn: Conn, schemas: Sequence[str] = ()) -> list[str]:
    """Roles that own, are granted on, or are named by policies of the dumped objects."""
    rows = conn.execute(
        _query(
            """
        WITH objects AS (
            SELECT c.relowner AS owner, c.relacl AS acl FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {user_schema}
            UNION ALL
            SELECT n.nspowner, n.nspacl FROM pg_namespace n WHERE {user_schema}
            UNION ALL
            SELECT p.proowner, p.proacl FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {user_schema}
            UNION ALL
            SELECT t.typowner, t.typacl FROM pg_type t
              JOIN pg_namespace n ON n.oid = t.typnamespace WHERE {user_schema}
            UNION ALL
            SELECT d.defaclrole, d.defaclacl FROM pg_default_acl d
        ), role_ids AS (
            SELECT owner AS oid FROM objects
            UNION
            SELECT (aclexplode(acl)).grantee FROM objects WHERE acl IS NOT NULL
            UNION
            SELECT (aclexplode(acl)).grantor FROM objects WHERE acl IS NOT NULL
        ), names AS (
            SELECT r.rolname::text AS name FROM role_ids i JOIN pg_roles r ON r.oid = i.oid
            UNION
            SELECT unnest(p.roles)::text FROM pg_policies p
              JOIN pg_namespace n ON n.nspname = p.schemaname WHERE {user_schema}
        )
        SELECT name FROM names WHERE name <> 'public' AND name NOT LIKE 'pg\\_%%' ORDER BY 1
        """
        ),
        {"schemas": list(schemas)},
    ).fetchall()
    return [str(row[0]) for row in rows]


def compare(expected: Fingerprint, actual: Fingerprint) -> list[str]:
    """Human-readable differences; empty when the two databases hold the same things."""
    diffs: list[str] = []
    for name in sorted(expected.tables.keys() | actual.tables.keys()):
        want, got = expected.tables.get(name), actual.tables.get(name)
        if want is None:
            diffs.append(f"table {name}: not in the source, present after restore")
            continue
        if got is None:
            diffs.append(f"table {name}: missing after restore")
            continue
        if want.rows != got.rows:
            diffs.append(f"table {name}: {want.rows} rows in the source, {got.rows} after restore")
        elif want.checksum != got.checksum:
            diffs.append(f"table {name}: same row count ({want.rows}) but the rows differ (checksum)")
        if (want.rls, want.force_rls) != (got.rls, got.force_rls):
            diffs.append(
                f"table {name}: row level security enabled/forced {want.rls}/{want.force_rls} in the source, "
                f"{got.rls}/{got.force_rls} after restore"
            )
        if want.kind != got.kind:
            diffs.append(f"table {name}: kind {want.kind!r} in the source, {got.kind!r} after restore")
    for label, want_map, got_map in (
        ("policy", expected.policies, actual.policies),
        ("index", expected.indexes, actual.indexes),
        ("constraint", expected.constraints, actual.constraints),
        ("sequence", expected.sequences, actual.sequences),
    ):
        diffs += _compare_map(label, dict(want_map), dict(got_map))
    return diffs


def _compare_map(label: str, want: dict[str, object], got: dict[str, object]) -> list[str]:
    diffs: list[str] = []
    for name in sorted(want.keys() | got.keys()):
        if name not in got:
            diffs.append(f"{label} {name}: missing after restore")
        elif name not in want:
            diffs.append(f"{label} {name}: not in the source, present after restore")
        elif want[name] != got[name]:
            diffs.append(f"{label} {name}: {want[name]!r} in the source, {got[name]!r} after restore")
    return diffs
