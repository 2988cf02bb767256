"""SupabaseDatabase in the real `__main__.py` under mocks, for dev, staging and prod with the seed's plans."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from components.values import Secret, plain
from offline.program import ProgramRun, Registration
from settings.seed import BACKUP_RETENTION_DAYS_BY_PLAN, ENVIRONMENT_BY_STACK, PLAN_BY_ENVIRONMENT
from tests.cost.test_model import settings_of
from tests.doubles import run_stack, stack_config

StackRun = Callable[[str, bool], ProgramRun]
T = "pulumi-python:dynamic/supabase:"


# The seed: Free in dev, Pro in staging and prod (a rule of the settings); daily backups kept as long as the plan
# gives. The organization and compute size are the stack file's own.
def expected_database(stack: str) -> dict[str, Any]:
    environment = ENVIRONMENT_BY_STACK[stack]
    database = settings_of(stack).database
    return {
        "environment": environment,
        "plan": PLAN_BY_ENVIRONMENT[environment],
        "organization": database.organization,
        "compute": database.compute_size,
        "region": database.region,
        "retention": BACKUP_RETENTION_DAYS_BY_PLAN[PLAN_BY_ENVIRONMENT[environment]],
    }


CHILDREN = ["Project", "Compute", "SslEnforcement", "Pooler", "RowLevelSecurity", "ApiKeys", "Backups"]


def database(run: ProgramRun) -> Registration:
    return run.one("converge:index:SupabaseDatabase", "database")


def child(run: ProgramRun, kind: str) -> Registration:
    (found,) = [r for r in run.children_of(database(run)) if r.type == T + kind]
    return found


def password(run: ProgramRun) -> str:
    return str(plain(run.one("random:index/randomPassword:RandomPassword", "database-db-password").outputs["result"]))


def test_the_database_has_every_piece_parented_to_it(stack: str, preview: bool, stack_run: StackRun) -> None:
    run = stack_run(stack, preview)
    kinds = sorted(r.type for r in run.children_of(database(run)))
    assert kinds == sorted([T + kind for kind in CHILDREN] + ["random:index/randomPassword:RandomPassword"])
    assert not run.of_type(T + "NetworkRestrictions"), "no CIDRs listed: no restriction"


def test_project_is_in_the_stacks_organization_with_the_seeds_plan(
    stack: str, preview: bool, stack_run: StackRun
) -> None:
    run, seed = stack_run(stack, preview), expected_database(stack)
    project = child(run, "Project")
    assert project.inputs["name"] == f"converge-nps-{seed['environment']}"
    assert project.inputs["organizationSlug"] == seed["organization"]
    assert project.inputs["plan"] == seed["plan"]
    assert project.inputs["region"] == seed["region"]
    assert project.inputs["postgresMajorVersion"] == 15
    assert isinstance(project.inputs["dbPass"], Secret)
    assert {"dbPass", "dbPassDigest"} <= set(project.additional_secret_outputs)
    assert child(run, "Compute").inputs["size"] == seed["compute"]
    assert child(run, "Backups").inputs["retentionDays"] == seed["retention"]
    pooler = child(run, "Pooler")
    assert (pooler.inputs["poolMode"], pooler.inputs["defaultPoolSize"]) == ("transaction", 15)
    assert child(run, "SslEnforcement").inputs["enforced"] is True
    assert child(run, "RowLevelSecurity").inputs["schemas"] == ["public"]
    for kind in CHILDREN[1:]:
        ref = child(run, kind).inputs["projectRef"]
        # Unknown until the project exists (preview), then the project's ref.
        assert not isinstance(ref, str) if preview else ref == project.outputs["ref"]


def test_settings_are_applied_one_after_another(stack: str, stack_run: StackRun) -> None:
    """Resizing restarts the database: SSL, pooler and RLS wait for it, in that order."""
    run = stack_run(stack, False)
    order = ["Project", "Compute", "SslEnforcement", "Pooler", "RowLevelSecurity"]
    for before, after in itertools.pairwise(order):
        assert child(run, before).urn in child(run, after).dependencies


def test_urls_are_secret_pooled_on_6543_and_session_on_5432(stack: str, stack_run: StackRun) -> None:
    run = stack_run(stack, False)
    ref = child(run, "Project").outputs["ref"]
    (secret,) = [
        r
        for r in run.of_type("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret")
        if r.inputs["secretName"] == "DATABASE_URL"
    ]
    assert isinstance(secret.inputs["plaintextValue"], Secret)
    direct = urlsplit(plain(secret.inputs["plaintextValue"]))
    assert (direct.scheme, direct.port, direct.path, direct.query) == (
        "postgresql",
        5432,
        "/postgres",
        "sslmode=require",
    )
    assert direct.username == f"postgres.{ref}" and direct.password == password(run)
    assert direct.hostname == "aws-0-us-west-1.pooler.supabase.com"

    backends = [
        r for r in run.resources if r.type.endswith("railway:Variables") and "DATABASE_URL" in str(plain(r.inputs))
    ]
    for variables in backends:  # once the Railway backend is in the program, it gets the pooled URL
        url = _find(plain(variables.inputs), "DATABASE_URL")
        assert not any(url in text for text in _plaintext(variables.inputs)), "DATABASE_URL must be secret"
        pooled = urlsplit(url)
        assert (pooled.port, pooled.query, pooled.username) == (6543, "sslmode=require", f"postgres.{ref}")
        assert pooled.password == password(run)


def _find(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        if key in value:
            return value[key]
        for item in value.values():
            if (found := _find(item, key)) is not None:
                return found
    return None


def _plaintext(value: Any) -> list[str]:
    """Every string of a registration that is not inside a Secret marker."""
    if isinstance(value, Secret):
        return []
    if isinstance(value, dict):
        return [text for item in value.values() for text in _plaintext(item)]
    if isinstance(value, list):
        return [text for item in value for text in _plaintext(item)]
    return [str(value)]


def test_no_password_or_api_key_in_plaintext_anywhere(stack: str, stack_run: StackRun) -> None:
    run = stack_run(stack, False)
    keys = child(run, "ApiKeys")
    assert {"anonKey", "serviceRoleKey"} <= set(keys.additional_secret_outputs)
    secrets = [password(run), str(keys.outputs["anonKey"]), str(keys.outputs["serviceRoleKey"])]
    for resource in run.resources:
        if resource.type == "random:index/randomPassword:RandomPassword":
            continue
        texts = _plaintext(resource.inputs) + (_plaintext(resource.outputs) if not resource.custom else [])
        for text in texts:
            assert not any(secret in text for secret in secrets), f"{resource.type} {resource.name}"
    for name, value in run.outputs.items():
        assert not any(secret in text for text in _plaintext(value) for secret in secrets), name


def test_serialized_providers_are_plain_and_hold_no_secret(stack: str, stack_run: StackRun) -> None:
    import base64

    run = stack_run(stack, False)
    for kind in CHILDREN:
        blob = child(run, kind).inputs["__provider"]
        assert isinstance(blob, str), "nothing secret is captured, so the provider is stored in the clear"
        raw = base64.b64decode(blob)
        assert password(run).encode() not in raw and b"providers.supabase" in raw


def test_operator_exports(stack: str, stack_run: StackRun) -> None:
    run, seed = stack_run(stack, False), expected_database(stack)
    exported = run.outputs["database"]
    assert not isinstance(exported, Secret)
    assert exported["projectRef"] == child(run, "Project").outputs["ref"]
    assert exported["region"] == seed["region"]
    assert exported["organization"] == seed["organization"]
    assert exported["plan"] == seed["plan"]
    assert exported["computeSize"] == seed["compute"]
    assert exported["postgresMajorVersion"] == 15
    assert exported["backupRetentionDays"] == seed["retention"]
    assert exported["backups"]["walgEnabled"] is (seed["retention"] > 0)


def test_preview_knows_the_shape_but_not_the_values(stack: str, stack_run: StackRun) -> None:
    run = stack_run(stack, True)
    # Nothing about the shape waits for the API: every resource is declared in preview too.
    assert len(run.children_of(database(run))) == len(CHILDREN) + 1
    assert "database" in run.outputs and child(run, "Project").inputs["plan"] == expected_database(stack)["plan"]
    assert not isinstance(child(run, "Pooler").inputs["projectRef"], str)


def test_listed_cidrs_add_network_restrictions() -> None:
    config = stack_config("prod")
    config["converge-nps:database"] = {**config["converge-nps:database"], "allowedCidrs": ["203.0.113.0/24"]}
    run = run_stack("prod", config=config)
    network = child(run, "NetworkRestrictions")
    assert network.inputs["allowedCidrs"] == ["203.0.113.0/24"]
    assert child(run, "SslEnforcement").urn in network.dependencies
    assert network.urn in child(run, "Pooler").dependencies


@pytest.mark.parametrize(
    ("stack", "change", "message"),
    [
        ("dev", {"plan": "pro"}, "development runs on the 'free' plan"),
        ("prod", {"computeSize": "nano"}, "runs micro or larger"),
        ("dev", {"computeSize": "micro"}, "'free' organization runs nano"),
        ("prod", {"postgresMajorVersion": 17}, "postgresMajorVersion"),
        ("prod", {"rlsSchemas": ["public; drop table x"]}, "not a plain PostgreSQL schema name"),
    ],
)
def test_settings_the_api_cannot_enforce_are_checked_before_anything_runs(
    stack: str, change: dict[str, Any], message: str
) -> None:
    import pulumi

    config = stack_config(stack)
    config["converge-nps:database"] = {**config["converge-nps:database"], **change}
    with pytest.raises(pulumi.RunError, match=message):
        run_stack(stack, config=config)
