"""Contract: every request the Supabase client can send, and the response fields it reads, against the
official OpenAPI spec (openapi-core, spec loaded with its three known quirks patched in memory)."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from openapi_core import OpenAPI

from providers.supabase.client import SupabaseClient
from providers.supabase.compute import COMPUTE_SIZES, compute_variant
from providers.supabase.project import REGIONS
from providers.supabase.row_level_security import enable_rls_sql, rls_status_sql
from tests.supabase import spec
from tests.supabase.fake_api import TOKEN

REF = "abcdefghijklmnopqrst"
ORG = "converge-nps"

PROJECT = {
    "id": REF,
    "ref": REF,
    "organization_id": "org-1",
    "organization_slug": ORG,
    "name": "converge-nps-production",
    "region": "us-west-1",
    "created_at": "2026-11-27T00:00:00Z",
    "status": "ACTIVE_HEALTHY",
}
POOLER = {
    "identifier": REF,
    "database_type": "PRIMARY",
    "is_using_scram_auth": True,
    "db_user": f"postgres.{REF}",
    "db_host": "aws-0-us-west-1.pooler.supabase.com",
    "db_port": 6543,
    "db_name": "postgres",
    "connection_string": "postgresql://x",
    "connectionString": "postgresql://x",
    "default_pool_size": 15,
    "max_client_conn": 200,
    "pool_mode": "transaction",
}
SSL = {"currentConfig": {"database": True}, "appliedSuccessfully": True}
NETWORK = {
    "entitlement": "allowed",
    "config": {"dbAllowedCidrs": ["203.0.113.0/24"], "dbAllowedCidrsV6": []},
    "status": "applied",
}

# Each client method with example arguments and a response the spec allows (validated below too).
CALLS: dict[str, tuple[Callable[[SupabaseClient], Any], int, Any]] = {
    "get_organization": (
        lambda c: c.get_organization(ORG),
        200,
        {"id": "org-1", "name": "Converge", "plan": "pro", "opt_in_tags": [], "allowed_release_channels": ["ga"]},
    ),
    "list_organization_projects": (
        lambda c: c.list_organization_projects(ORG, search="converge-nps-production"),
        200,
        {"projects": [], "pagination": {"count": 0, "limit": 100, "offset": 0}},
    ),
    "create_project": (
        lambda c: c.create_project(
            name="converge-nps-production", organization_slug=ORG, region="us-west-1", db_pass="pw-0123456789"
        ),
        201,
        {**PROJECT, "status": "COMING_UP"},
    ),
    "get_project": (
        lambda c: c.get_project(REF),
        200,
        {
            **PROJECT,
            "database": {
                "host": f"db.{REF}.supabase.co",
                "version": "15.8.1",
                "postgres_engine": "15",
                "release_channel": "ga",
            },
        },
    ),
    "rename_project": (lambda c: c.rename_project(REF, "converge-nps-prod"), 200, {"id": 1, "ref": REF, "name": "x"}),
    "delete_project": (lambda c: c.delete_project(REF), 200, {"id": 1, "ref": REF, "name": "x"}),
    "update_database_password": (
        lambda c: c.update_database_password(REF, "new-password-1234"),
        200,
        {"message": "ok"},
    ),
    "list_addons": (lambda c: c.list_addons(REF), 200, {"selected_addons": [], "available_addons": []}),
    "apply_compute_addon": (lambda c: c.apply_compute_addon(REF, "ci_small"), 200, None),
    "remove_addon": (lambda c: c.remove_addon(REF, "ci_small"), 200, None),
    "get_pooler": (lambda c: c.get_pooler(REF), 200, [POOLER]),
    "update_pooler": (
        lambda c: c.update_pooler(REF, pool_mode="transaction", default_pool_size=20),
        200,
        {"default_pool_size": 20, "pool_mode": "transaction"},
    ),
    "list_organizations": (
        lambda c: c.list_organizations(),
        200,
        [{"id": "org-converge-nps", "slug": "converge-nps", "name": "Converge NPS"}],
    ),
    "get_services_health": (
        lambda c: c.get_services_health(REF),
        200,
        [
            {"name": "db", "healthy": True, "status": "ACTIVE_HEALTHY"},
            {"name": "pooler", "healthy": False, "status": "UNHEALTHY", "error": '{"error":"not found"}'},
        ],
    ),
    "get_ssl_enforcement": (lambda c: c.get_ssl_enforcement(REF), 200, SSL),
    "set_ssl_enforcement": (lambda c: c.set_ssl_enforcement(REF, True), 200, SSL),
    "get_network_restrictions": (lambda c: c.get_network_restrictions(REF), 200, NETWORK),
    "apply_network_restrictions": (
        lambda c: c.apply_network_restrictions(REF, ["203.0.113.0/24"], ["2001:db8::/32"]),
        201,
        NETWORK,
    ),
    "run_query": (lambda c: c.run_query(REF, rls_status_sql(["public"]), read_only=True), 201, []),
    "list_api_keys": (
        lambda c: c.list_api_keys(REF),
        200,
        [{"name": "anon", "api_key": "eyJ.a", "type": "legacy"}, {"name": "service_role", "api_key": "eyJ.s"}],
    ),
    "list_backups": (
        lambda c: c.list_backups(REF),
        200,
        {"region": "us-west-1", "walg_enabled": True, "pitr_enabled": False, "backups": [], "physical_backup_data": {}},
    ),
}


def recording_client(status: int, body: Any, seen: list[httpx.Request]) -> SupabaseClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body) if body is not None else httpx.Response(status)

    return SupabaseClient.from_environment(transport=httpx.MockTransport(handler))


def sent(request: httpx.Request) -> tuple[str, str, dict[str, Any], Any]:
    body = json.loads(request.content) if request.content else None
    # A repeated key is an array parameter (`services=db&services=pooler`).
    query = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(request.url.query.decode()).items()}
    return request.method, request.url.path, query, body


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPABASE_ACCESS_TOKEN", TOKEN)
    monkeypatch.delenv("SUPABASE_API_URL", raising=False)


def test_the_unpatched_spec_is_rejected_and_the_patched_one_loads() -> None:
    with pytest.raises(Exception, match="not valid|hideDefinitions|default"):
        OpenAPI.from_dict(spec.raw_spec())
    assert isinstance(spec.openapi(), OpenAPI)


def test_every_client_method_is_covered() -> None:
    # Every method that sends a request; the waits only repeat `get_project` and the like.
    methods = {
        name
        for name, member in inspect.getmembers(SupabaseClient, inspect.isfunction)
        if not name.startswith("_") and not name.startswith("wait_") and name != "from_environment"
    }
    assert methods == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_request_matches_the_spec(name: str) -> None:
    call, status, body = CALLS[name]
    seen: list[httpx.Request] = []
    call(recording_client(status, body, seen))
    assert len(seen) == 1, "each client method sends exactly one request"
    request = seen[0]
    assert request.url.host == "api.supabase.com" and request.url.scheme == "https"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    method, path, query, sent_body = sent(request)
    spec.validate_request(method, path, query, sent_body)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_example_response_matches_the_spec(name: str) -> None:
    call, status, body = CALLS[name]
    seen: list[httpx.Request] = []
    call(recording_client(status, body, seen))
    method, path, query, sent_body = sent(seen[0])
    spec.validate_response(method, path, status, body, query, sent_body)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"nme": "x", "organization_slug": ORG, "db_pass": "pw", "region": "us-west-1"}, "name"),
        ({"name": "x", "db_pass": "pw", "region": "us-west-1"}, "organization_slug"),
        ({"name": "x", "organization_slug": ORG, "db_pass": "pw", "region": "mars-1"}, "mars-1"),
        ({"name": "x", "organization_slug": ORG, "db_pass": "pw", "region": "us-west-1", "plan": "team"}, "team"),
    ],
)
def test_a_wrong_or_missing_field_fails_validation(body: dict[str, Any], problem: str) -> None:
    with pytest.raises(Exception) as raised:  # noqa: PT011 - openapi-core has several error types
        spec.validate_request("POST", "/v1/projects", None, body)
    assert problem in f"{raised.value} {raised.value.__cause__}"


@pytest.mark.parametrize(
    ("method", "path", "query", "body"),
    [
        (
            "PATCH",
            f"/v1/projects/{REF}/billing/addons",
            None,
            {"addon_type": "compute_instance", "addon_variant": "ci_nano"},
        ),
        ("PATCH", f"/v1/projects/{REF}/billing/addons", None, {"addon_variant": "ci_small"}),
        ("PUT", f"/v1/projects/{REF}/ssl-enforcement", None, {"requestedConfig": {"db": True}}),
        ("PATCH", f"/v1/projects/{REF}/config/database/pooler", None, {"default_pool_size": -1}),
        ("POST", f"/v1/projects/{REF}/database/query", None, {"sql": "select 1"}),
        ("GET", "/v1/projects/NOT-A-REF", None, None),
        ("GET", f"/v1/projects/{REF}/poolers", None, None),
        ("GET", f"/v1/organizations/{ORG}/projects", {"limit": "500"}, None),
    ],
)
def test_requests_the_spec_forbids_are_rejected(
    method: str, path: str, query: dict[str, str] | None, body: Any
) -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011 - openapi-core raises one of several error types
        spec.validate_request(method, path, query, body)


def test_a_client_that_misspells_a_field_fails_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    """The contract test above would catch a regression in the client: prove it with a broken body."""
    original = SupabaseClient._send

    def misspelled(self: SupabaseClient, operation: str, method: str, path: str, **kwargs: Any) -> Any:
        if kwargs.get("json") and "db_pass" in kwargs["json"]:
            kwargs["json"] = {("dbPass" if k == "db_pass" else k): v for k, v in kwargs["json"].items()}
        return original(self, operation, method, path, **kwargs)

    monkeypatch.setattr(SupabaseClient, "_send", misspelled)
    with pytest.raises(Exception, match="db_pass|dbPass"):
        test_request_matches_the_spec("create_project")


def test_an_answer_missing_a_required_field_fails_validation() -> None:
    without_status = {k: v for k, v in CALLS["create_project"][2].items() if k != "status"}
    with pytest.raises(Exception, match="status"):
        spec.validate_response("POST", "/v1/projects", 201, without_status, None, None)


def test_sql_bodies_are_valid_requests() -> None:
    for sql, read_only in ((enable_rls_sql(["public", "app"]), False), (rls_status_sql(["public"]), True)):
        body: dict[str, Any] = {"query": sql} | ({"read_only": True} if read_only else {})
        spec.validate_request("POST", f"/v1/projects/{REF}/database/query", None, body)


def _enum(schema: dict[str, Any]) -> set[str]:
    if "enum" in schema:
        return set(schema["enum"])
    return set().union(*(_enum(s) for s in schema.get("oneOf", [])))


def test_regions_are_the_specs() -> None:
    body = spec.raw_spec()["components"]["schemas"]["V1CreateProjectBody"]
    assert set(REGIONS) == _enum(body["properties"]["region"])


def test_every_paid_compute_size_has_an_add_on_variant() -> None:
    body = spec.raw_spec()["components"]["schemas"]["ApplyProjectAddonBody"]
    variants = _enum(body["properties"]["addon_variant"])
    assert {compute_variant(size) for size in COMPUTE_SIZES if size != "nano"} <= variants
    assert compute_variant("nano") not in variants, "nano is the baseline: no add-on to buy"


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec.raw_spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def response_field(method: str, path: str, status: str, field_path: str) -> dict[str, Any]:
    """The schema of `field_path` (dots; `[]` for array items) in the spec's response, or KeyError."""
    content = spec.operation(method, path)["responses"][status]["content"]["application/json"]
    schema = _resolve(content["schema"])
    for part in field_path.split("."):
        schema = _resolve(schema["items"]) if part == "[]" else _resolve(schema["properties"][part])
    return schema


