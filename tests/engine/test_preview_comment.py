"""The PR comment (`python -m ops.comment`) from previews saved from the real engine, as CI runs them:
`PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1 pulumi preview --json` with the policy pack.

- a new stack (nothing deployed: no baseline);
- a prod stack `up`-ed against the fake APIs, then previewed with changed backend sizes, in event mode, with a
  database region that replaces the Supabase project, and with a stack file the program rejects;
- a dev stack whose config violates two mandatory policies.

Each comment is checked against the same preview's own summary (the engine's count of changes) and, for the deployed
stack, against its deployed outputs. With CONVERGE_PR_COMMENT_EXAMPLES set to a directory, the saved previews are
copied there (docs/pr-comment.md renders its examples from them).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ops.comment.__main__ import FAILED, OK, main
from ops.comment.events import Summary, parse
from ops.comment.preview import Cost, Missing, StackPreview, build
from settings.sources import PROJECT
from tests.comment.markdown import table_after, usd
from tests.engine.fullstack import (
    Fakes,
    FullStack,
    policy_args,
    running_fakes,
    stand_in_secrets,
    write_config_variant,
)
from tests.engine.harness import Engine

pytestmark = pytest.mark.engine

STREAMING = {"PULUMI_ENABLE_STREAMING_JSON_PREVIEW": "1"}
# The shared prod stack, deployed by this module and destroyed after it (a stack of another name is bound to no
# environment), so it is a new stack again, with nothing deployed, for the tests after these.
DEPLOYED = "prod"
EXAMPLES = os.environ.get("CONVERGE_PR_COMMENT_EXAMPLES")
SIZES = {f"{PROJECT}:backend": {"maxReplicas": 4, "memoryGbPerReplica": 2}}
EVENT_MODE = {f"{PROJECT}:eventMode": True}


@dataclass(frozen=True)
class Saved:
    events: Path
    stderr: Path
    returncode: int

    def preview(self, name: str) -> StackPreview:
        with self.events.open() as stream:
            return build(name, parse(stream))

    def summary(self) -> Summary:
        with self.events.open() as stream:
            (summary,) = [e for e in parse(stream) if isinstance(e, Summary)]
        return summary


def save_preview(
    engine: Engine, project: Path, stack: str, env: dict[str, str], dest: Path, *, pack: str, extra: list[str]
) -> Saved:
    """`pulumi preview` of `stack` as CI runs it, its stdout and stderr saved as CI saves them."""
    result = engine.pulumi(
        ["preview", "--stack", stack, "--json", *policy_args(project, pack), *extra],
        cwd=project,
        env={**env, **STREAMING},
        check=False,
    )
    events, stderr = dest.with_suffix(".jsonl"), dest.with_suffix(".stderr")
    events.write_text(result.stdout)
    stderr.write_text(result.stderr)
    if EXAMPLES:
        Path(EXAMPLES).mkdir(parents=True, exist_ok=True)
        shutil.copy(events, Path(EXAMPLES) / events.name)
    return Saved(events=events, stderr=stderr, returncode=result.returncode)


def comment(tmp_path: Path, name: str, saved: Saved) -> tuple[int, str]:
    """`python -m ops.comment` on one saved preview; no secret of the stack reaches the comment."""
    out = tmp_path / f"{name}.md"
    status = main(["--stack", f"{name}={saved.events}", "--log", f"{name}={saved.stderr}", "--output", str(out)])
    markdown = out.read_text()
    for key, value in stand_in_secrets().items():
        assert value not in markdown, key
    assert "ciphertext" not in markdown
    return status, markdown


def assert_counts_are_the_engines(preview: StackPreview, summary: Summary) -> None:
    """What the comment counts from the steps is what the engine counts in its summary."""
    assert dict(preview.counts) == dict(summary.changes)


def cost_row(markdown: str, stack: str) -> list[Decimal | None]:
    """The stack's row of the cost overview: budget, then baseline/new/difference at deployed and max replicas."""
    rows = table_after(markdown, "### Monthly cost (USD)")[1:]
    (row,) = [r for r in rows if r[0] == f"`{stack}`"]
    return [usd(c) for c in row[1:]]


def assert_differences_add_up(row: list[Decimal | None]) -> None:
    for base, new, diff in (row[1:4], row[4:7]):
        assert base is not None and new is not None and diff == new - base


