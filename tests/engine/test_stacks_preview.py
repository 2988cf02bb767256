"""`pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json` of the real program, for
dev, staging and prod, with the real stack files (plus the stand-in secrets) on a local file backend: every stack
passes every policy, the Railway and Supabase providers check their inputs in the dynamic-provider host without
calling their APIs, and prod's reviewer team is looked up through the github data source. Each stack's preview time
is reported against the engine's floor (the one-resource program) of the same run."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from components import tokens
from components.watchdog_service.contract import DOCKERFILE, SERVICE_NAME
from cost.model import money
from cost.stack import estimate, sizes_from_settings
from settings.stacks import ENVIRONMENT_BY_STACK, PRODUCTION_STACK, STACKS
from tests.cost.test_model import settings_of
from tests.engine.fullstack import FullStack, policy_args, policy_results, summary
from tests.engine.harness import Result

pytestmark = pytest.mark.engine

# Prod's GitHub environments; only the deploy environment has reviewers (the backup one runs unattended).
PROD_REVIEWED = "production"


def _steps(preview: Result) -> list[dict[str, Any]]:
    document = preview.json()
    assert isinstance(document, dict)
    return list(document["steps"])


def _inputs(steps: list[dict[str, Any]], type_suffix: str) -> list[dict[str, Any]]:
    return [s["newState"]["inputs"] for s in steps if s["newState"]["type"].endswith(type_suffix)]


@pytest.mark.parametrize("stack", STACKS)
def test_stack_preview_passes_every_policy(
    fullstack: FullStack, engine_floor: Result, engine_report: dict[str, object], stack: str
) -> None:
    engine, project, fakes = fullstack.engine, fullstack.project, fullstack.fakes
    mark, standin = fakes.mark(), len(engine.standin_calls())

    # Two previews: the text one carries the policy results (the --json one does not), the --json one the steps.
    # The faster of the two is the stack's figure (the floor is the fastest of three).
    text = engine.pulumi(["preview", "--stack", stack, *policy_args(project, stack)], cwd=project, env=fakes.env())
    data = engine.pulumi(
        ["preview", "--stack", stack, "--json", *policy_args(project, stack)], cwd=project, env=fakes.env()
    )

    assert "converge-nps@v0.1.0 (local: " in text.output, "the policy pack did not run"
    results = policy_results(text.output)
    # Nothing but the cost table (advisory by design): no violation and no remediation either.
    assert [(r.level, r.policy) for r in results] == [("advisory", "cost-estimate")], results
    # The pack's cost table prices the registered resources; the model, the stack file's settings: they agree.
    monthly = money(estimate(sizes_from_settings(settings_of(stack))).monthly_usd)
    assert re.search(rf"^total\s+{re.escape(monthly)}\s", results[0].message, re.MULTILINE), results[0].message

    steps = _steps(data)
    assert set(summary(data)) == {"create"} and {s["op"] for s in steps} == {"create"}
    types = Counter(s["newState"]["type"] for s in steps)
    assert types[tokens.RAILWAY_SERVICE] == 3  # backend, redis and the watchdog
    # The watchdog's image is built from its own Dockerfile, which non-root-containers read and passed.
    images = {i["imageName"]: i["build"]["dockerfile"] for i in _inputs(steps, "docker:index/image:Image")}
    assert images[f"{settings_of(stack).watchdog.image_repository}:latest"] == DOCKERFILE
    (watchdog,) = [i for i in _inputs(steps, "railway:Service") if i["name"] == SERVICE_NAME]
    assert watchdog["numReplicas"] == 1
    assert types[tokens.SUPABASE_PROJECT] == 1
    # The uptime monitor of the backend's health check alerts by e-mail (and by Slack where a webhook is set,
    # which these stacks' stand-in secrets do not).
    assert types[tokens.UPTIMEROBOT_MONITOR] == 1
    assert [i["kind"] for i in _inputs(steps, "uptimerobot:AlertContact")] == ["email"]
    # Sentry: a backend and a frontend project, a client key (DSN) of each, and the critical-error alert.
    assert (types[tokens.SENTRY_PROJECT], types[tokens.SENTRY_CLIENT_KEY], types[tokens.SENTRY_ALERT]) == (2, 2, 1)
    assert sorted(i["platform"] for i in _inputs(steps, "sentry:Project")) == ["javascript-react", "node-express"]
    # Railway: the environment's observability dashboard with the seed's five metrics.
    (dashboard,) = _inputs(steps, "railway:ObservabilityDashboard")
    assert [item["name"] for item in dashboard["items"]] == ["CPU", "Memory", "Request rate", "Error rate", "Latency"]
    # The Supabase project's check ran in the provider host with the database password still unknown (a
    # RandomPassword): it passed, and the password stays a secret.
    (project_inputs,) = _inputs(steps, "supabase:Project")
    assert project_inputs["dbPass"] == "[secret]"
    assert project_inputs["name"] == f"converge-nps-{_environment(stack)}"

    # The production environment's reviewers are the devops team's numeric id, looked up by slug through
    # github:index/getTeam:getTeam in the preview; the other environments have none.
    environments = {i["environment"]: i for i in _inputs(steps, "repositoryEnvironment:RepositoryEnvironment")}
    for name, inputs in environments.items():
        if stack == PRODUCTION_STACK and name == PROD_REVIEWED:
            (reviewers,) = inputs["reviewers"]
            (team_id,) = reviewers["teams"]
            assert isinstance(team_id, int) and team_id > 0
            assert "users" not in reviewers
        else:
            assert "reviewers" not in inputs, name

    # A preview of a new stack needs nothing from Railway or Supabase, and the doubles record nothing.
    assert fakes.calls_since(mark) == ([], [])
    assert engine.standin_calls()[standin:] == []

    fastest = min(text, data, key=lambda r: r.seconds)
    engine_report[f"{stack} preview with the pack, seconds (fastest of 2)"] = round(fastest.seconds, 3)
    engine_report[f"{stack} preview / floor"] = round(fastest.seconds / engine_floor.seconds, 2)
    engine_report[f"{stack} preview, peak RSS MiB"] = round(max(text.peak_rss_kib, data.peak_rss_kib) / 1024, 1)


def _environment(stack: str) -> str:
    return ENVIRONMENT_BY_STACK[stack]
