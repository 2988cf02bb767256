"""The event-stream parser: typed events from the engine's lines, unknown kinds skipped, anything else refused."""

from __future__ import annotations

import json

import pytest

from ops.comment.events import (
    UNKNOWN,
    Diagnostic,
    Outputs,
    PolicyViolation,
    Step,
    StreamError,
    Summary,
    parse,
    reveal_nothing,
)
from tests.comment.streams import ENGINE_SECRET, STACK_TYPE, SUPABASE_PROJECT, Stream, stack_urn


def test_each_kind_becomes_its_typed_event_and_unknown_kinds_are_skipped() -> None:
    stream = Stream("prod")
    stream.event("someFutureEvent", {"anything": 1})
    stream.step("replace", SUPABASE_PROJECT, "database-project", keys=["region"])
    stream.stack_outputs({"budgetMonthlyUsd": 285}, {"budgetMonthlyUsd": 300})
    stream.policy("spending-cap", "mandatory", "over budget")
    stream.diagnostic("error", "boom", resource=stack_urn("prod"))
    stream.summary("failed", {"replace": 1})

    events = parse(stream.lines())

    assert events == [
        Step(
            op="replace",
            urn="urn:pulumi:prod::converge-nps::pulumi-python:dynamic/supabase:Project::database-project",
            type=SUPABASE_PROJECT,
            replace_keys=("region",),
        ),
        Outputs(urn=stack_urn("prod"), type=STACK_TYPE, old={"budgetMonthlyUsd": 285}, new={"budgetMonthlyUsd": 300}),
        PolicyViolation(
            urn=stack_urn("prod"), policy="spending-cap", pack="converge-nps", level="mandatory", message="over budget"
        ),
        Diagnostic(severity="error", message="boom\n", urn=stack_urn("prod")),
        Summary(result="failed", changes={"replace": 1}),
    ]


def test_blank_lines_are_skipped() -> None:
    text = Stream("dev").summary("succeeded", {}).text().replace("\n", "\n\n")
    assert parse(text.splitlines()) == [Summary(result="succeeded", changes={})]


def test_outputs_keep_no_secret_and_no_unknown() -> None:
    value = {"token": ENGINE_SECRET, "list": [ENGINE_SECRET, UNKNOWN, 3], "url": UNKNOWN, "plain": "x"}
    assert reveal_nothing(value) == {"token": "[secret]", "list": ["[secret]", None, 3], "url": None, "plain": "x"}

    stream = Stream("dev").stack_outputs(None, {"costEstimate": ENGINE_SECRET})
    (outputs,) = parse(stream.lines())
    assert isinstance(outputs, Outputs) and outputs.old is None
    assert outputs.new == {"costEstimate": "[secret]"}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        # The default `pulumi preview --json`: one indented document, not a stream.
        (json.dumps({"steps": [], "changeSummary": {}}, indent=2), "line 1 is not JSON"),
        ("Previewing update (dev):\n", "line 1 is not JSON"),
        ('{"steps": []}\n', "line 1 is not an engine event"),
        ('{"sequence": 1, "timestamp": 2}\n', "line 1 is not an engine event"),
        ("[1, 2]\n", "line 1 is not an engine event"),
        ('{"sequence": 0, "summaryEvent": []}\n', "line 1: summaryEvent is not an object"),
        ('{"sequence": 0, "resourcePreEvent": {"metadata": {"op": "create"}}}\n', "without a string 'urn'"),
        ('{"sequence": 0, "policyEvent": {"policyName": "p", "message": "m"}}\n', "'enforcementLevel'"),
        ('{"sequence": 0, "summaryEvent": {"result": "failed", "resourceChanges": {"create": "3"}}}\n', "malformed"),
    ],
)
def test_what_is_not_an_event_stream_is_refused_in_one_line(text: str, says: str) -> None:
    good = Stream("dev").summary("succeeded", {}).text()
    with pytest.raises(StreamError) as raised:
        parse((text + good).splitlines())
    message = str(raised.value)
    assert says in message and "\n" not in message


def test_a_bad_line_after_good_ones_is_named_by_its_number() -> None:
    lines = [*Stream("dev").lines(), "not json\n"]
    with pytest.raises(StreamError, match=r"^line 2 is not JSON"):
        parse(lines)
