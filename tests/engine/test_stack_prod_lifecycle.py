"""The prod stack end to end under the real engine, with the policy pack, against fresh fake Railway and Supabase
APIs, as `pulumi up -s prod` runs it: `up` (the custom domain and the DNS records it exports, the reviewer teams
looked up, the backups environment), no plaintext secret in the state, `refresh`, `preview --expect-no-changes` and a
second `up` that change nothing, then `destroy`. Production's database is protected: `destroy` refuses and deletes
nothing, and a scratch prod stack is torn down the documented way, `pulumi state unprotect` of the database first.

The tests share one deployment (module fixture) and run in file order; the fixture tears the stack down if the
destroy test did not get to.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cost.test_model import settings_of
from tests.engine.fullstack import FullStack, stack_config
from tests.engine.lifecycle import (
    SECRET_SIG_KEY,
    SUPABASE_PROJECT_TYPE,
    Deployment,
    check_no_change_cycle,
    check_no_plaintext_secret,
    check_up_passes_the_pack,
    count,
    deployed,
    destroy_and_check_nothing_left,
)

pytestmark = pytest.mark.engine

STACK = "prod"
NAMESPACE = "converge-nps"
ENVIRONMENT_TYPE = "github:index/repositoryEnvironment:RepositoryEnvironment"
VARIABLE_TYPE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
SECRET_TYPE = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"


@pytest.fixture(scope="module")
def deployment(fullstack: FullStack, engine_report: dict[str, object]) -> Iterator[Deployment]:
    with deployed(fullstack, STACK, engine_report) as deployment:
        yield deployment


def _config(deployment: Deployment, key: str) -> Any:
    return stack_config(deployment.project, STACK)["config"][f"{NAMESPACE}:{key}"]


def _of_type(resources: list[dict[str, Any]], type_: str) -> list[dict[str, Any]]:
    return [r for r in resources if r["type"] == type_]


def test_up_creates_the_prod_stack(deployment: Deployment) -> None:
    railway, supabase = deployment.fakes.railway, deployment.fakes.supabase
    check_up_passes_the_pack(deployment)
    environment = _config(deployment, "environment")

    (project,) = railway.projects.values()
    assert project["name"] == f"converge-nps-{environment}"
    watchdog = ["watchdog"] if settings_of("prod").watchdog.enabled else []
    assert sorted(s["name"] for s in railway.services.values()) == ["backend", "redis", *watchdog]
    database = supabase.only_project()
    assert (database.name, database.organization_slug) == (
        project["name"],
        _config(deployment, "database")["organization"],
    )
    assert database.status == "ACTIVE_HEALTHY" and database.ssl_enforced

    # The custom domain, and the records the operator must create for it, as Railway asked for them.
    public_domain = _config(deployment, "backend")["publicDomain"]
    (domain,) = railway.custom_domains.values()
    assert domain["domain"] == public_domain
    outputs = deployment.pulumi("stack", "output", "--json").json()
    assert isinstance(outputs, dict)
    assert outputs["apiUrl"] == f"https://{public_domain}"
    asked = {(r["fqdn"], r["requiredValue"]) for r in domain["status"]["dnsRecords"]}
    assert asked and {(r["name"], r["value"]) for r in outputs["apiDnsRecords"]} == asked
    assert outputs["database"]["projectRef"] == database.ref
    assert outputs["railway"]["projectId"] == project["id"]

    resources = deployment.resources()
    by_name = {r["inputs"]["environment"]: r for r in _of_type(resources, ENVIRONMENT_TYPE)}
    # The deploy environment waits for the reviewer teams, looked up to numeric ids; admins cannot bypass them.
    deploy = by_name[environment]
    (reviewers,) = deploy["inputs"]["reviewers"]
    teams = reviewers["teams"]
    assert len(teams) == len(_config(deployment, "github")["reviewerTeams"]) and all(int(t) > 0 for t in teams)
    assert deploy["inputs"]["canAdminsBypass"] is False
    # The backups environment: its bucket, and the database URL as a secret.
    backups = f"{environment}-backups"
    assert backups in by_name
    variables = {
        r["inputs"]["variableName"]: r["inputs"]["value"]
        for r in _of_type(resources, VARIABLE_TYPE)
        if r["inputs"]["environment"] == backups
    }
    assert variables["BACKUP_S3_BUCKET"] == _config(deployment, "backups")["s3Bucket"]
    (url_secret,) = [
        r
        for r in _of_type(resources, SECRET_TYPE)
        if r["inputs"]["environment"] == backups and r["inputs"]["secretName"] == "BACKUP_DATABASE_URL"
    ]
    assert SECRET_SIG_KEY in json.dumps(url_secret["inputs"]["plaintextValue"])

    # Production's data: the Supabase project, and only it, is protected.
    (protected,) = deployment.protected()
    assert protected in {r["urn"] for r in _of_type(resources, SUPABASE_PROJECT_TYPE)}


def test_state_holds_no_secret_in_plaintext(deployment: Deployment) -> None:
    check_no_plaintext_secret(deployment)


def test_refresh_and_a_second_up_change_nothing(deployment: Deployment) -> None:
    check_no_change_cycle(deployment)


def test_destroy_stops_at_the_database_until_it_is_unprotected(deployment: Deployment) -> None:
    fakes, engine = deployment.fakes, deployment.engine
    (protected,) = deployment.protected()
    mark, standin = fakes.mark(), len(engine.standin_calls())
    refused = deployment.pulumi("destroy", "--yes", "--skip-preview", check=False)
    deployment.counts["destroy refused by protect"] = count(fakes, mark)
    assert refused.returncode != 0
    assert "protect" in refused.output and protected in refused.output
    # The engine deletes what does not hold the database up before it meets the protected project: production's
    # data survives, the rest of the stack does not.
    assert fakes.supabase.only_project().status == "ACTIVE_HEALTHY"
    assert fakes.railway.projects == {}
    assert [r["urn"] for r in deployment.resources() if r.get("protect")] == [protected]
    assert not any(c.method == "DELETE" and c.path.count("/") == 3 for c in fakes.calls_since(mark)[1])

    # A scratch prod stack: lift the protection, then destroy.
    deployment.pulumi("state", "unprotect", protected, "--yes")
    destroy_and_check_nothing_left(deployment, standin_since=standin)