# Every field the providers read from an answer: a misspelling here (or in the spec) fails this test.
FIELDS_READ = [
    ("get", "/v1/organizations/{slug}", "200", "plan"),
    ("get", "/v1/organizations/{slug}/projects", "200", "projects.[].name"),
    ("get", "/v1/organizations/{slug}/projects", "200", "projects.[].ref"),
    ("get", "/v1/organizations/{slug}/projects", "200", "projects.[].status"),
    ("get", "/v1/organizations/{slug}/projects", "200", "projects.[].region"),
    ("get", "/v1/organizations/{slug}/projects", "200", "pagination.count"),
    ("post", "/v1/projects", "201", "ref"),
    ("get", "/v1/projects/{ref}", "200", "status"),
    ("get", "/v1/projects/{ref}", "200", "name"),
    ("get", "/v1/projects/{ref}", "200", "region"),
    ("get", "/v1/projects/{ref}", "200", "organization_slug"),
    ("get", "/v1/projects/{ref}", "200", "created_at"),
    ("get", "/v1/projects/{ref}", "200", "database.host"),
    ("get", "/v1/projects/{ref}", "200", "database.version"),
    ("get", "/v1/projects/{ref}/billing/addons", "200", "selected_addons.[].type"),
    ("get", "/v1/projects/{ref}/billing/addons", "200", "selected_addons.[].variant.id"),
    ("get", "/v1/projects/{ref}/config/database/pooler", "200", "[].database_type"),
    ("get", "/v1/projects/{ref}/config/database/pooler", "200", "[].pool_mode"),
    ("get", "/v1/projects/{ref}/config/database/pooler", "200", "[].default_pool_size"),
    ("get", "/v1/projects/{ref}/config/database/pooler", "200", "[].max_client_conn"),
    ("get", "/v1/projects/{ref}/config/database/pooler", "200", "[].db_host"),
    ("get", "/v1/projects/{ref}/config/database/pooler", "200", "[].db_user"),
    ("get", "/v1/projects/{ref}/config/database/pooler", "200", "[].db_name"),
    ("get", "/v1/projects/{ref}/config/database/pooler", "200", "[].db_port"),
    ("patch", "/v1/projects/{ref}/config/database/pooler", "200", "pool_mode"),
    ("patch", "/v1/projects/{ref}/config/database/pooler", "200", "default_pool_size"),
    ("get", "/v1/projects/{ref}/ssl-enforcement", "200", "currentConfig.database"),
    ("get", "/v1/projects/{ref}/ssl-enforcement", "200", "appliedSuccessfully"),
    ("put", "/v1/projects/{ref}/ssl-enforcement", "200", "currentConfig.database"),
    ("put", "/v1/projects/{ref}/ssl-enforcement", "200", "appliedSuccessfully"),
    ("get", "/v1/projects/{ref}/network-restrictions", "200", "entitlement"),
    ("get", "/v1/projects/{ref}/network-restrictions", "200", "status"),
    ("get", "/v1/projects/{ref}/network-restrictions", "200", "config.dbAllowedCidrs"),
    ("get", "/v1/projects/{ref}/network-restrictions", "200", "config.dbAllowedCidrsV6"),
    ("post", "/v1/projects/{ref}/network-restrictions/apply", "201", "config.dbAllowedCidrs"),
    ("post", "/v1/projects/{ref}/network-restrictions/apply", "201", "config.dbAllowedCidrsV6"),
    ("get", "/v1/projects/{ref}/api-keys", "200", "[].name"),
    ("get", "/v1/projects/{ref}/api-keys", "200", "[].api_key"),
    ("get", "/v1/projects/{ref}/database/backups", "200", "walg_enabled"),
    ("get", "/v1/projects/{ref}/database/backups", "200", "pitr_enabled"),
    ("get", "/v1/projects/{ref}/database/backups", "200", "backups.[].status"),
    ("get", "/v1/projects/{ref}/database/backups", "200", "backups.[].inserted_at"),
    ("get", "/v1/projects/{ref}/database/backups", "200", "physical_backup_data.latest_physical_backup_date_unix"),
]


@pytest.mark.parametrize(("method", "path", "status", "field"), FIELDS_READ)
def test_fields_the_providers_read_are_in_the_spec(method: str, path: str, status: str, field: str) -> None:
    response_field(method, path, status, field)


def test_a_misspelled_field_is_not_found() -> None:
    with pytest.raises(KeyError):
        response_field("get", "/v1/projects/{ref}/database/backups", "200", "walg_enable")


def test_statuses_the_providers_wait_on_are_the_specs() -> None:
    from providers.supabase.provider import FAILED_STATUSES, GONE_STATUSES, HEALTHY

    statuses = set(response_field("get", "/v1/projects/{ref}", "200", "status")["enum"])
    assert {HEALTHY, "COMING_UP", *FAILED_STATUSES, *GONE_STATUSES} <= statuses
