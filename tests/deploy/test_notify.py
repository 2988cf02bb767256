"""The Slack notification against a local webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ops.deploy import cli
from ops.deploy.migrate import NOT_ROLLED_BACK
from tests.deploy.servers import Reply, Server, serve

HOOK = "/services/T000/B000/XXXXsecretXXXX"


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    server = Server()
    server.route("POST", HOOK, lambda _r: Reply(200, b"ok"))
    with serve(server) as running:
        monkeypatch.setenv("SLACK_WEBHOOK_URL", running.url + HOOK)
        for name, value in {
            "GITHUB_SHA": "0123456789abcdef",
            "GITHUB_ACTOR": "octocat",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "converge-nps/infra",
            "GITHUB_RUN_ID": "42",
        }.items():
            monkeypatch.setenv(name, value)
        yield running


def notify(*steps: str, extra: tuple[str, ...] = ()) -> int:
    return cli.main(["notify", "--stack", "prod", *(a for step in steps for a in ("--step", step)), *extra])


def texts(slack: Server) -> list[str]:
    return [r.body["text"] for r in slack.received]


def test_a_successful_deploy(slack: Server, capsys: pytest.CaptureFixture[str]) -> None:
    assert notify("pulumi-up=success", "backup=success", "migrate=success", "smoke=success") == 0
    [text] = texts(slack)
    assert text.startswith(":white_check_mark: Deploy of *prod* (commit `0123456` by octocat): *success*")
    assert "• migrate: success" in text and "• smoke: success" in text
    assert "<https://github.com/converge-nps/infra/actions/runs/42|workflow run>" in text
    assert NOT_ROLLED_BACK not in text
    out = capsys.readouterr()
    assert "secret" not in out.out + out.err


def test_a_rolled_back_deploy_says_the_migrations_stay(slack: Server) -> None:
    steps = ("pulumi-up=success", "migrate=success", "smoke=failure", "rollback=success")
    assert notify(*steps, extra=("--rolled-back-to", "dep-7")) == 0
    [text] = texts(slack)
    assert text.startswith(":x: Deploy of *prod*") and "*failure*" in text
    assert "rolled back to deployment `dep-7`" in text
    assert NOT_ROLLED_BACK in text


def test_a_failed_rollback_is_called_out(slack: Server) -> None:
    assert notify("migrate=failure", "rollback=failure") == 0
    [text] = texts(slack)
    assert "automatic rollback FAILED" in text
    assert NOT_ROLLED_BACK not in text  # nothing was migrated


def test_slack_refusing_fails_the_step_without_the_url(slack: Server, capsys: pytest.CaptureFixture[str]) -> None:
    slack.route("POST", HOOK, lambda _r: Reply(404, f"no_service for {HOOK}".encode()))
    assert notify("migrate=success") == 1
    err = capsys.readouterr().err
    assert "error: Slack refused the message: no_service for /***" in err
    assert "secret" not in err and "127.0.0.1" not in err


def test_a_rate_limit_is_waited_out(slack: Server) -> None:
    answers = iter([Reply(429, b"rate_limited", {"Retry-After": "0"}), Reply(200, b"ok")])
    slack.route("POST", HOOK, lambda _r: next(answers))
    assert notify("migrate=success") == 0
    assert len(slack.received) == 2


def test_no_webhook_means_no_message(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    assert notify("migrate=success") == 0
    assert "SLACK_WEBHOOK_URL is not set" in capsys.readouterr().err


def test_bad_steps_are_usage_errors(slack: Server) -> None:
    assert notify("migrate=green") == 2
    assert notify("=success") == 2
    assert slack.received == []


@pytest.mark.parametrize("url", ["hooks.slack.example/services/T0/B0/secretpart", "http://[hooks.slack/secretpart"])
def test_a_webhook_url_that_is_not_one_is_a_usage_error_without_the_url(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", url)
    assert notify("migrate=success") == 2
    err = capsys.readouterr().err
    assert "SLACK_WEBHOOK_URL must be an absolute http(s) URL" in err
    assert "secretpart" not in err and "internal error" not in err
