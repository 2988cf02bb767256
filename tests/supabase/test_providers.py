"""Behaviour of the Supabase dynamic providers against the fake Management API on 127.0.0.1."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pulumi.output import Unknown
from pulumi.runtime import rpc

from providers.core import http
from providers.core.errors import ApiError, MissingCredentialsError
from providers.supabase.api_keys import ApiKeysProvider
from providers.supabase.backups import BackupsProvider
from providers.supabase.client import SERVICES
from providers.supabase.compute import ComputeProvider
from providers.supabase.errors import SupabaseError
from providers.supabase.network_restrictions import NetworkRestrictionsProvider
from providers.supabase.pooler import PoolerProvider
from providers.supabase.project import ProjectProvider, password_digest
from providers.supabase.row_level_security import RowLevelSecurityProvider
from providers.supabase.ssl_enforcement import SslEnforcementProvider
from tests.providers.engine import Declared, Engine
from tests.supabase.conftest import ORG_FREE, ORG_PRO
from tests.supabase.fake_api import FakeSupabase, Fault

PASSWORD = "Z9x-generated-password-0123456789"
NAME = "converge-nps-production"


def project_inputs(**overrides: Any) -> dict[str, Any]:
    return {
        "name": NAME,
        "organizationSlug": ORG_PRO,
        "region": "us-west-1",
        "dbPass": PASSWORD,
        "plan": "pro",
        "postgresMajorVersion": 15,
    } | overrides


def engine_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """The password as the engine hands it to the provider: wrapped as a secret (RandomPassword.result)."""
    return {**inputs, "dbPass": rpc.wrap_rpc_secret(inputs["dbPass"])}


def graph(
    project: dict[str, Any] | None = None,
    *,
    size: str = "micro",
    cidrs: list[str] | None = None,
    pool_size: int = 15,
    schemas: tuple[str, ...] = ("public",),
    retention: int = 7,
) -> list[Declared]:
    """The resources SupabaseDatabase declares, in dependency order."""
    ref = lambda s: s.out("project", "ref")  # noqa: E731
    declared = [
        Declared("project", ProjectProvider(), lambda s: engine_inputs(project or project_inputs())),
        Declared("compute", ComputeProvider(), lambda s: {"projectRef": ref(s), "size": size}),
        Declared("ssl", SslEnforcementProvider(), lambda s: {"projectRef": ref(s), "enforced": True}),
    ]
    if cidrs:
        declared.append(
            Declared("network", NetworkRestrictionsProvider(), lambda s: {"projectRef": ref(s), "allowedCidrs": cidrs})
        )
    declared += [
        Declared(
            "pooler",
            PoolerProvider(),
            lambda s: {"projectRef": ref(s), "poolMode": "transaction", "defaultPoolSize": pool_size},
        ),
        Declared("rls", RowLevelSecurityProvider(), lambda s: {"projectRef": ref(s), "schemas": list(schemas)}),
        Declared("api-keys", ApiKeysProvider(), lambda s: {"projectRef": ref(s)}),
        Declared("backups", BackupsProvider(), lambda s: {"projectRef": ref(s), "retentionDays": retention}),
    ]
    return declared


def test_full_lifecycle_and_call_counts(fake: FakeSupabase, capsys: pytest.CaptureFixture[str]) -> None:
    engine = Engine()
    declared = graph(cidrs=["203.0.113.0/24"])

    engine.up(declared)
    project = fake.only_project()
    assert project.status == "ACTIVE_HEALTHY" and project.password == PASSWORD
    assert project.ssl_enforced and project.v4 == ["203.0.113.0/24"] and project.v6 == []
    assert project.compute_variant == "ci_micro"
    first_up = list(fake.calls)

    fake.reset_calls()
    engine.up(declared)
    assert fake.calls == [], "a no-change up sends no request at all"
    assert {op for op, _ in engine.operations[-len(declared) :]} == {"same"}

    engine.refresh()
    refresh = list(fake.calls)
    assert not [call for call in refresh if call.writes], "refresh only reads"

    fake.reset_calls()
    engine.up(declared)
    assert fake.calls == [], "a no-change up after a refresh sends nothing either"

    with capsys.disabled():
        print(
            f"\nSupabase API calls, one stack with network restrictions: first up {len(first_up)} "
            f"({len([c for c in first_up if c.writes])} writes, {_polls(first_up)} status polls); "
            f"no-change up 0; refresh {len(refresh)} (0 writes)"
        )

    fake.reset_calls()
    engine.destroy()
    assert project.status == "REMOVED"
    assert project.v4 == ["0.0.0.0/0"] and project.v6 == ["::/0"], "deleting the restriction lifts it"


def _polls(calls: list[Any]) -> int:
    return len(
        [c for c in calls if c.method == "GET" and c.path.count("/") == 3 and c.path.startswith("/v1/projects/")]
    )


def test_first_up_call_counts_per_stack_shape(fake: FakeSupabase, capsys: pytest.CaptureFixture[str]) -> None:
    """Dev (Free, nano, no backups) and staging/prod (Pro, micro, 7 days) as the stack files declare them."""
    counts = {}
    for label, project, size, retention in (
        ("dev", project_inputs(name="converge-nps-development", organizationSlug=ORG_FREE, plan="free"), "nano", 0),
        ("prod", project_inputs(), "micro", 7),
    ):
        fake.reset_calls()
        engine, declared = Engine(), graph(project, size=size, retention=retention)
        engine.up(declared)
        first = len(fake.calls)
        writes = [f"{c.method} {c.path.split('/', 4)[-1]}" for c in fake.writes()]
        fake.reset_calls()
        engine.up(declared)
        assert fake.calls == []
        engine.refresh()
        counts[label] = (first, writes, len(fake.calls))
    # Project creation, SSL enforcement, the pool size (a new pooler has none) and the RLS statement are the
    # only writes; compute already fits.
    assert [w.split(" ")[0] for w in counts["dev"][1]] == ["POST", "PUT", "PATCH", "POST"]
    assert [w.split(" ")[0] for w in counts["prod"][1]] == ["POST", "PUT", "PATCH", "POST"]
    with capsys.disabled():
        for label, (first, writes, refresh) in counts.items():
            print(f"\n{label}: first up {first} calls (writes: {', '.join(writes)}); no-change up 0; refresh {refresh}")


def test_project_waits_from_coming_up_to_active_healthy(fake: FakeSupabase, sleeps: list[float]) -> None:
    fake.polls_until_healthy = 4
    created = ProjectProvider().create(project_inputs())
    assert created.outs is not None and created.outs["status"] == "ACTIVE_HEALTHY"
    statuses = [c.path for c in fake.calls if c.method == "GET" and c.path == f"/v1/projects/{created.id}"]
    assert len(statuses) == 5  # four COMING_UP answers, then ACTIVE_HEALTHY
    assert sleeps == [5.0] * 4, "polls are spaced by SUPABASE_POLL_INTERVAL"
    assert created.outs["databaseHost"] == f"db.{created.id}.supabase.co"
    assert created.outs["postgresVersion"].startswith("17.") and created.outs["postgresMajor"] == 17


def test_init_failed_is_a_clear_error(fake: FakeSupabase) -> None:
    fake.fail_init = True
    with pytest.raises(SupabaseError, match=r"INIT_FAILED.*delete it there, then run `pulumi up` again"):
        ProjectProvider().create(project_inputs())


def test_a_poll_interval_of_zero_is_refused_by_name(fake: FakeSupabase, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.polls_until_healthy = 10**6
    monkeypatch.setenv("SUPABASE_POLL_INTERVAL", "0")
    with pytest.raises(ApiError, match="SUPABASE_POLL_INTERVAL must be more than 0 seconds"):
        ProjectProvider().create(project_inputs())


def test_waiting_has_a_timeout(fake: FakeSupabase, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.polls_until_healthy = 10**6
    monkeypatch.setattr(http, "_sleep", time.sleep)
    monkeypatch.setenv("SUPABASE_POLL_INTERVAL", "0.05")
    monkeypatch.setenv("SUPABASE_WAIT_TIMEOUT", "0.3")
    started = time.monotonic()
    with pytest.raises(SupabaseError, match=r"still not done after 0.3s \(last seen: status COMING_UP\)"):
        ProjectProvider().create(project_inputs())
    assert time.monotonic() - started < 3


def test_429_waits_as_long_as_x_ratelimit_reset_says(fake: FakeSupabase, sleeps: list[float]) -> None:
    fake.fail(Fault("GET", r"/v1/organizations/[\w-]+", status=429, headers={"X-RateLimit-Reset": "7"}))
    ProjectProvider().create(project_inputs())
    assert sleeps[0] == 7.0
    assert [c.status for c in fake.calls[:2]] == [429, 200]


def test_429_on_create_is_retried_once_and_makes_one_project(fake: FakeSupabase, sleeps: list[float]) -> None:
    # A 429 means the API did not process the request, so even the non-idempotent create is retried.
    fake.fail(Fault("POST", "/v1/projects", status=429, headers={"X-RateLimit-Reset": "3"}))
    ProjectProvider().create(project_inputs())
    assert len(fake.projects) == 1 and 3.0 in sleeps


def test_5xx_then_success_on_a_read(fake: FakeSupabase, sleeps: list[float]) -> None:
    fake.fail(Fault("GET", r"/v1/organizations/[\w-]+/projects", status=503, times=2))
    created = ProjectProvider().create(project_inputs())
    assert created.id in fake.projects
    statuses = [c.status for c in fake.calls if c.path.endswith("/projects") and c.method == "GET"]
    assert statuses == [503, 503, 200]
    assert len(sleeps) >= 2 and all(0 < s <= 1.0 for s in sleeps[:2]), "bounded, jittered backoff"


def test_5xx_that_never_ends_fails_naming_the_endpoint(fake: FakeSupabase) -> None:
    fake.fail(Fault("GET", r"/v1/organizations/[\w-]+", status=502, body={"message": "upstream down"}, times=99))
    with pytest.raises(
        ApiError, match=r"get organization \(GET /v1/organizations/converge-nps\).*HTTP 502.*upstream down"
    ):
        ProjectProvider().create(project_inputs())
    assert len(fake.calls) == 5, "retries are bounded"


def test_timeout_on_a_read_is_retried(fake: FakeSupabase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPABASE_HTTP_TIMEOUT", "0.2")
    fake.fail(Fault("GET", r"/v1/organizations/[\w-]+", status=200, delay=0.6))
    created = ProjectProvider().create(project_inputs())
    assert created.id in fake.projects


def test_a_retried_create_adopts_the_project_a_lost_response_made(fake: FakeSupabase) -> None:
    # The API makes the project, then the answer is lost (5xx on a POST is ambiguous, so not retried).
    fake.fail(Fault("POST", "/v1/projects", status=502, apply_first=True))
    created = ProjectProvider().create(project_inputs())
    assert len(fake.projects) == 1
    assert created.id == fake.only_project().ref
    assert len([c for c in fake.calls if c.method == "POST" and c.path == "/v1/projects"]) == 1
    # Adopting sets the password, so the URLs built from it work whatever the lost attempt sent.
    assert [c.body for c in fake.calls if c.path.endswith("/database/password")] == [{"password": PASSWORD}]


def test_a_create_that_timed_out_is_adopted_on_the_next_up(fake: FakeSupabase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPABASE_HTTP_TIMEOUT", "0.3")
    fake.fail(Fault("POST", "/v1/projects", status=201, delay=0.8, apply_first=True))
    # The look before the create works; the look after the timeout meets an outage.
    fake.fail(Fault("GET", r"/v1/organizations/[\w-]+/projects", status=503, times=10, skip=1))
    with pytest.raises(ApiError, match="HTTP 503"):
        ProjectProvider().create(project_inputs())
    assert len(fake.projects) == 1
    fake.faults.clear()
    # The engine recorded nothing; the next `pulumi up` creates again and finds the project first.
    created = ProjectProvider().create(project_inputs())
    assert created.id == fake.only_project().ref and len(fake.projects) == 1


def test_an_ambiguous_failure_with_no_project_says_a_rerun_is_safe(fake: FakeSupabase) -> None:
    fake.fail(Fault("POST", "/v1/projects", status=500, body={"message": "internal error"}))
    with pytest.raises(ApiError, match=r"internal error; no project named .* `pulumi up` again is safe"):
        ProjectProvider().create(project_inputs())
    assert fake.projects == {}


def test_a_project_of_the_same_name_in_another_region_is_not_adopted(fake: FakeSupabase) -> None:
    ProjectProvider().create(project_inputs(region="eu-west-1"))
    with pytest.raises(SupabaseError, match="in region 'eu-west-1', not 'us-west-1'; it is not adopted"):
        ProjectProvider().create(project_inputs())


def test_the_organization_plan_is_checked_before_anything_is_created(fake: FakeSupabase) -> None:
    with pytest.raises(
        SupabaseError, match="organization 'converge-nps-free' is on the 'free' plan but the stack declares 'pro'"
    ):
        ProjectProvider().create(project_inputs(organizationSlug=ORG_FREE))
    assert fake.writes() == []


def test_a_new_project_on_the_platforms_newer_major_is_accepted_and_reported(fake: FakeSupabase) -> None:
    engine, declared = Engine(), graph()
    engine.up(declared)
    assert engine.out("project", "postgresVersion") == "17.6.1.011"
    assert engine.out("project", "postgresMajor") == 17
    engine.refresh()
    fake.reset_calls()
    engine.up(declared)
    assert fake.calls == [], "a major above the minimum is not drift: every later up changes nothing"


def test_a_postgres_major_below_the_minimum_fails_loudly(fake: FakeSupabase) -> None:
    fake.postgres_version = "15.8.1.085"
    with pytest.raises(SupabaseError, match=r"runs PostgreSQL 15.8.1.085, below the minimum major version 17"):
        ProjectProvider().create(project_inputs(postgresMajorVersion=17))


def test_a_project_downgraded_below_the_minimum_fails_the_next_up(fake: FakeSupabase) -> None:
    engine, declared = Engine(), graph()
    engine.up(declared)
    fake.only_project().postgres_version = "14.1.0.89"
    engine.refresh()
    with pytest.raises(SupabaseError, match=r"runs PostgreSQL 14.1.0.89, below the minimum major version 15"):
        engine.up(declared)


def test_a_paused_project_fails_at_once_saying_how_to_restore_it(fake: FakeSupabase) -> None:
    engine = Engine()
    engine.up(graph()[:1])
    fake.only_project().status = "INACTIVE"
    fake.reset_calls()
    with pytest.raises(SupabaseError, match=r"is paused \(INACTIVE\).*Restore it .*then run `pulumi up` again"):
        engine.up(graph(size="small"))
    assert len(fake.calls) <= 2, "no wait for a project that will not wake up by itself"


def test_adopting_a_paused_project_fails_at_once(fake: FakeSupabase) -> None:
    ProjectProvider().create(project_inputs())
    fake.only_project().status = "INACTIVE"
    fake.reset_calls()
    with pytest.raises(SupabaseError, match=r"is paused \(INACTIVE\)"):
        ProjectProvider().create(project_inputs())
    assert len([c for c in fake.calls if c.path == f"/v1/projects/{fake.only_project().ref}"]) == 1


def test_settings_wait_for_the_services_before_touching_the_project(fake: FakeSupabase) -> None:
    engine = Engine()
    engine.up(graph(cidrs=["203.0.113.0/24"]))
    settings = ("billing/", "ssl-enforcement", "network-restrictions", "config/", "database/query")
    # What follows /v1/projects/{ref}/ in each request's path.
    touched = [c.path.split("/", 4)[-1] if c.path.count("/") > 3 else "" for c in fake.calls]
    first_setting = next(i for i, what in enumerate(touched) if what.startswith(settings))
    assert "health" in touched[:first_setting], "the services are waited for before any setting is read"
    health = [c for c in fake.calls if c.path.endswith("/health")]
    assert all(c.query["services"] == list(SERVICES) for c in health)


def test_an_unhealthy_service_ends_the_wait_with_its_error(fake: FakeSupabase) -> None:
    engine = Engine()
    engine.up(graph()[:1])
    fake.only_project().broken = {"realtime": '{"error":"replication slot missing"}'}
    with pytest.raises(SupabaseError, match=r"service realtime is unhealthy: .*replication slot missing"):
        engine.up(graph()[:2])


def test_sql_after_an_ssl_change_waits_for_the_database_restart(fake: FakeSupabase) -> None:
    engine = Engine()
    engine.up(graph()[:2])
    fake.restart_polls_after_ssl = 4
    engine.up([d for d in graph() if d.name in ("project", "compute", "ssl", "rls")])
    paths = [c.path.rsplit("/", 1)[-1] for c in fake.calls]
    put = max(i for i, c in enumerate(fake.calls) if c.method == "PUT")
    assert paths[put + 1 :].count("health") >= 4, "the restart is waited for"
    assert fake.only_project().ssl_enforced and engine.out("rls", "tables") == []


def test_read_after_out_of_band_delete_drops_every_resource(fake: FakeSupabase) -> None:
    engine, declared = Engine(), graph()
    engine.up(declared)
    fake.only_project().status = "REMOVED"
    engine.refresh()
    assert engine.ids == {}
    assert [op for op, _ in engine.operations[-len(declared) :]] == ["gone"] * len(declared)


def test_region_change_replaces_and_name_change_updates(fake: FakeSupabase) -> None:
    provider = ProjectProvider()
    created = provider.create(project_inputs())
    olds = created.outs or {}
    moved = provider.diff(created.id, olds, project_inputs(region="eu-west-1"))
    assert moved.changes and moved.replaces == ["region"] and moved.delete_before_replace
    renamed = provider.diff(created.id, olds, project_inputs(name="converge-nps-prod"))
    assert renamed.changes and not renamed.replaces
    assert not provider.diff(created.id, olds, project_inputs()).changes

    fake.reset_calls()
    provider.update(created.id, olds, project_inputs(name="converge-nps-prod"))
    assert [f"{c.method} {c.path}" for c in fake.writes()] == [f"PATCH /v1/projects/{created.id}"]
    assert fake.only_project().name == "converge-nps-prod"


def test_password_is_write_only_and_a_new_one_is_patched(fake: FakeSupabase) -> None:
    provider = ProjectProvider()
    created = provider.create(project_inputs())
    olds = created.outs or {}
    assert PASSWORD not in str(olds)
    # The digest goes back marked secret, so the engine stores it encrypted.
    assert rpc.is_rpc_secret(olds["dbPassDigest"])
    assert rpc.unwrap_rpc_secret(olds["dbPassDigest"]) == password_digest(PASSWORD)
    news = project_inputs(dbPass="another-generated-password-42")
    assert provider.diff(created.id, olds, news).changes
    fake.reset_calls()
    updated = provider.update(created.id, olds, news)
    assert [c.path for c in fake.writes()] == [f"/v1/projects/{created.id}/database/password"]
    assert fake.only_project().password == "another-generated-password-42"
    assert "another-generated-password-42" not in str(updated.outs)


def test_unknown_password_in_preview_is_a_change(fake: FakeSupabase) -> None:
    created = ProjectProvider().create(project_inputs())
    for unknown in (rpc.UNKNOWN, Unknown(), rpc.wrap_rpc_secret(Unknown())):  # as the provider host may pass it
        news = project_inputs(dbPass=unknown)
        assert ProjectProvider().diff(created.id, created.outs or {}, news).changes
        assert not ProjectProvider().check({}, news).failures


def test_compute_resize_waits_for_the_restart_and_reads_back(fake: FakeSupabase) -> None:
    engine = Engine()
    engine.up(graph())
    fake.reset_calls()
    engine.up(graph(size="small"))
    assert ("update", "compute") in engine.operations
    assert fake.only_project().compute_variant == "ci_small" and fake.only_project().status == "ACTIVE_HEALTHY"
    assert [c.body for c in fake.writes()] == [{"addon_type": "compute_instance", "addon_variant": "ci_small"}]
    assert engine.out("compute", "size") == "small"


def test_compute_back_to_the_baseline_removes_the_add_on(fake: FakeSupabase) -> None:
    engine = Engine()
    engine.up(graph(size="small"))
    fake.reset_calls()
    engine.up(graph(size="nano"))
    assert [f"{c.method} {c.path.rsplit('/', 1)[-1]}" for c in fake.writes()] == ["DELETE ci_small"]


def test_compute_add_on_refused_on_free_is_an_error(fake: FakeSupabase) -> None:
    engine = Engine()
    dev = project_inputs(name="converge-nps-development", organizationSlug=ORG_FREE, plan="free")
    with pytest.raises(ApiError, match=r"apply compute add-on .*HTTP 400.*not available on the Free plan"):
        engine.up(graph(dev, size="micro", retention=0))


def test_pooler_update_sends_the_whole_configuration(fake: FakeSupabase) -> None:
    engine = Engine()
    engine.up(graph())
    fake.reset_calls()
    engine.up(graph(pool_size=25))
    assert [c.body for c in fake.writes()] == [{"pool_mode": "transaction", "default_pool_size": 25}]
    assert fake.only_project().pool_mode == "transaction", "a size change keeps the pool in transaction mode"
    assert engine.out("pooler", "defaultPoolSize") == 25
    assert engine.out("pooler", "dbPort") == 6543


def test_ssl_enforcement_waits_for_applied_successfully(fake: FakeSupabase) -> None:
    engine = Engine()
    engine.up(graph()[:1])
    fake.only_project().ssl_applies_after_polls = 2
    engine.up(graph()[:3])
    assert engine.out("ssl", "enforced") is True and engine.out("ssl", "appliedSuccessfully") is True
    # Read, PUT (answered appliedSuccessfully: false), then polled until it is true.
    assert [c.method for c in fake.calls if c.path.endswith("/ssl-enforcement")] == ["GET", "PUT", "GET"]


def test_ssl_enforcement_turned_off_outside_pulumi_is_drift(fake: FakeSupabase) -> None:
    engine, declared = Engine(), graph()
    engine.up(declared)
    fake.only_project().ssl_enforced = False
    engine.refresh()
    fake.reset_calls()
    engine.up(declared)
    assert ("update", "ssl") in engine.operations and fake.only_project().ssl_enforced
    assert [c.path.rsplit("/", 1)[-1] for c in fake.writes()] == ["ssl-enforcement"]


def test_network_restrictions_are_compared_as_networks(fake: FakeSupabase) -> None:
    engine = Engine()
    engine.up(graph(cidrs=["203.0.113.0/24", "2001:DB8::/32"]))
    assert fake.only_project().v6 == ["2001:db8::/32"]
    fake.reset_calls()
    engine.up(graph(cidrs=["2001:db8::/32", "203.0.113.0/24"]))
    assert fake.calls == []


def test_network_restrictions_not_allowed_by_the_plan_fail(fake: FakeSupabase) -> None:
    engine = Engine()
    engine.up(graph()[:1])
    fake.only_project().network_entitlement = "disallowed"
    with pytest.raises(SupabaseError, match="does not allow network restrictions"):
        engine.up(graph(cidrs=["203.0.113.0/24"])[:4])


def test_rls_is_enabled_on_every_table_and_lost_rls_is_drift(fake: FakeSupabase) -> None:
    engine, declared = Engine(), graph(schemas=("public", "app"))
    engine.up(declared[:1])
    project = fake.only_project()
    project.catalog = {"public": {"users": False, "events": True}, "app": {"audit": False}, "other": {"x": False}}
    engine.up(declared)
    assert project.catalog["public"] == {"users": True, "events": True} and project.catalog["app"]["audit"]
    assert project.catalog["other"]["x"] is False, "other schemas are left alone"
    assert engine.out("rls", "tables") == ["app.audit", "public.events", "public.users"]

    project.catalog["public"]["users"] = False  # someone ran ALTER TABLE ... DISABLE ROW LEVEL SECURITY
    engine.refresh()
    assert engine.out("rls", "tablesWithoutRls") == ["public.users"]
    fake.reset_calls()
    engine.up(declared)
    assert ("update", "rls") in engine.operations and project.catalog["public"]["users"]
    assert len(fake.writes()) == 1


def test_rls_read_back_failure_is_loud(fake: FakeSupabase, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine()
    engine.up(graph()[:1])
    fake.only_project().catalog = {"public": {"users": False}}
    monkeypatch.setattr(
        fake,
        "_query",
        lambda p, body: (
            201,
            []
            if "enable row level security" in body["query"]
            else [{"schema_name": "public", "table_name": "users", "rls_enabled": False}],
        ),
    )
    with pytest.raises(SupabaseError, match=r"RLS is still off on public.users after enabling it"):
        engine.up([d for d in graph() if d.name in ("project", "rls")])


def test_api_keys_and_backups_are_read_only(fake: FakeSupabase) -> None:
    engine = Engine()
    engine.up(graph())
    project = fake.only_project()
    assert engine.out("api-keys", "anonKey") == rpc.wrap_rpc_secret(project.anon_key)
    assert engine.out("api-keys", "serviceRoleKey") == rpc.wrap_rpc_secret(project.service_role_key)
    assert engine.out("backups", "walgEnabled") is True
    project.backups = [
        {"id": 1, "is_physical_backup": True, "status": "COMPLETED", "inserted_at": "2026-11-26T03:00:00.000Z"},
        {"id": 2, "is_physical_backup": True, "status": "FAILED", "inserted_at": "2026-11-27T03:00:00.000Z"},
    ]
    fake.reset_calls()
    engine.refresh()
    assert engine.out("backups", "lastBackupAt") == "2026-11-26T03:00:00.000Z"
    assert engine.out("backups", "completedBackups") == 1
    assert fake.writes() == []


def test_missing_daily_backups_on_pro_fail_loudly(fake: FakeSupabase) -> None:
    fake.walg_enabled = False
    with pytest.raises(SupabaseError, match="daily backups are off, but the stack's plan promises 7 days"):
        Engine().up(graph())


def test_missing_token_is_a_clear_error(fake: FakeSupabase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUPABASE_ACCESS_TOKEN")
    with pytest.raises(MissingCredentialsError, match="set SUPABASE_ACCESS_TOKEN"):
        ProjectProvider().create(project_inputs())
    assert fake.calls == []


def test_check_rejects_bad_inputs_before_any_call(fake: FakeSupabase) -> None:
    failures = ProjectProvider().check({}, project_inputs(region="mars-1", dbPass="x")).failures
    assert {f.property for f in failures} == {"region", "dbPass"}
    assert ComputeProvider().check({}, {"projectRef": "short", "size": "huge"}).failures
    assert RowLevelSecurityProvider().check({}, {"projectRef": "a" * 20, "schemas": ["public; drop"]}).failures
    assert NetworkRestrictionsProvider().check({}, {"projectRef": "a" * 20, "allowedCidrs": ["10.0.0.1/8"]}).failures
    assert fake.calls == []
