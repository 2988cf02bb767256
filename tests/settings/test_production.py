"""Stacks are bound to their environments one to one; production's invariants are judged in one place."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.tokens import GITHUB_ENVIRONMENT
from policies.converge_policies import production_gate
from policies.converge_policies.stack_graph import Resource
from settings.errors import StackConfigError
from settings.loader import load_stack_settings
from settings.production import ProductionFacts, production_violations
from settings.seed import (
    DEPLOY_BRANCH_BY_ENVIRONMENT,
    ENVIRONMENT_BY_STACK,
    MIN_PRODUCTION_REPLICAS,
    PLAN_BY_ENVIRONMENT,
)
from settings.stacks import STACKS
from tests.settings.fixtures import NS, config, error_for

ENVIRONMENTS = list(DEPLOY_BRANCH_BY_ENVIRONMENT)
BRANCHES = list(DEPLOY_BRANCH_BY_ENVIRONMENT.values())


@pytest.mark.parametrize(("stack", "claimed"), list(itertools.product(STACKS, ENVIRONMENTS)))
def test_a_stack_deploys_only_its_own_environment(stack: str, claimed: str) -> None:
    own = ENVIRONMENT_BY_STACK[stack]
    # Everything else as the claimed environment would have it, so the claim is the only thing wrong.
    changes: dict[str, Any] = {"environment": claimed}
    if claimed == own:
        load_stack_settings(stack, config(stack, **changes), {})
        return
    error = error_for(stack, **changes)
    owner = next(s for s, e in ENVIRONMENT_BY_STACK.items() if e == claimed)
    assert (
        f"{NS}:environment: stack {stack!r} deploys {own!r}, not {claimed!r}, which belongs to stack {owner!r}"
        in str(error)
    )


@pytest.mark.parametrize(("stack", "branch"), list(itertools.product(STACKS, [*BRANCHES, "release"])))
def test_a_stack_deploys_only_its_own_branch(stack: str, branch: str) -> None:
    own = DEPLOY_BRANCH_BY_ENVIRONMENT[ENVIRONMENT_BY_STACK[stack]]
    if branch == own:
        load_stack_settings(stack, config(stack, deployBranch=branch), {})
        return
    error = error_for(stack, deployBranch=branch)
    assert error.keys == {f"{NS}:deployBranch"}
    assert f"deploys from {own!r}, not {branch!r}" in str(error)


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_a_stack_cannot_take_the_production_role(stack: str) -> None:
    production = {
        "environment": "production",
        "deployBranch": "main",
        "autoDeploy": False,
        "database": {"plan": "pro", "organization": "fixture-org", "computeSize": "micro"},
    }
    error = error_for(stack, **production)
    assert {f"{NS}:environment", f"{NS}:deployBranch"} <= error.keys


@pytest.mark.parametrize("stack", ["qa", "prod-copy", "Dev"])
def test_a_stack_bound_to_no_environment_is_refused(stack: str) -> None:
    with pytest.raises(StackConfigError) as caught:
        load_stack_settings(stack, config("dev"), {})
    assert f"stack {stack!r} is bound to no environment; the stacks are dev (development)" in str(caught.value)


FACTS = st.builds(
    ProductionFacts,
    auto_deploy=st.booleans(),
    has_reviewers=st.booleans(),
    prevent_self_review=st.booleans(),
    backups_scheduled=st.booleans(),
    rdb_snapshots=st.booleans(),
    append_only=st.booleans(),
    min_replicas=st.integers(1, 5),
)


def stack_values(stack: str, facts: ProductionFacts) -> dict[str, Any]:
    github: dict[str, Any] = {"repository": "app", "preventSelfReview": facts.prevent_self_review}
    if facts.has_reviewers:
        github["reviewerTeams"] = ["release-managers"]
    return config(
        stack,
        autoDeploy=facts.auto_deploy,
        github=github,
        **{
            "backups.scheduled": facts.backups_scheduled,
            "redis.rdbSnapshots": facts.rdb_snapshots,
            "redis.appendOnly": facts.append_only,
            "backend.minReplicas": facts.min_replicas,
            "backend.eventReplicas": 5,
            "backend.maxReplicas": 5,
        },
    )


@settings(max_examples=150, deadline=None)
@given(facts=FACTS, stack=st.sampled_from(STACKS))
def test_production_invariants_property(facts: ProductionFacts, stack: str) -> None:
    broken = set()
    if stack == "prod":
        broken |= {"autoDeploy"} if facts.auto_deploy else set()
        broken |= {"github.reviewerTeams"} if not facts.has_reviewers else set()
        broken |= {"github.preventSelfReview"} if not facts.prevent_self_review else set()
        broken |= {"backups.scheduled"} if not facts.backups_scheduled else set()
        broken |= {"backend.minReplicas"} if (facts.min_replicas or 0) < MIN_PRODUCTION_REPLICAS else set()
    # Every stack keeps Redis' RDB and AOF (seed); production states it again among its invariants.
    broken |= {"redis.rdbSnapshots"} if not facts.rdb_snapshots else set()
    broken |= {"redis.appendOnly"} if not facts.append_only else set()
    try:
        load_stack_settings(stack, stack_values(stack, facts), {})
    except StackConfigError as error:
        assert error.keys == {f"{NS}:{key}" for key in broken}, str(error)
    else:
        assert not broken


@settings(max_examples=100, deadline=None)
@given(facts=FACTS)
def test_settings_and_the_gate_judge_production_alike_property(facts: ProductionFacts) -> None:
    """The gate sees reviewers and self-review on the GitHub environment; its verdicts are the settings'."""
    seen = ProductionFacts(has_reviewers=facts.has_reviewers, prevent_self_review=facts.prevent_self_review)
    environment = Resource(
        type=GITHUB_ENVIRONMENT,
        urn="urn:pulumi:prod::converge-nps::github:index/repositoryEnvironment:RepositoryEnvironment::production",
        name="production",
        props={
            "environment": "production",
            "reviewers": [{"teams": [7], "users": []}] if facts.has_reviewers else [],
            "preventSelfReview": facts.prevent_self_review,
            "canAdminsBypass": False,
            "deploymentBranchPolicy": {"customBranchPolicies": True, "protectedBranches": False},
        },
    )
    policy = Resource(type="branch-policy", urn="urn:policy", name="p", props={"branchPattern": "main"})
    reported: list[str] = []
    production_gate.check_environment(environment, [policy], "main", lambda message, urn=None: reported.append(message))
    expected = [f"GitHub environment 'production' {v.rule}." for v in production_violations(seen)]
    assert reported == expected
    try:
        load_stack_settings("prod", stack_values("prod", seen_in_settings(facts)), {})
    except StackConfigError as error:
        for violation in production_violations(seen):
            assert f"{NS}:{violation.setting}: production {violation.rule}" in str(error)
    else:
        assert expected == []


def seen_in_settings(facts: ProductionFacts) -> ProductionFacts:
    """`facts` with everything the gate cannot see made valid."""
    return ProductionFacts(
        auto_deploy=False,
        has_reviewers=facts.has_reviewers,
        prevent_self_review=facts.prevent_self_review,
        backups_scheduled=True,
        rdb_snapshots=True,
        append_only=True,
        min_replicas=MIN_PRODUCTION_REPLICAS,
    )


def test_unknown_facts_are_not_judged() -> None:
    assert production_violations(ProductionFacts()) == []


def test_plans_follow_the_stacks_environment() -> None:
    for stack, environment in ENVIRONMENT_BY_STACK.items():
        other = next(p for p in ("free", "pro") if p != PLAN_BY_ENVIRONMENT[environment])
        compute = "nano" if other == "free" else "micro"
        database = {"plan": other, "organization": "fixture-org", "computeSize": compute}
        assert error_for(stack, database=database).keys == {f"{NS}:database.plan"}
