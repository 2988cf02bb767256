"""The drift report against a local GitHub REST API and a local Slack webhook."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ops.deploy import cli
from ops.deploy.drift import LABEL, marker
from tests.deploy import previews
from tests.deploy.fake_github import REPOSITORY, TOKEN, FakeGitHub
from tests.deploy.servers import Reply, Server, serve


@dataclass
class World:
    github: FakeGitHub
    slack: Server
    summary: Path
    tmp: Path

    def check(self, stack: str, preview: dict[str, Any], pulumi_exit: int) -> int:
        path = previews.write(self.tmp / f"preview-{stack}.json", preview)
        return cli.main(["drift", "--stack", stack, "--preview", str(path), "--pulumi-exit", str(pulumi_exit)])

    def slack_texts(self) -> list[str]:
        return [r.body["text"] for r in self.slack.received]

    def open_issues(self) -> list[dict[str, Any]]:
        return [i for i in self.github.issues.values() if i["state"] == "open" and "pull_request" not in i]


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[World]:
    github = FakeGitHub()
    slack = Server()
    slack.route("POST", "/hook", lambda _r: Reply(200, b"ok"))
    with serve(github.server), serve(slack):
        summary = tmp_path / "summary.md"
        monkeypatch.setenv("GITHUB_API_URL", github.server.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("GITHUB_REPOSITORY", REPOSITORY)
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
        monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.url + "/hook")
        for name in ("GITHUB_SERVER_URL", "GITHUB_RUN_ID"):
            monkeypatch.delenv(name, raising=False)
        yield World(github, slack, summary, tmp_path)


def test_a_clean_stack_touches_nothing(world: World) -> None:
    assert world.check("prod", previews.clean("prod"), 0) == 0
    assert world.github.writes() == [] and world.slack.received == []
    assert "### Drift check of `prod`: clean" in world.summary.read_text()


def test_drift_opens_one_issue_per_stack_and_keeps_it_current(world: World) -> None:
    assert world.check("prod", previews.drifted("prod"), 7) == 3
    [issue] = world.open_issues()
    assert issue["labels"] == [{"name": LABEL}]
    assert marker("prod") in issue["body"]
    assert "| update | `pulumi-python:dynamic/railway:Service` | `backend-replicas` | `numReplicas` |" in issue["body"]
    assert world.slack_texts() == [f":warning: *prod* drifts: 1 change(s), {issue['html_url']}"]
    summary = world.summary.read_text()
    assert "### Drift check of `prod`: 1 change" in summary and "`numReplicas`" in summary

    # The same drift the next day: the issue is refreshed, nobody is pinged again.
    assert world.check("prod", previews.drifted("prod"), 7) == 3
    assert len(world.open_issues()) == 1
    assert world.github.comments[issue["number"]] == []
    assert len(world.slack_texts()) == 1
    assert [r.method for r in world.github.writes()] == ["POST", "PATCH"]

    # Staging drifts too: its own issue; prod's is left alone.
    assert world.check("staging", previews.drifted("staging"), 7) == 3
    bodies = [i["body"] for i in world.open_issues()]
    assert [sum(marker(s) in body for body in bodies) for s in ("prod", "staging")] == [1, 1]
    assert [r.method for r in world.github.writes()] == ["POST", "PATCH", "POST"]


def test_changed_drift_is_commented_and_announced(world: World) -> None:
    assert world.check("prod", previews.drifted("prod"), 7) == 3
    assert world.check("prod", previews.drifted("prod", domain=True), 7) == 3
    [issue] = world.open_issues()
    [comment] = world.github.comments[issue["number"]]
    assert comment.startswith("The drift changed:") and "`api-domain`" in comment
    assert "| replace |" in issue["body"]
    assert world.slack_texts()[-1] == f":warning: *prod*'s drift changed: {issue['html_url']}"


def test_a_clean_stack_closes_its_issue(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_RUN_ID", "99")
    assert world.check("prod", previews.drifted("prod"), 7) == 3
    assert world.check("prod", previews.clean("prod"), 0) == 0
    [issue] = world.github.issues.values()
    assert issue["state"] == "closed" and issue["state_reason"] == "completed"
    assert world.github.comments[issue["number"]] == [
        f"The stack is clean again ([run](https://github.com/{REPOSITORY}/actions/runs/99))."
    ]
    assert world.slack_texts()[-1].startswith(
        f":white_check_mark: *prod* no longer drifts (closed {issue['html_url']})"
    )
    # A later drift opens a new issue rather than reviving the closed one.
    assert world.check("prod", previews.drifted("prod"), 7) == 3
    assert len(world.open_issues()) == 1 and world.open_issues()[0]["number"] != issue["number"]


def test_a_failed_preview_reports_unknown_drift_and_leaves_the_issue(world: World) -> None:
    assert world.check("prod", previews.drifted("prod"), 7) == 3
    writes = len(world.github.writes())
    assert world.check("prod", previews.failed(), 255) == 4
    assert len(world.github.writes()) == writes
    assert world.open_issues()[0]["state"] == "open"
    assert world.slack_texts()[-1].startswith(":warning: The drift check of *prod* failed")
    summary = world.summary.read_text()
    assert "the preview failed" in summary and "Not Authorized" in summary and "a warning" not in summary


def test_an_empty_preview_output_is_a_failed_preview(world: World) -> None:
    (world.tmp / "empty.json").write_text("")
    args = ["drift", "--stack", "prod", "--preview", str(world.tmp / "empty.json"), "--pulumi-exit", "255"]
    assert cli.main(args) == 4
    assert world.github.writes() == []


def test_issues_are_found_across_pages_and_pull_requests_are_skipped(world: World) -> None:
    world.github.page_cap = 2
    world.github.add("older drift", f"{marker('prod')}\n<!-- drift-digest: x -->", [LABEL])
    world.github.add("a PR quoting the marker", marker("prod"), [LABEL], pull_request=True)
    for n in range(3):
        world.github.add(f"other {n}", "unrelated", [LABEL])
    assert world.check("prod", previews.drifted("prod"), 7) == 3
    assert len([r for r in world.github.server.received if r.method == "GET"]) == 3
    assert [r.method for r in world.github.writes()] == ["PATCH", "POST"]  # updated #1, commented (new digest)
    assert world.github.issues[2]["body"] == marker("prod")


def test_a_bad_token_is_one_line_without_the_token(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrongwrongwrong")
    assert world.check("prod", previews.drifted("prod"), 7) == 1
    err = capsys.readouterr().err
    assert "error: GitHub list issues failed: Bad credentials (HTTP 401)" in err
    assert "ghp_wrong" not in err and "Traceback" not in err


def test_a_bad_github_api_url_is_a_configuration_error_without_the_url(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", "api.github.example/secret-path")
    assert world.check("prod", previews.drifted("prod"), 7) == 2
    err = capsys.readouterr().err
    assert "GITHUB_API_URL must be an absolute http(s) URL" in err
    assert "secret-path" not in err and "Traceback" not in err
