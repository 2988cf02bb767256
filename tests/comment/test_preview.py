"""One stack's preview from its events: counts, the changes listed, data loss, cost sides, failure."""

from __future__ import annotations

from decimal import Decimal

from ops.comment.events import parse
from ops.comment.preview import Cost, Figures, Missing, StackPreview, build, cost_of
from tests.comment.streams import (
    ENGINE_SECRET,
    RAILWAY_SERVICE,
    RAILWAY_VOLUME,
    STACK_TYPE,
    SUPABASE_PROJECT,
    Stream,
    dev_new,
    outputs,
    prod_resized,
    stack_urn,
)


def preview(stream: Stream, log_errors: tuple[str, ...] = ()) -> StackPreview:
    return build(stream.stack, parse(stream.lines()), log_errors)


def test_counts_are_the_logical_operations_and_a_replacement_counts_once() -> None:
    stream = Stream("prod")
    stream.step("same", STACK_TYPE, "converge-nps-prod")
    stream.step("create", RAILWAY_SERVICE, "worker")
    stream.step("update", RAILWAY_SERVICE, "backend")
    stream.replaced(SUPABASE_PROJECT, "database-project", keys=["region"])
    stream.step("delete", RAILWAY_VOLUME, "redis-volume")
    stream.step("read", RAILWAY_SERVICE, "looked-up")
    stream.summary("succeeded", {"same": 1, "create": 1, "update": 1, "replace": 1, "delete": 1})

    result = preview(stream)

    assert result.counts == {"same": 1, "create": 1, "update": 1, "replace": 1, "delete": 1}
    assert [(c.op, c.name, c.type, c.replace_keys) for c in result.changes] == [
        ("replace", "database-project", SUPABASE_PROJECT, ("region",)),
        ("delete", "redis-volume", RAILWAY_VOLUME, ()),
    ]
    assert [c.name for c in result.data_loss] == ["database-project", "redis-volume"]
    assert not result.failed


def test_replacing_or_deleting_other_resources_loses_no_data() -> None:
    stream = Stream("dev")
    stream.replaced(RAILWAY_SERVICE, "redis", keys=["name"])
    stream.step("delete", "pulumi-python:dynamic/railway:Deployment", "redis-deployment")
    stream.step("update", SUPABASE_PROJECT, "database-project")  # an update keeps the data
    result = preview(stream.summary("succeeded", {}))
    assert len(result.changes) == 2 and result.data_loss == ()


def test_baseline_is_what_is_deployed_and_new_what_the_program_exported_last() -> None:
    result = preview(prod_resized())
    assert isinstance(result.baseline, Cost) and isinstance(result.new, Cost)
    assert result.baseline.total == Figures(Decimal("135.15"), Decimal("285.15"))
    assert result.new.total == Figures(Decimal("185.15"), Decimal("285.15"))
    assert result.new.components["backend"] == Figures(Decimal("150.0"), Decimal("250.0"))
    assert result.new.budget == Decimal(285)


def test_a_new_stack_has_nothing_deployed() -> None:
    result = preview(dev_new())
    assert result.baseline == Missing("new stack: nothing deployed", nothing_deployed=True)
    assert isinstance(result.new, Cost) and result.new.total.deployed == Decimal("19.65")


def test_a_failed_program_leaves_no_new_cost_and_says_why() -> None:
    old = outputs({"backend": (15.0, 30.0)}, 20)
    stream = Stream("dev")
    stream.step("same", STACK_TYPE, "converge-nps-dev")
    # The engine repeats the deployed outputs as new when the program stops early.
    stream.stack_outputs(old, old).stack_outputs(old, old)
    stream.diagnostic("debug", "registering resource")
    stream.diagnostic("info", "chatter")
    stream.diagnostic("error", "invalid configuration for stack 'dev'")
    stream.diagnostic("warning", "deprecated key")
    result = preview(stream.summary("failed", {"same": 1}))

    assert result.failed and result.result == "failed"
    assert isinstance(result.baseline, Cost)
    assert result.new == Missing("the preview failed before the stack's new outputs were final")
    assert [(d.severity, d.message) for d in result.diagnostics] == [
        ("error", "invalid configuration for stack 'dev'"),
        ("warning", "deprecated key"),
    ]


def test_when_only_policies_fail_the_new_cost_is_the_programs() -> None:
    stream = prod_resized()
    del stream.records[-2:]  # reopened before its summary and closing event
    stream.policy("spending-cap", "mandatory", "over budget").diagnostic("error", "preview failed")
    result = preview(stream.summary("failed", {"same": 2, "update": 1}))
    assert result.failed and [v.policy for v in result.mandatory] == ["spending-cap"]
    assert isinstance(result.new, Cost) and result.new.total.deployed == Decimal("185.15")


def test_a_stream_without_summary_did_not_finish() -> None:
    stream = Stream("staging")
    stream.step("create", STACK_TYPE, "converge-nps-staging")
    result = preview(stream, log_errors=("getting stack configuration: incorrect passphrase",))
    assert result.result is None and result.failed
    assert result.baseline == result.new == Missing("the preview stopped before it read the stack's outputs")
    assert [d.message for d in result.diagnostics] == ["getting stack configuration: incorrect passphrase"]


def test_cost_of_outputs_that_do_not_carry_one() -> None:
    assert cost_of({}) == Missing("the `costEstimate` output is missing")
    assert cost_of({"costEstimate": "[secret]"}) == Missing("the `costEstimate` output is secret")
    assert cost_of({"costEstimate": {"monthlyUsd": None, "maxUsd": 3}}) == Missing(
        "the `costEstimate` output is malformed"
    )
    assert cost_of({"costEstimate": {"monthlyUsd": True, "maxUsd": 3}}) == Missing(
        "the `costEstimate` output is malformed"
    )
    bare = cost_of({"costEstimate": {"monthlyUsd": 1, "maxUsd": 2}, "budgetMonthlyUsd": ENGINE_SECRET})
    assert bare == Cost(total=Figures(Decimal(1), Decimal(2)), components={}, budget=None)


def test_policy_results_keep_their_resource() -> None:
    stream = Stream("prod").policy("tls-in-transit", "mandatory", "plaintext", resource=stack_urn("prod"))
    (violation,) = preview(stream.summary("failed", {})).violations
    assert (violation.policy, violation.level, violation.message) == ("tls-in-transit", "mandatory", "plaintext")