def test_a_new_stacks_comment_has_no_baseline(fullstack: FullStack, tmp_path: Path) -> None:
    engine, project, fakes = fullstack.engine, fullstack.project, fullstack.fakes
    saved = save_preview(engine, project, "staging", fakes.env(), tmp_path / "staging-new", pack="staging", extra=[])
    assert saved.returncode == 0

    preview = saved.preview("staging")
    assert_counts_are_the_engines(preview, saved.summary())
    assert set(preview.counts) == {"create"} and preview.changes == ()
    assert preview.baseline == Missing("new stack: nothing deployed", nothing_deployed=True)
    assert isinstance(preview.new, Cost) and preview.new.budget is not None

    status, markdown = comment(tmp_path, "staging", saved)
    assert status == OK
    row = cost_row(markdown, "staging")
    assert row[1] == 0 and row[2] == row[3] == preview.new.total.deployed
    assert row[4] == 0 and row[5] == row[6] == preview.new.total.maximum


@dataclass(frozen=True)
class Deployed:
    engine: Engine
    project: Path
    fakes: Fakes
    outputs: dict[str, Any]

    def preview(self, changes: dict[str, Any], dest: Path) -> Saved:
        config = write_config_variant(self.project, DEPLOYED, changes, dest.with_suffix(".yaml"))
        return save_preview(
            self.engine,
            self.project,
            DEPLOYED,
            self.fakes.env(),
            dest,
            pack="prod",
            extra=["--config-file", str(config)],
        )


@pytest.fixture(scope="module")
def deployed(fullstack: FullStack) -> Iterator[Deployed]:
    """Prod's stack, `up`-ed against fresh fakes."""
    engine, project = fullstack.engine, fullstack.project
    with running_fakes() as fakes:
        env = fakes.env()
        try:
            engine.pulumi(
                ["up", "--stack", DEPLOYED, "--yes", "--skip-preview", *policy_args(project, "prod")],
                cwd=project,
                env=env,
            )
            outputs = engine.pulumi(["stack", "output", "--json", "--stack", DEPLOYED], cwd=project, env=env).json()
            assert isinstance(outputs, dict)
            yield Deployed(engine=engine, project=project, fakes=fakes, outputs=outputs)
        finally:
            # Prod's database is protected: unprotected first, as a team tearing down a scratch prod would.
            engine.pulumi(["state", "unprotect", "--all", "--yes", "--stack", DEPLOYED], cwd=project, check=False)
            engine.pulumi(
                ["destroy", "--stack", DEPLOYED, "--yes", "--skip-preview"], cwd=project, env=env, check=False
            )
        assert fakes.violations() == []


def assert_baseline_is_deployed(preview: StackPreview, outputs: dict[str, Any]) -> None:
    assert isinstance(preview.baseline, Cost)
    deployed = outputs["costEstimate"]
    assert preview.baseline.total.deployed == Decimal(str(deployed["monthlyUsd"]))
    assert preview.baseline.total.maximum == Decimal(str(deployed["maxUsd"]))
    assert preview.baseline.budget == Decimal(str(outputs["budgetMonthlyUsd"]))


def test_a_sizes_change_shows_its_updates_and_the_cost_difference(deployed: Deployed, tmp_path: Path) -> None:
    saved = deployed.preview(SIZES, tmp_path / "prod-sizes")
    assert saved.returncode == 0, saved.stderr.read_text()

    preview = saved.preview("prod")
    assert_counts_are_the_engines(preview, saved.summary())
    assert preview.counts.get("update", 0) >= 1 and "create" not in preview.counts
    assert preview.data_loss == ()
    assert_baseline_is_deployed(preview, deployed.outputs)
    assert isinstance(preview.new, Cost) and isinstance(preview.baseline, Cost)
    # More memory per replica costs more as deployed; one replica fewer at most costs less.
    assert preview.new.total.deployed > preview.baseline.total.deployed
    assert preview.new.total.maximum < preview.baseline.total.maximum

    status, markdown = comment(tmp_path, "prod", saved)
    assert status == OK
    row = cost_row(markdown, "prod")
    assert row[1:3] == [preview.baseline.total.deployed, preview.new.total.deployed]
    assert_differences_add_up(row)
    assert f"{preview.counts['update']} to update" in markdown


