"""The comment's rules, checked on the rendered Markdown: the marker, the arithmetic of the cost tables, the
guardrail, the data-loss warning, every policy result, failures explained, nothing secret."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ops.comment.events import parse
from ops.comment.preview import StackPreview, build
from ops.comment.render import MARKER, MAX_DIAGNOSTICS, code, render
from tests.comment.markdown import table_after, tables, usd
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
)

COST_OVERVIEW = "### Monthly cost (USD)"


def preview(stream: Stream) -> StackPreview:
    return build(stream.stack, parse(stream.lines()))


def staging_shrunk() -> Stream:
    stream = Stream("staging")
    before = {"backend": (30.0, 60.0), "redis": (4.65, 4.65), "database": (25.0, 25.0)}
    after = {"backend": (15.0, 30.0), "redis": (4.65, 4.65), "database": (25.0, 25.0)}
    stream.step("update", RAILWAY_SERVICE, "backend")
    stream.stack_outputs(outputs(before, 60), outputs(after, 60))
    return stream.summary("succeeded", {"update": 1})


def cost_rows(comment: str) -> dict[str, list[Decimal | None]]:
    header, *rows = table_after(comment, COST_OVERVIEW)
    assert header[2:] == [
        "deployed replicas: baseline",
        "this PR",
        "difference",
        "maximum replicas: baseline",
        "this PR",
        "difference",
    ]
    return {row[0].strip("`*"): [usd(c) for c in row[1:]] for row in rows}


def test_the_marker_is_the_first_line() -> None:
    assert render([preview(dev_new())]).splitlines()[0] == MARKER


def test_difference_is_new_minus_baseline_and_totals_are_sums() -> None:
    comment = render([preview(dev_new()), preview(staging_shrunk()), preview(prod_resized())])
    rows = cost_rows(comment)
    stacks = ["dev", "staging", "prod"]
    assert list(rows) == [*stacks, "total"]
    for name, (_budget, *cells) in rows.items():
        for base, new, diff in (cells[0:3], cells[3:6]):
            assert base is not None and new is not None
            assert diff == new - base, name
    for column in range(7):
        assert rows["total"][column] == sum(rows[s][column] or 0 for s in stacks)
    # The fixtures' own figures: a new stack's baseline is nothing, staging shrank, prod grew.
    assert rows["dev"][1:4] == [0, Decimal("19.65"), Decimal("19.65")]
    assert rows["staging"][3] == Decimal(-15) and rows["prod"][3] == Decimal(50)


def test_each_stack_has_its_cost_by_component_summing_to_its_total() -> None:
    comment = render([preview(prod_resized())])
    _header, *rows = table_after(comment, "#### Cost by component")
    assert [r[0] for r in rows] == ["backend", "redis", "database", "**total**"]
    amounts = [[usd(c) for c in r[1:]] for r in rows]
    for column in range(6):
        assert amounts[-1][column] == sum(a[column] or 0 for a in amounts[:-1])
    assert amounts[0][:3] == [Decimal(100), Decimal(150), Decimal(50)]


def test_an_unknown_side_makes_its_difference_and_the_total_unknown() -> None:
    broken = Stream("dev")
    old = outputs({"backend": (15.0, 30.0)}, 20)
    broken.stack_outputs(old, old).diagnostic("error", "program crashed").summary("failed", {})
    rows = cost_rows(render([preview(broken), preview(prod_resized())]))
    assert rows["dev"][1:4] == [Decimal(15), None, None]
    assert rows["total"][1:4] == [Decimal("150.15"), None, None]  # the baseline still adds up


def test_a_guardrail_line_wherever_the_maximum_exceeds_the_budget() -> None:
    over = Stream("prod")
    over.stack_outputs(None, outputs({"backend": (100.0, 250.0), "redis": (10.15, 10.15), "database": (25, 25)}, 285))
    over.summary("succeeded", {})
    under = staging_shrunk()
    comment = render([preview(over), preview(under)])
    guards = [line for line in comment.splitlines() if "Guardrail" in line]
    assert guards == [
        "⚠️ **Guardrail, `prod`:** at the maximum replicas this PR's $285.15/month exceeds the budget of "
        "$285.00 by $0.15."
    ]

    comment = render([preview(dev_new()), preview(over)])  # dev's $34.65 over $20 too, so the sum is over
    guards = [line.split(":**")[0] for line in comment.splitlines() if "Guardrail" in line]
    assert guards == ["⚠️ **Guardrail, `dev`", "⚠️ **Guardrail, `prod`", "⚠️ **Guardrail, all stacks"]
    assert "all stacks:** at the maximum replicas this PR's $319.80/month exceeds the budget of $305.00 by $14.80" in (
        comment
    )


@pytest.mark.parametrize(
    ("type_", "loses"),
    [(SUPABASE_PROJECT, "PostgreSQL database"), (RAILWAY_VOLUME, "RDB and AOF files")],
)
@pytest.mark.parametrize("op", ["replace", "delete"])
def test_data_bearing_resources_replaced_or_deleted_get_a_loud_warning(op: str, type_: str, loses: str) -> None:
    stream = Stream("prod")
    if op == "replace":
        stream.replaced(type_, "the-data", keys=["region"])
    else:
        stream.step("delete", type_, "the-data")
    comment = render([preview(stream.summary("succeeded", {op: 1}))])
    warning = comment[comment.index("> [!CAUTION]") : comment.index("| stack |")]
    assert "**Data loss in `prod`.**" in warning and loses in warning and "`the-data`" in warning
    assert ("`region` changed" in warning) == (op == "replace")
    assert "🚨 **data loss**" in comment


def test_other_replacements_are_listed_without_a_warning() -> None:
    stream = Stream("prod").replaced(RAILWAY_SERVICE, "backend-deployment", keys=["image"])
    stream.step("delete", "pulumi-python:dynamic/railway:UsageLimit", "railway-usage-limit")
    comment = render([preview(stream.summary("succeeded", {"replace": 1, "delete": 1}))])
    assert "CAUTION" not in comment and "data loss" not in comment
    _header, *rows = table_after(comment, "#### Resource changes")
    assert [r[:4] for r in rows] == [
        ["replace", "`backend-deployment`", f"`{RAILWAY_SERVICE}`", "`image`"],
        ["delete", "`railway-usage-limit`", "`pulumi-python:dynamic/railway:UsageLimit`", "—"],
    ]
    assert "0 to create, 0 to update, 1 to replace, 1 to delete; 0 unchanged." in comment


def test_every_policy_result_shows_its_policy_level_and_message() -> None:
    stream = Stream("prod")
    stream.policy("cost-estimate", "advisory", "Monthly cost estimate.\ntotal $1")
    stream.policy("spending-cap", "mandatory", "Fits the budget.\nover by $9.65", resource=None)
    stream.policy("secrets", "remediate", "Marked secret.\nfixed")
    comment = render([preview(stream.summary("failed", {}))])
    section = comment[comment.index("#### Policy results") :]
    heads = [line for line in section.splitlines() if line.startswith("- **")]
    assert heads == [
        f"- **mandatory** `spending-cap` on `converge-nps-prod` (`{STACK_TYPE}`)",
        f"- **advisory** `cost-estimate` on `converge-nps-prod` (`{STACK_TYPE}`)",
        f"- **remediate** `secrets` on `converge-nps-prod` (`{STACK_TYPE}`)",
    ]
    for message in ("over by $9.65", "total $1", "fixed"):
        assert f"  {message}\n" in section
    # Blocking results are open; the others folded.
    assert section.index("spending-cap") < section.index("<details>") < section.index("cost-estimate")
    assert "**Why it failed:** 1 mandatory policy violation(s), below." in comment


def test_a_failed_preview_is_rendered_and_says_why() -> None:
    stream = Stream("dev")
    for n in range(MAX_DIAGNOSTICS + 3):
        stream.diagnostic("error", f"failure {n}")
    stream.diagnostic("error", "multi\nline")
    comment = render([preview(stream.summary("failed", {}))])
    assert comment.splitlines()[1] == "## Infrastructure preview: ❌ failed: `dev`"
    assert "### `dev`: ❌ failed" in comment and "**Why it failed:** the engine reported errors." in comment
    assert "- error: `failure 0`" in comment and f"failure {MAX_DIAGNOSTICS}" not in comment
    assert "- … and 4 more in the job log" in comment
    overview = tables(comment)[0]
    assert overview[1] == ["`dev`", "❌ failed", "0", "0", "0", "0", "0"]


def test_a_preview_that_did_not_finish_says_so() -> None:
    stream = Stream("prod")
    stream.step("create", SUPABASE_PROJECT, "database-project")
    comment = render([build("prod", parse(stream.lines()), ["no stack named 'prod' found"])])
    assert "### `prod`: ❌ did not finish" in comment
    assert "the event stream ends without the engine's summary" in comment
    assert "- error: `no stack named 'prod' found`" in comment
    assert "Planned before the preview stopped: 1 to create" in comment


def test_all_succeeded() -> None:
    comment = render([preview(dev_new()), preview(prod_resized())])
    assert comment.splitlines()[1] == "## Infrastructure preview: ✅ every preview succeeded"
    assert "Why it failed" not in comment


def test_nothing_of_a_resources_state_reaches_the_comment() -> None:
    stream = Stream("dev")
    stream.step("create", SUPABASE_PROJECT, "database-project", inputs={"dbPass": ENGINE_SECRET, "x": "hunter2"})
    stream.stack_outputs(None, {"costEstimate": ENGINE_SECRET, "databaseUrl": "postgresql://u:hunter2@h/db"})
    comment = render([preview(stream.summary("succeeded", {"create": 1}))])
    assert "hunter2" not in comment and "ciphertext" not in comment
    assert "`dev` this PR: the `costEstimate` output is secret." in comment


def test_markdown_in_names_and_messages_stays_text() -> None:
    assert code("a`b") == "``a`b``" and code("`x`") == "`` `x` ``"
    stream = Stream("dev").policy("p", "mandatory", "desc\n```\n# not a heading\n<!-- converge-nps:preview -->")
    comment = render([preview(stream.summary("failed", {}))])
    # The first line, and the message's copy inside its code block (CI matches the first line only).
    assert comment.count(MARKER) == 2
    block = comment[comment.index("  ````text") :]
    assert block.index("# not a heading") < block.index("  ````\n")
