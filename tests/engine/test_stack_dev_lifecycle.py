"""The dev stack end to end under the real engine, with the policy pack, against fresh fake Railway and Supabase APIs:
`pulumi up`; the state holds no secret in plaintext; `pulumi refresh`, `pulumi preview --expect-no-changes` and a
second `pulumi up` change nothing (the fakes' request logs and the stand-in plugins' call log show no mutation);
`pulumi destroy` leaves nothing on the fake servers. The API calls of each step are reported.

The tests share one deployment (module fixture) and run in file order; the fixture destroys the stack if the destroy
test did not get to.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.engine.fullstack import FullStack
from tests.engine.lifecycle import (
    Deployment,
    check_no_change_cycle,
    check_no_plaintext_secret,
    check_up_passes_the_pack,
    deployed,
    destroy_and_check_nothing_left,
)

pytestmark = pytest.mark.engine

STACK = "dev"


@pytest.fixture(scope="module")
def deployment(fullstack: FullStack, engine_report: dict[str, object]) -> Iterator[Deployment]:
    with deployed(fullstack, STACK, engine_report) as deployment:
        yield deployment


def test_up_creates_the_dev_stack(deployment: Deployment) -> None:
    railway, supabase = deployment.fakes.railway, deployment.fakes.supabase
    check_up_passes_the_pack(deployment)

    (project,) = railway.projects.values()
    assert project["name"] == "converge-nps-development"
    assert sorted(s["name"] for s in railway.services.values()) == ["backend", "redis", "watchdog"]
    (domain,) = railway.service_domains.values()
    assert [v["mountPath"] for v in railway.volume_instances.values()] == ["/data"]
    assert railway.usage_limit is None  # the workspace's limit is set by prod
    assert all(d["status"] == "SUCCESS" for d in railway.deployments.values())
    assert sorted(t["name"] for t in railway.tokens.values()) == ["github-actions-development", "watchdog-development"]
    database = supabase.only_project()
    assert (database.name, database.organization_slug) == ("converge-nps-development", "converge-nps-free")
    assert database.status == "ACTIVE_HEALTHY" and database.ssl_enforced

    outputs = deployment.pulumi("stack", "output", "--json").json()
    assert isinstance(outputs, dict)
    assert outputs["apiUrl"] == f"https://{domain['domain']}"
    assert outputs["database"]["projectRef"] == database.ref
    assert outputs["railway"]["projectId"] == project["id"]
    assert outputs["backendImage"].startswith("ghcr.io/converge-nps/backend@sha256:")


def test_state_holds_no_secret_in_plaintext(deployment: Deployment) -> None:
    check_no_plaintext_secret(deployment)


def test_refresh_and_a_second_up_change_nothing(deployment: Deployment) -> None:
    check_no_change_cycle(deployment)


def test_destroy_leaves_nothing_behind(deployment: Deployment) -> None:
    assert deployment.protected() == [], "nothing of a development stack is protected"
    destroy_and_check_nothing_left(deployment)