def test_event_mode_deploys_the_event_replicas(deployed: Deployed, tmp_path: Path) -> None:
    saved = deployed.preview(EVENT_MODE, tmp_path / "prod-event-mode")
    assert saved.returncode == 0, saved.stderr.read_text()

    preview = saved.preview("prod")
    assert_counts_are_the_engines(preview, saved.summary())
    assert preview.counts.get("update", 0) >= 1
    assert isinstance(preview.new, Cost) and isinstance(preview.baseline, Cost)
    # The same sizes at more replicas: the deployed figure grows, the ceiling stays.
    assert preview.new.total.deployed > preview.baseline.total.deployed
    assert preview.new.total.maximum == preview.baseline.total.maximum
    assert preview.new.components["backend"].deployed > preview.baseline.components["backend"].deployed
    assert preview.new.components["database"] == preview.baseline.components["database"]

    status, markdown = comment(tmp_path, "prod", saved)
    assert status == OK
    assert_differences_add_up(cost_row(markdown, "prod"))


def test_a_replaced_supabase_project_is_a_loud_warning(deployed: Deployed, tmp_path: Path) -> None:
    saved = deployed.preview({f"{PROJECT}:database": {"region": "us-east-1"}}, tmp_path / "prod-region")
    preview = saved.preview("prod")
    assert_counts_are_the_engines(preview, saved.summary())
    (loss,) = preview.data_loss
    assert (loss.op, loss.type, loss.replace_keys) == ("replace", "pulumi-python:dynamic/supabase:Project", ("region",))

    # Prod protects its database: the engine refuses the replacement, and the comment says why it failed.
    status, markdown = comment(tmp_path, "prod", saved)
    assert status == FAILED and preview.failed
    assert "as it is currently marked for protection" in markdown
    assert "> [!CAUTION]" in markdown and f"replaces `{loss.name}`" in markdown
    listed = {c.name for c in preview.changes}
    assert len(listed) == preview.counts["replace"] + preview.counts.get("delete", 0)
    assert all(f"`{name}`" in markdown for name in listed)


def test_a_program_that_fails_is_commented_with_its_error(deployed: Deployed, tmp_path: Path) -> None:
    saved = deployed.preview({f"{PROJECT}:frontendUrl": "http://converge-nps.com"}, tmp_path / "prod-invalid")
    assert saved.returncode != 0

    preview = saved.preview("prod")
    assert preview.result == "failed"
    assert_baseline_is_deployed(preview, deployed.outputs)
    assert preview.new == Missing("the preview failed before the stack's new outputs were final")

    status, markdown = comment(tmp_path, "prod", saved)
    assert status == FAILED
    assert (
        "must start with https://, not http://" in markdown
        and "`prod` this PR: the preview failed before the stack's new outputs were final." in markdown
    )
    assert cost_row(markdown, "prod")[2:4] == [None, None]


def test_mandatory_violations_fail_after_the_comment(fullstack: FullStack, tmp_path: Path) -> None:
    engine, project, fakes = fullstack.engine, fullstack.project, fullstack.fakes
    violating = {
        f"{PROJECT}:redis": {"image": "bitnami/redis:8.10.1"},  # patched, but not built here and not allow-listed
        f"{PROJECT}:budget": {"monthlyUsd": 5},  # below what dev costs
    }
    config = write_config_variant(project, "dev", violating, tmp_path / "Pulumi.dev.yaml")
    saved = save_preview(
        engine,
        project,
        "dev",
        fakes.env(),
        tmp_path / "dev-violating",
        pack="dev",
        extra=["--config-file", str(config)],
    )
    assert saved.returncode != 0

    preview = saved.preview("dev")
    assert {v.policy for v in preview.mandatory} == {"non-root-containers", "spending-cap"}
    # Only policies failed: the program ran to its end, so the new cost is its own.
    assert isinstance(preview.new, Cost)

    status, markdown = comment(tmp_path, "dev", saved)
    assert status == FAILED
    assert "**Why it failed:** 2 mandatory policy violation(s), below." in markdown
    for violation in preview.mandatory:
        assert f"- **mandatory** `{violation.policy}`" in markdown
        assert violation.message.splitlines()[-1] in markdown


def test_a_preview_that_never_starts_is_commented_with_the_clis_error(fullstack: FullStack, tmp_path: Path) -> None:
    engine, project, fakes = fullstack.engine, fullstack.project, fullstack.fakes
    saved = save_preview(engine, project, "no-such-stack", fakes.env(), tmp_path / "missing", pack="dev", extra=[])
    assert saved.returncode != 0 and saved.events.read_text() == ""

    status, markdown = comment(tmp_path, "dev", saved)
    assert status == FAILED
    assert "### `dev`: ❌ did not finish" in markdown and "no stack named 'no-such-stack' found" in markdown
