"""The pieces the policies are built from: Dockerfile reading, credential names, URLs, TLS versions."""

from __future__ import annotations

import pytest

from offline.program import ROOT
from policies.converge_policies.common import is_credential_url, is_sensitive_name
from policies.converge_policies.dockerfile import DockerfileError, final_user
from policies.converge_policies.non_root import image_repository
from policies.converge_policies.tls import DEFAULT_PRIVATE_HOSTS, tls_version, url_problem


def test_the_backend_dockerfile_runs_as_a_numeric_non_root_user() -> None:
    user = final_user((ROOT / "docker/backend/Dockerfile").read_text(), "runtime")
    assert (user.stage, user.user, user.is_root) == ("runtime", "10001:10001", False)
    assert user.base.startswith("node:")


def test_the_build_stage_of_the_backend_dockerfile_would_run_as_root() -> None:
    assert final_user((ROOT / "docker/backend/Dockerfile").read_text(), "build").is_root


@pytest.mark.parametrize(
    ("dockerfile", "target", "user", "root"),
    [
        ("FROM alpine\nUSER app\n", None, "app", False),
        ("FROM alpine\nUSER root\n", None, "root", True),
        ("FROM alpine\nUSER 0\n", None, "0", True),
        ("FROM alpine\nUSER 000:1000\n", None, "000:1000", True),
        ("FROM alpine\nUSER 1000:0\n", None, "1000:0", False),  # group root, user not
        ("FROM alpine\n", None, None, True),
        ("FROM alpine AS base\nUSER app\nFROM base AS final\nRUN true\n", "final", "app", False),
        ("FROM alpine AS base\nUSER app\nFROM alpine AS final\nRUN true\n", "final", None, True),
        ("FROM alpine AS a\nUSER app\nFROM alpine AS b\nUSER root\n", "a", "app", False),
        ("ARG UID=1001\nFROM alpine\nARG UID\nUSER ${UID}\n", None, "1001", False),
        ("FROM alpine\nENV APP_USER=svc\nUSER $APP_USER\n", None, "svc", False),
        ("FROM alpine\nUSER ${NOBODY:-65534}\n", None, "65534", False),
        ("FROM alpine\nUSER app\nRUN <<EOF\nUSER root\nEOF\n", None, "app", False),
        ("FROM alpine\nRUN echo a \\\n# USER root\n  && echo b\nUSER app\n", None, "app", False),
        ("# escape=`\nFROM alpine\nRUN echo a `\n  b\nUSER app\n", None, "app", False),
        ("from alpine as Final\nuser app\n", "final", "app", False),
    ],
)
def test_final_user(dockerfile: str, target: str | None, user: str | None, root: bool) -> None:
    found = final_user(dockerfile, target)
    assert (found.user, found.is_root) == (user, root)


def test_an_unresolvable_user_counts_as_root() -> None:
    found = final_user("FROM alpine\nUSER $WHO\n")
    assert not found.resolved
    assert found.is_root


def test_build_args_feed_the_user() -> None:
    dockerfile = "FROM alpine\nARG RUN_AS=0\nUSER ${RUN_AS}\n"
    assert final_user(dockerfile).is_root
    assert not final_user(dockerfile, build_args={"RUN_AS": "1000"}).is_root


@pytest.mark.parametrize(("dockerfile", "target"), [("RUN true\n", None), ("FROM alpine\n", "missing")])
def test_a_dockerfile_without_the_stage_is_an_error(dockerfile: str, target: str | None) -> None:
    with pytest.raises(DockerfileError):
        final_user(dockerfile, target)


@pytest.mark.parametrize(
    ("name", "sensitive"),
    [
        ("JWT_SECRET", True),
        ("jwtRefreshSecret", True),
        ("SENDGRID_API_KEY", True),
        ("DATABASE_URL", True),
        ("REDIS_URL", True),
        ("SENTRY_DSN", True),
        ("SLACK_WEBHOOK_URL", True),
        ("dbPass", False),  # abbreviations are listed per resource type (secrets.ALWAYS_SENSITIVE)
        ("serviceRoleKey", True),
        ("token", True),
        ("secretName", False),
        ("passwordLength", False),
        ("VITE_API_BASE_URL", False),
        ("FRONTEND_URL", False),
        ("BACKUP_S3_BUCKET", False),
        ("keepers", False),
    ],
)
def test_sensitive_names(name: str, sensitive: bool) -> None:
    assert is_sensitive_name(name) is sensitive


def test_credential_urls() -> None:
    assert is_credential_url("postgresql://u:p@db.example.com:6543/postgres?sslmode=require")
    assert is_credential_url("REDIS_URL=redis://default:pw@redis.railway.internal:6379")
    assert not is_credential_url("https://0123@o1.ingest.sentry.io/1")  # a user, no password
    assert not is_credential_url("https://converge-nps.com")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://api.converge-nps.com/v1", None),
        ("wss://api.converge-nps.com", None),
        ("http://api.converge-nps.com", "http://api.converge-nps.com is plaintext; use https://"),
        ("ws://api.converge-nps.com", "ws://api.converge-nps.com is plaintext; use wss://"),
        ("http://backend.railway.internal:3000/health", None),
        ("http://localhost:3000", None),
        ("postgresql://u:p@db.x.supabase.co:5432/postgres?sslmode=require", None),
        ("postgres://u:p@db.x.supabase.co/postgres?sslmode=verify-full", None),
        ("postgresql://u:p@db.x.supabase.co/postgres?sslmode=prefer", "has sslmode=prefer"),
        ("postgresql://u:p@db.x.supabase.co/postgres", "has no sslmode"),
        ("postgresql://u:p@db.railway.internal/postgres", "has no sslmode"),  # TLS to the database always
        ("postgresql://u:p@h/postgres?sslmode=require&ssl_min_protocol_version=TLSv1.3", None),
        ("postgresql://u:p@h/postgres?sslmode=require&ssl_min_protocol_version=TLSv1.2", "allows TLSv1.2"),
        ("redis://default:p@redis.railway.internal:6379", None),
        ("rediss://default:p@cache.example.com:6380", None),
        ("redis://default:p@cache.example.com:6379", "plaintext Redis outside the private network"),
    ],
)
def test_url_problems(url: str, problem: str | None) -> None:
    found = url_problem(url, DEFAULT_PRIVATE_HOSTS)
    assert found is None if problem is None else (found is not None and problem in found)
    if found:
        assert ":p@" not in found  # never the password


@pytest.mark.parametrize(
    ("value", "version"),
    [("1.3", (1, 3)), ("TLSv1.2", (1, 2)), ("TLS1_3", (1, 3)), (1.2, (1, 2)), ("tls13", None), ("", None)],
)
def test_tls_versions(value: object, version: tuple[int, int] | None) -> None:
    assert tls_version(value) == version


@pytest.mark.parametrize(
    ("image", "repository"),
    [
        ("ghcr.io/converge-nps/backend@sha256:" + "0" * 64, "ghcr.io/converge-nps/backend"),
        ("ghcr.io/converge-nps/backend:latest", "ghcr.io/converge-nps/backend"),
        ("localhost:5000/backend:1", "localhost:5000/backend"),
        ("redis:7.4.1-alpine", "redis"),
    ],
)
def test_image_repository(image: str, repository: str) -> None:
    assert image_repository(image) == repository
