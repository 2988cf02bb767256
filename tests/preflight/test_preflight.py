"""`python -m ops.preflight` against fakes of Railway, Supabase and GitHub and moto's S3: every check
passes when everything is there, each missing or wrong thing fails its check with a fix, nothing is
written anywhere, no token is printed, and the exit status says which case it was."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import graphql
import pytest

from ops.preflight.__main__ import CHECK_FAILED, OK, USAGE, main
from ops.preflight.checks import ME, WORKSPACE
from tests.preflight.conftest import BUCKET, ORGANIZATION, REGION, TEAM, Services
from tests.preflight.fakes import GITHUB_FINE_GRAINED_TOKEN, RAILWAY_WORKSPACE_TOKEN
from tests.railway.schema import railway_schema

TOKENS = ("RAILWAY_TOKEN", "SUPABASE_ACCESS_TOKEN", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY")


def preflight(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str], **changes: object
) -> tuple[int, str]:
    code = main(["--stack", "staging", "--config-file", str(services.config_file(tmp_path, **changes))])
    out, err = capsys.readouterr()
    for variable in TOKENS:
        value = os.environ.get(variable, "")
        assert not value or value not in out + err, f"{variable} printed"
    return code, out + err


def line(output: str, check: str) -> str:
    found = [text for text in output.splitlines() if f"] {check}" in text]
    assert len(found) == 1, (check, output)
    return found[0]


def fix_after(output: str, check: str) -> str:
    lines = output.splitlines()
    index = lines.index(line(output, check))
    assert lines[index + 1].strip().startswith("fix: "), output
    return lines[index + 1]


def test_everything_in_place_passes_and_nothing_is_written(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = preflight(services, tmp_path, capsys)
    assert code == OK, output
    assert "[FAIL]" not in output and "[SKIP]" not in output
    assert output.rstrip().endswith("All 14 checks passed.")
    assert "[PASS] backup bucket 'acme-backups' encrypts by default: AES256" in output
    assert "[PASS] Railway workspace exists: 'Converge NPS' (ws-converge)" in output
    assert services.railway.mutations() == []
    assert services.supabase.writes() == []
    assert services.github.reads_only()


def test_missing_tokens_fail_with_how_to_get_them_and_their_checks_are_skipped(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("RAILWAY_TOKEN", "SUPABASE_ACCESS_TOKEN", "GITHUB_TOKEN"):
        monkeypatch.delenv(variable)
    code, output = preflight(services, tmp_path, capsys)
    assert code == CHECK_FAILED
    for variable in ("RAILWAY_TOKEN", "SUPABASE_ACCESS_TOKEN", "GITHUB_TOKEN"):
        assert "[FAIL]" in line(output, f"{variable} is set")
        assert "create" in fix_after(output, f"{variable} is set")
    assert output.count("[SKIP]") == 2 + 3 + 4
    assert "[PASS] backup bucket" in output, "the other checks still run"


def test_wrong_tokens_are_refused_without_being_printed(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAILWAY_TOKEN", "wrong-railway-token-1234")
    monkeypatch.setenv("SUPABASE_ACCESS_TOKEN", "sbp_wrong_supabase_token_1234")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong_github_token_1234")
    code, output = preflight(services, tmp_path, capsys)
    assert code == CHECK_FAILED
    assert "[FAIL]" in line(output, "RAILWAY_TOKEN is an account or workspace token")
    assert "[FAIL]" in line(output, "SUPABASE_ACCESS_TOKEN can list organizations")
    assert "[FAIL]" in line(output, "GITHUB_TOKEN is valid")
    assert "revoked" in fix_after(output, "GITHUB_TOKEN is valid")


def test_a_workspace_token_needs_the_workspace_id(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAILWAY_TOKEN", RAILWAY_WORKSPACE_TOKEN)
    code, output = preflight(services, tmp_path, capsys)
    assert code == OK, output
    assert "a workspace token of 'Converge NPS'" in line(output, "RAILWAY_TOKEN is an account or workspace token")

    code, output = preflight(services, tmp_path, capsys, **{"converge-nps:railway": None})
    assert code == CHECK_FAILED
    assert "set `railway.workspaceId`" in fix_after(output, "RAILWAY_TOKEN is an account or workspace token")


def test_an_unknown_railway_workspace_fails(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = preflight(services, tmp_path, capsys, **{"converge-nps:railway": {"workspaceId": "ws-other"}})
    assert code == CHECK_FAILED
    assert "'ws-other' is not found or not reachable" in line(output, "Railway workspace exists")
    assert "[PASS]" in line(output, "RAILWAY_TOKEN is an account or workspace token")


@pytest.mark.parametrize(
    ("service", "variable", "value", "says"),
    [
        ("Railway", "RAILWAY_API_TIMEOUT_SECONDS", "soon", "RAILWAY_API_TIMEOUT_SECONDS='soon' is not a number"),
        ("Supabase", "SUPABASE_HTTP_TIMEOUT", "0", "SUPABASE_HTTP_TIMEOUT must be more than 0 seconds"),
    ],
)
def test_a_bad_duration_in_the_environment_fails_its_service_by_name(
    services: Services,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    variable: str,
    value: str,
    says: str,
) -> None:
    monkeypatch.setenv(variable, value)
    code, output = preflight(services, tmp_path, capsys)
    assert code == CHECK_FAILED
    assert says in line(output, f"{service} client settings") and "Traceback" not in output
    assert "correct the variable it names" in fix_after(output, f"{service} client settings")


def test_the_supabase_organization_must_exist_on_the_stacks_plan(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = {"plan": "pro", "organization": "acme-free"}
    code, output = preflight(services, tmp_path, capsys, **{"converge-nps:database": database})
    assert code == CHECK_FAILED
    assert "the organization is on 'free'" in line(output, "Supabase organization is on the 'pro' plan")
    assert "Billing" in fix_after(output, "Supabase organization is on the 'pro' plan")

    database = {"plan": "pro", "organization": "acme-missing"}
    code, output = preflight(services, tmp_path, capsys, **{"converge-nps:database": database})
    assert code == CHECK_FAILED
    assert f"acme-free, {ORGANIZATION}" in line(output, "Supabase organization 'acme-missing' exists")
    assert "[SKIP]" in line(output, "Supabase organization is on the 'pro' plan")


def test_github_scopes_admin_and_teams(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    services.github.scopes = "repo"
    services.github.admin = False
    github = {"repository": "converge", "reviewerTeams": [TEAM, "ghosts"]}
    code, output = preflight(services, tmp_path, capsys, **{"converge-nps:github": github})
    assert code == CHECK_FAILED
    assert "missing read:org" in line(output, "GITHUB_TOKEN has the `repo` and `read:org` scopes")
    assert "not an admin" in line(output, "GitHub repository acme/converge exists and the token is an admin")
    assert "[PASS]" in line(output, f"GitHub team acme/{TEAM} exists")
    assert "[FAIL]" in line(output, "GitHub team acme/ghosts exists")

    # A fine-grained token lists no scopes: what it can do shows in the repository and team answers.
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_FINE_GRAINED_TOKEN)
    services.github.admin = True
    code, output = preflight(services, tmp_path, capsys)
    assert code == OK, output
    assert "fine-grained" in line(output, "GITHUB_TOKEN has the `repo` and `read:org` scopes")

    code, output = preflight(services, tmp_path, capsys, **{"github:owner": "someone-else"})
    assert "[FAIL]" in line(output, "GitHub repository someone-else/converge exists and the token is an admin")


def test_an_unencrypted_bucket_fails_with_the_command_that_encrypts_it(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    boto3.client("s3", region_name=REGION).delete_bucket_encryption(Bucket=BUCKET)
    code, output = preflight(services, tmp_path, capsys)
    assert code == CHECK_FAILED
    assert "no default encryption" in line(output, f"backup bucket {BUCKET!r} encrypts by default")
    assert "put-bucket-encryption --bucket acme-backups" in fix_after(output, f"backup bucket {BUCKET!r} encrypts")


def test_a_missing_bucket_fails_and_its_encryption_is_not_checked(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backups = {"s3Bucket": "acme-no-such-bucket", "awsRegion": REGION}
    code, output = preflight(services, tmp_path, capsys, **{"converge-nps:backups": backups})
    assert code == CHECK_FAILED
    assert "no such bucket" in line(output, "backup bucket 'acme-no-such-bucket' is reachable")
    assert "create-bucket" in fix_after(output, "backup bucket 'acme-no-such-bucket' is reachable")
    assert "[SKIP]" in line(output, "backup bucket 'acme-no-such-bucket' encrypts by default")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"github:owner": None}, "sets no `github:owner`"),
        ({"converge-nps:database": {"plan": "gold", "organization": ORGANIZATION}}, "plan"),
        ({"converge-nps:backups": None}, "s3Bucket"),
    ],
)
def test_a_config_error_exits_2_before_any_request(
    services: Services,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, object],
    message: str,
) -> None:
    code, output = preflight(services, tmp_path, capsys, **changes)
    assert code == USAGE and message in output
    assert services.railway.calls() == [] and services.supabase.calls == []


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--stack", "qa"])
    assert exited.value.code == USAGE
    assert main(["--stack", "dev", "--config-file", str(tmp_path / "missing.yaml")]) == USAGE
    assert "no config file" in capsys.readouterr().err


@pytest.mark.parametrize("operation", [ME, WORKSPACE], ids=lambda op: op.name)
def test_the_railway_queries_are_valid_against_the_sdl(operation: object) -> None:
    document = graphql.parse(operation.document)  # type: ignore[attr-defined]
    assert graphql.validate(railway_schema(), document) == []
