"""The pieces the policies are built from: credential names, URLs, TLS versions, image names."""

from __future__ import annotations

import pytest

from policies.converge_policies.common import is_credential_url, is_sensitive_name
from policies.converge_policies.non_root import image_repository
from policies.converge_policies.tls import DEFAULT_PRIVATE_HOSTS, tls_version, url_problem


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
