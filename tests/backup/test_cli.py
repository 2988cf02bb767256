"""The command line as an operator and CI use it: outputs, exit codes, progress, and no password anywhere."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import pytest

from ops.backup import cli
from ops.backup.pg import DatabaseUrl
from ops.backup.redact import redact, register_secret
from tests.backup.conftest import BUCKET, PASSWORD, PgServer, fake_bin

ROOT = Path(__file__).resolve().parents[2]


def test_redact_masks_url_passwords_pairs_and_registered_secrets() -> None:
    assert redact("postgresql://app:hunter2@db:5432/x") == "postgresql://app:***@db:5432/x"
    assert redact("host=db password='a b c' user=x") == "host=db password=*** user=x"
    assert redact("postgres://u@db/x?password=zzz&sslmode=require") == "postgres://u@db/x?password=***&sslmode=require"
    register_secret("correct-horse-battery")
    assert redact("oops correct-horse-battery leaked") == "oops *** leaked"
    assert redact("encoded correct-horse-battery%20") == "encoded ***%20"


def test_the_password_goes_to_libpq_by_environment_not_argv() -> None:
    url = DatabaseUrl(f"postgresql://app:{quote('p@ss/w:rd', safe='')}@db.example:6543/converge?sslmode=require")
    assert url.without_password() == "postgresql://app@db.example:6543/converge?sslmode=require"
    assert url.subprocess_env()["PGPASSWORD"] == "p@ss/w:rd"
    assert "p@ss" not in str(url)
    assert url.dbname == "converge"
    assert url.host == "db.example"
    assert url.with_dbname("other").raw.startswith("postgresql://app:p%40ss%2Fw%3Ard@db.example:6543/other")


def test_cli_in_process_never_prints_the_password(
    s3: Any, source_db: DatabaseUrl, pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--stack", "staging", "--bucket", BUCKET, "--pg-bin", str(pg_server.bindir)]
    outputs: list[str] = []
    stdout: list[str] = []

    def run(*args: str) -> int:
        code = cli.main([args[0], *common, *args[1:]])
        captured = capsys.readouterr()
        outputs.append(captured.out + captured.err)
        stdout.append(captured.out)
        return code

    assert run("backup", "--database-url", source_db.raw) == 0
    key = outputs[-1].splitlines()[0]
    assert key.startswith("converge-nps/staging/")
    assert "pg_dump -> s3:" in outputs[-1]  # progress: size, elapsed, rate
    assert run("list") == 0
    assert key in outputs[-1]
    assert run("restore", "--target-url", pg_server.url("cli_restored").raw, "--create") == 0
    assert run("drill", "--json", "--scratch-url", pg_server.url().raw) == 0
    report = json.loads(stdout[-1])
    assert report["ok"] is True
    assert report["key"] == key
    assert report["rto_seconds"] == 8 * 3600
    assert report["rpo_seconds"] == 3600
    assert run("drill", "--scratch-url", pg_server.url().raw) == 0
    assert "no differences" in outputs[-1]
    assert run("prune", "--dry-run") == 0
    # Failures print the URL too, redacted.
    assert run("backup", "--database-url", pg_server.url("missing_db").raw) == 1
    assert run("restore", "--target-url", pg_server.url("missing_db").raw) == 1
    assert "postgresql://postgres:***@127.0.0.1" in outputs[-1]
    everything = "\n".join(outputs)
    assert PASSWORD not in everything
    assert quote(PASSWORD, safe="") not in everything
    subprocess.run(
        [str(pg_server.bindir / "dropdb"), "--if-exists", "--force", "cli_restored"],
        env={**os.environ, **pg_server.url().subprocess_env(), "PGHOST": "127.0.0.1", "PGPORT": str(pg_server.port),
             "PGUSER": "postgres"},
        check=True,
    )  # fmt: skip


def test_cli_as_a_process(
    moto_server: str, source_db: DatabaseUrl, pg_server: PgServer, make_db: Callable[..., DatabaseUrl]
) -> None:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": moto_server,
        "BACKUP_S3_BUCKET": BUCKET,
        "BACKUP_STACK": "prod",
        "DATABASE_URL": source_db.raw,
        "PG_BIN": str(pg_server.bindir),
    }

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ops.backup", *args],
            cwd=ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    done = run("backup")
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip()
    assert key.startswith("converge-nps/prod/")
    assert "published s3://" in done.stderr

    drill = run("drill", "--json", "--scratch-url", pg_server.url().raw)
    assert drill.returncode == 0, drill.stderr
    assert json.loads(drill.stdout)["differences"] == []

    # Restoring over a prod-stack database without the flag: refused with exit 3, nothing touched.
    target = make_db()
    refused = run("restore", "--target-url", target.raw)
    assert refused.returncode == 3
    assert refused.stderr.splitlines()[-1].startswith("error: refusing to restore over a production database")
    ok = run("restore", "--target-url", target.raw, "--i-understand-this-replaces-production")
    assert ok.returncode == 0, ok.stderr

    missing = run("list", BACKUP_S3_BUCKET="no-such-bucket")
    assert missing.returncode == 1
    assert missing.stderr == "error: bucket 'no-such-bucket' does not exist\n"

    for result in (done, drill, refused, ok, missing):
        assert "Traceback" not in result.stderr
        assert PASSWORD not in result.stdout + result.stderr
        assert quote(PASSWORD, safe="") not in result.stdout + result.stderr


def test_sigterm_mid_dump_publishes_nothing(
    moto_server: str, source_db: DatabaseUrl, pg_server: PgServer, tmp_path: Path
) -> None:
    """CI cancelling the job (SIGTERM) while pg_dump streams: exit 130, the multipart upload is aborted."""
    bindir = fake_bin(tmp_path, pg_server.bindir, '"$PG_REAL_BIN/pg_dump" "$@"\nexec sleep 60\n')
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": moto_server,
        "BACKUP_S3_BUCKET": BUCKET,
        "BACKUP_STACK": "prod",
        "DATABASE_URL": source_db.raw,
        "PG_BIN": str(bindir),
        "PG_REAL_BIN": str(pg_server.bindir),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "ops.backup", "backup"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    s3 = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
    deadline = time.monotonic() + 60
    while "Uploads" not in s3.list_multipart_uploads(Bucket=BUCKET):  # the upload has started
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(1)  # pg_dump has written everything; the fake now sleeps with the pipe open
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.splitlines()[-1] == "error: interrupted; nothing partial was published"
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=BUCKET)


SECRET_URL = f"postgresql://app:{quote(PASSWORD, safe='')}@127.0.0.1:1/converge"


@pytest.mark.parametrize(
    ("argv", "env", "code", "what", "fix"),
    [
        (["backup", "--bucket", BUCKET, "--database-url", SECRET_URL], {}, 2, "--stack is required",
         "set BACKUP_STACK"),
        (["backup", "--stack", "staging", "--database-url", SECRET_URL], {}, 2, "--bucket is required",
         "set BACKUP_S3_BUCKET"),
        (["backup", "--stack", "Prod!", "--bucket", BUCKET, "--database-url", SECRET_URL], {}, 2,
         "invalid stack name 'Prod!'", "use lower-case letters, digits and '-'"),
        (["backup", "--stack", "staging", "--bucket", BUCKET], {}, 2, "--database-url is required",
         "set DATABASE_URL"),
        (["backup", "--stack", "staging", "--bucket", BUCKET, "--database-url", SECRET_URL.replace(":1/", ":0/")],
         {}, 2, "--database-url (or DATABASE_URL) is not usable: a port is not a number from 1 to 65535",
         "check the port"),
        (["backup", "--stack", "staging", "--bucket", BUCKET, "--compress", "12", "--database-url", SECRET_URL], {},
         2, "--compress 12 is not a compression level", "give 0 (none) to 9 (smallest)"),
        (["backup", "--stack", "staging", "--bucket", BUCKET, "--part-size-mib", "3", "--database-url", SECRET_URL],
         {}, 2, "a part size of 3.0 MiB is below S3's minimum of 5 MiB", "give --part-size-mib 5 or more"),
        (["restore", "--stack", "staging", "--bucket", BUCKET], {}, 2, "--target-url is required",
         "set RESTORE_TARGET_URL"),
        (["restore", "--stack", "staging", "--bucket", BUCKET, "--target-url", "mysql" + SECRET_URL[10:]], {}, 2,
         "--target-url (or RESTORE_TARGET_URL) is not usable: its scheme is 'mysql'", "give postgresql://"),
        (["restore", "--stack", "staging", "--bucket", BUCKET, "--target-url", SECRET_URL],
         {"PRODUCTION_DATABASE_URL": SECRET_URL + "?pasword=x"}, 2,
         "PRODUCTION_DATABASE_URL is not usable: it has a parameter libpq does not know", "did you mean 'password'?"),
        (["restore", "--stack", "staging", "--bucket", BUCKET, "--key", "a/b.dump", "--target-url", SECRET_URL], {},
         1, "'a/b.dump' is not a backup key of stack 'staging'", "python -m ops.backup list shows them"),
        (["restore", "--stack", "staging", "--bucket", BUCKET, "--target-url", SECRET_URL],
         {"PRODUCTION_DATABASE_URL": SECRET_URL}, 3, "cannot tell whether the target is production",
         "fix or unset PRODUCTION_DATABASE_URL"),
        (["drill", "--stack", "staging", "--bucket", BUCKET, "--against", "live"], {}, 2,
         "this drill compares with the live source", "give --database-url (or DATABASE_URL)"),
        (["drill", "--stack", "staging", "--bucket", BUCKET], {}, 2, "give --scratch-url",
         "a server where the drill may create and drop a database"),
        (["drill", "--stack", "staging", "--bucket", BUCKET, "--scratch-url", SECRET_URL + "?host=a@b"], {}, 2,
         "--scratch-url (or DRILL_SCRATCH_URL) is not usable: it has an '@' that does not separate",
         "percent-encode special characters"),
    ],
)  # fmt: skip
def test_every_refusal_names_the_problem_and_the_fix_in_one_line_without_the_password(
    published: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    argv: list[str], env: dict[str, str], code: int, what: str, fix: str,
) -> None:  # fmt: skip
    for name in (
        "BACKUP_STACK", "BACKUP_S3_BUCKET", "DATABASE_URL", "RESTORE_TARGET_URL", "DRILL_SCRATCH_URL",
        "PRODUCTION_DATABASE_URL",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main([*argv, "--quiet"]) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"error: {what}")
    assert fix in err
    assert PASSWORD not in err and quote(PASSWORD, safe="") not in err
