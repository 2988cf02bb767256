"""Production's saved plan: what is ours to check around `pulumi preview --save-plan` / `pulumi up --plan`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops.deploy import cli
from tests.deploy import previews

COMMIT = "a" * 40


def export(path: Path, resources: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"version": 3, "deployment": {"manifest": {"time": "t"}, "resources": resources}}))
    return path


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GITHUB_SHA", COMMIT)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    (tmp_path / "plan.json").write_text('{"resourcePlans": {}, "config": {}}')
    export(tmp_path / "state.json", [{"urn": "urn:a", "outputs": {"x": 1}}])
    previews.write(tmp_path / "preview.json", previews.drifted("prod"))
    return tmp_path


def files(d: Path) -> list[str]:
    return ["--stack", "prod", "--plan", str(d / "plan.json"), "--state", str(d / "state.json")]


def record(d: Path) -> int:
    return cli.main(["plan-record", *files(d), "--preview", str(d / "preview.json"), "--out", str(d / "record.json")])


def verify(d: Path, *extra: str) -> int:
    return cli.main(["plan-verify", *files(d), "--record", str(d / "record.json"), *extra])


def test_the_plan_is_shown_and_verifies_unchanged(made: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert record(made) == 0
    digest = capsys.readouterr().out.strip()
    assert len(digest) == 64
    summary = (made / "summary.md").read_text()
    assert summary.startswith(f"### Plan for `prod` at `{COMMIT[:7]}`: 1 change")
    assert "| update | `pulumi-python:dynamic/railway:Service` | `backend-replicas` | `numReplicas` |" in summary
    assert f"sha256:{digest[:16]}" in summary
    assert verify(made) == 0
    assert capsys.readouterr().out.strip() == "the plan for prod still applies"


def test_a_reformatted_export_is_the_same_state(made: Path) -> None:
    assert record(made) == 0
    state = json.loads((made / "state.json").read_text())
    (made / "state.json").write_text(json.dumps(state, indent=4, sort_keys=True))
    assert verify(made) == 0


def test_a_state_written_in_between_fails(made: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert record(made) == 0
    export(made / "state.json", [{"urn": "urn:a", "outputs": {"x": 2}}])
    assert verify(made) == 5
    assert "the state of prod changed since the plan was made" in capsys.readouterr().err


def test_another_plan_file_fails(made: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert record(made) == 0
    (made / "plan.json").write_text('{"resourcePlans": {"urn:b": {}}, "config": {}}')
    assert verify(made) == 5
    assert "not the one the reviewer was shown" in capsys.readouterr().err


def test_another_commit_or_stack_fails(made: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert record(made) == 0
    assert verify(made, "--commit", "b" * 40) == 5
    assert "made at commit aaaaaaa, this run is at bbbbbbb" in capsys.readouterr().err
    args = ["plan-verify", "--stack", "staging", "--plan", str(made / "plan.json")]
    assert cli.main([*args, "--state", str(made / "state.json"), "--record", str(made / "record.json")]) == 5


def test_unreadable_inputs_are_usage_errors(made: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (made / "state.json").write_text("not json")
    assert record(made) == 2
    assert "is not JSON (expected `pulumi stack export`)" in capsys.readouterr().err
    (made / "record.json").write_text("{}")
    assert verify(made) == 2
