"""State in an S3 bucket, as a team would keep it: `pulumi login 's3://<bucket>?endpoint=...'` against a moto S3
server on 127.0.0.1, then one `pulumi up` / `pulumi destroy` round of the dev stack (policy pack on, fake Railway
and Supabase APIs). The state object lands in the bucket, holds the deployed resources with no secret in
plaintext, and is removed with the stack."""

from __future__ import annotations

import json
import logging
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from components import tokens
from tests.engine.fullstack import init_stack, policy_args, running_fakes, scratch_project, stand_in_secrets
from tests.engine.harness import Engine

pytestmark = pytest.mark.engine

BUCKET = "converge-nps-pulumi-state"
REGION = "us-west-2"
# Test credentials for moto (it accepts any); the engine's S3 client reads them from the environment.
AWS = {
    "AWS_ACCESS_KEY_ID": "converge-engine-test-key",
    "AWS_SECRET_ACCESS_KEY": "converge-engine-test-secret",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
}
STATE_KEY = ".pulumi/stacks/converge-nps/dev.json"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 (host:port), started and left empty."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"127.0.0.1:{port}"

    def reset() -> None:
        # moto's state is per process and shared with every other moto user in it (tests/backup).
        request = urllib.request.Request(f"http://{endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 (http on loopback)

    reset()
    try:
        yield endpoint
    finally:
        reset()
        server.stop()


def test_dev_up_and_destroy_with_state_in_s3(
    s3_endpoint: str, tmp_path: Path, engine_report: dict[str, object]
) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://{s3_endpoint}",
        region_name=REGION,
        aws_access_key_id=AWS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS["AWS_SECRET_ACCESS_KEY"],
    )
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})

    # A Pulumi home of its own, so this login does not move the session's other tests off their file backend.
    engine = Engine.create(tmp_path / "engine")
    url = f"s3://{BUCKET}?endpoint={s3_endpoint}&disableSSL=true&s3ForcePathStyle=true"
    engine.pulumi(["login", url], cwd=tmp_path, env=AWS)
    assert url in engine.pulumi(["whoami", "--verbose"], cwd=tmp_path, env=AWS).output

    project = scratch_project(tmp_path / "project")
    init_stack(engine, project, "dev", env=AWS)
    with running_fakes() as fakes:
        env = {**AWS, **fakes.env()}
        up = engine.pulumi(
            ["up", "--stack", "dev", "--yes", "--skip-preview", *policy_args(project, "dev")], cwd=project, env=env
        )
        engine_report["dev up with state in S3, seconds"] = round(up.seconds, 3)

        keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
        assert STATE_KEY in keys, keys
        stored = s3.get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read().decode()
        resources = json.loads(stored)["checkpoint"]["latest"]["resources"]
        types = {r["type"] for r in resources}
        assert {tokens.RAILWAY_PROJECT_RESOURCE, tokens.SUPABASE_PROJECT} <= types
        for value in stand_in_secrets().values():
            assert value not in stored
        # Nothing went to the file backend the engine logged in to first.
        assert not list((engine.backend_dir / ".pulumi" / "stacks").rglob("*.json"))

        destroy = engine.pulumi(["destroy", "--stack", "dev", "--yes", "--skip-preview"], cwd=project, env=env)
        engine_report["dev destroy with state in S3, seconds"] = round(destroy.seconds, 3)
        emptied = json.loads(s3.get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read())
        assert not emptied["checkpoint"]["latest"].get("resources")
        assert fakes.railway.projects == {} and {p.status for p in fakes.supabase.projects.values()} == {"REMOVED"}

    engine.pulumi(["stack", "rm", "dev", "--yes"], cwd=project, env=AWS)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    assert STATE_KEY not in keys
