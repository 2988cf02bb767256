"""Fixtures: every service preflight reads, faked on 127.0.0.1 (S3 with moto), and a stack config file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import yaml
from moto import mock_aws

from providers.core import http
from tests.deploy.servers import serve
from tests.preflight.fakes import GITHUB_CLASSIC_TOKEN, FakeGitHub, PreflightRailway
from tests.railway.fake_railway import TOKEN as RAILWAY_TOKEN
from tests.railway.fake_railway import serve as serve_railway
from tests.railway.schema import railway_schema
from tests.supabase.fake_api import TOKEN as SUPABASE_TOKEN
from tests.supabase.fake_api import FakeSupabase, running

OWNER, REPOSITORY, TEAM = "acme", "converge", "release-reviewers"
ORGANIZATION, BUCKET, REGION = "acme-pro", "acme-backups", "eu-west-1"


@dataclass
class Services:
    railway: PreflightRailway
    supabase: FakeSupabase
    github: FakeGitHub
    config: dict[str, object]

    def config_file(self, directory: Path, **changes: object) -> Path:
        """The stack's config file; `changes` maps a config key to a new value (None drops it)."""
        config = {**self.config, **changes}
        path = directory / "Pulumi.staging.yaml"
        path.write_text(yaml.safe_dump({"config": {k: v for k, v in config.items() if v is not None}}))
        return path


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    monkeypatch.setattr(http, "_sleep", lambda _seconds: None)
    railway_schema()
    railway = PreflightRailway()
    github = FakeGitHub(OWNER, REPOSITORY, {TEAM})
    for variable in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret-key")
    with serve_railway(railway) as railway_url, running() as supabase, serve(github.server), mock_aws():
        supabase.add_organization(ORGANIZATION, "pro")
        supabase.add_organization("acme-free", "free")
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        encrypt(BUCKET)
        monkeypatch.setenv("RAILWAY_API_URL", railway_url)
        monkeypatch.setenv("RAILWAY_TOKEN", RAILWAY_TOKEN)
        monkeypatch.setenv("SUPABASE_API_URL", supabase.url)
        monkeypatch.setenv("SUPABASE_ACCESS_TOKEN", SUPABASE_TOKEN)
        monkeypatch.setenv("GITHUB_API_URL", github.server.url)
        monkeypatch.setenv("GITHUB_TOKEN", GITHUB_CLASSIC_TOKEN)
        config: dict[str, object] = {
            "github:owner": OWNER,
            "converge-nps:environment": "staging",
            "converge-nps:database": {"plan": "pro", "organization": ORGANIZATION},
            "converge-nps:railway": {"workspaceId": "ws-converge"},
            "converge-nps:github": {"repository": REPOSITORY, "reviewerTeams": [TEAM]},
            "converge-nps:backups": {"s3Bucket": BUCKET, "awsRegion": REGION},
        }
        yield Services(railway, supabase, github, config)
        assert railway.violations == [], railway.violations
        assert supabase.violations == [], supabase.violations


def encrypt(bucket: str) -> None:
    boto3.client("s3", region_name=REGION).put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
