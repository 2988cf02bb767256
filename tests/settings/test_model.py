"""The stack settings model on its own: no Pulumi runtime involved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settings.errors import StackConfigError
from settings.loader import load_stack_settings
from settings.seed import MAX_REPLICAS, MIN_PRODUCTION_REPLICAS
from settings.stackfile import read_stack_file
from settings.stacks import STACKS
from tests.settings.fixtures import config, error_for


def test_event_mode_deploys_the_event_replicas_and_backs_up_on_the_event_schedule() -> None:
    changes = {"backend.eventReplicas": 4, "backups.weeklyCron": "30 2 * * 1", "backups.eventCron": "15 * * * *"}
    normal = load_stack_settings("prod", config("prod", **changes), {})
    event = load_stack_settings("prod", config("prod", eventMode=True, **changes), {})
    assert (normal.deployed_replicas, normal.backup_cron) == (normal.backend.min_replicas, "30 2 * * 1")
    assert (event.deployed_replicas, event.backup_cron) == (4, "15 * * * *")


def test_one_message_names_every_bad_key_and_the_stack_file() -> None:
    error = error_for(
        "prod",
        frontendUrl="http://converge-nps.com",
        deployBranch="develop",
        **{"backend.minReplicas": 1, "backend.maxReplicas": 7, "redis.evictionPolicy": "volatile-lru"},
    )
    text = str(error)
    assert "Pulumi.prod.yaml" in text
    for key in (
        "converge-nps:frontendUrl",
        "converge-nps:deployBranch",
        "converge-nps:backend.minReplicas",
        "converge-nps:backend.maxReplicas",
        "converge-nps:redis.evictionPolicy",
    ):
        assert key in text
    assert error.keys >= {"converge-nps:backend.maxReplicas", "converge-nps:deployBranch"}


def test_missing_secret_says_how_to_set_it() -> None:
    error = error_for("dev", sendgridApiKey=None)
    assert "pulumi config set --secret converge-nps:sendgridApiKey <value> -s dev" in str(error)


def test_secret_values_are_never_echoed() -> None:
    leaked = "http://hooks.example/leaky-webhook-value"
    error = error_for("dev", slackWebhookUrl=leaked)
    assert "converge-nps:slackWebhookUrl" in str(error)
    assert leaked not in str(error)


def test_unknown_keys_are_rejected_as_typos() -> None:
    error = error_for("staging", **{"redis.memoryMB": 256})
    assert "converge-nps:redis.memoryMB: unknown key; did you mean `converge-nps:redis.memoryMb`?" in str(error)


def test_ci_overrides_come_from_the_environment_and_are_named_when_bad() -> None:
    good = load_stack_settings("prod", config("prod"), {"CONVERGE_IMAGE_TAG": "sha-1234abc"})
    assert good.image.tag == "sha-1234abc"
    digest = "ghcr.io/converge-nps/backend@sha256:" + "a" * 64
    pinned = load_stack_settings("prod", config("prod"), {"CONVERGE_IMAGE_REF": digest})
    assert pinned.image.prebuilt_reference == digest
    error = error_for("prod", environ={"CONVERGE_IMAGE_REF": "ghcr.io/converge-nps/backend:latest"})
    assert "  - environment variable CONVERGE_IMAGE_REF: converge-nps:image.prebuiltReference: " in str(error)


def test_unrelated_environment_variables_do_not_change_a_stack() -> None:
    environ = {"CONVERGE_REDIS__MEMORY_MB": "4096", "REDIS_MEMORY_MB": "1"}
    assert load_stack_settings("dev", config("dev"), environ) == load_stack_settings("dev", config("dev"), {})


@pytest.mark.parametrize(
    ("stack", "change", "key"),
    [
        ("prod", {"autoDeploy": True}, "autoDeploy"),
        ("prod", {"github": {"repository": "app", "reviewerTeams": []}}, "github.reviewerTeams"),
        ("dev", {"database.plan": "pro"}, "database.plan"),
        ("staging", {"database.plan": "free"}, "database.plan"),
        ("staging", {"redis.appendOnly": False}, "redis.appendOnly"),
        ("dev", {"budget.monthlyUsd": 0}, "budget.monthlyUsd"),
        ("dev", {"backend.publicDomain": "https://api.dev.converge-nps.com"}, "backend.publicDomain"),
        ("dev", {"backups.weeklyCron": "weekly"}, "backups.weeklyCron"),
        ("prod", {"database.allowedCidrs": ["10.0.0.1/8"]}, "database.allowedCidrs"),
        ("prod", {"backend.eventReplicas": 6}, "backend.eventReplicas"),
        ("prod", {"backend.scaleDown": {"cpuPercent": 75, "forMinutes": 15}}, "backend.scaleDown.cpuPercent"),
        ("prod", {"environment": "qa"}, "environment"),
        ("prod", {"deployBranch": "main\n"}, "deployBranch"),
        ("prod", {"database.rlsSchemas": ["public\n"]}, "database.rlsSchemas"),
        ("dev", {"secretRotation.rotationDays": 91}, "secretRotation.rotationDays"),
        ("staging", {"redis.rdbSnapshots": False}, "redis.rdbSnapshots"),
        ("prod", {"backend.publicDomain": "api.example.com\n"}, "backend.publicDomain"),
    ],
)
def test_seed_rules(stack: str, change: dict[str, Any], key: str) -> None:
    assert f"converge-nps:{key}" in str(error_for(stack, **change))


@pytest.mark.parametrize("stack", STACKS)
def test_a_stack_that_does_not_set_them_gets_the_seeds_thresholds(stack: str) -> None:
    """Seed: scale up above 70% CPU for 5 minutes, down below 30% for 15; alert on CPU above 80% for 5 minutes,
    memory above 90%, errors above 5%, p95 above 1 s; Redis allkeys-lru with RDB and AOF; rotation every 90 days;
    hourly backups in event mode."""
    settings_ = load_stack_settings(stack, config(stack), {})
    backend, alerts = settings_.backend, settings_.alerts
    assert (backend.scale_up.cpu_percent, backend.scale_up.for_minutes) == (70, 5)
    assert (backend.scale_down.cpu_percent, backend.scale_down.for_minutes) == (30, 15)
    assert (alerts.cpu_percent, alerts.cpu_for_minutes, alerts.memory_percent) == (80, 5, 90)
    assert (alerts.error_rate_percent, alerts.p95_latency_ms) == (5, 1000)
    redis = settings_.redis
    assert (redis.eviction_policy, redis.rdb_snapshots, redis.append_only) == ("allkeys-lru", True, True)
    assert settings_.secret_rotation.rotation_days == 90
    assert settings_.backups.event_cron == "0 * * * *"


@settings(max_examples=150, deadline=None)
@given(
    stack=st.sampled_from(STACKS),
    low=st.integers(min_value=-1, max_value=MAX_REPLICAS + 2),
    high=st.integers(min_value=-1, max_value=MAX_REPLICAS + 2),
)
def test_replica_bounds_property(stack: str, low: int, high: int) -> None:
    valid = 1 <= low <= high <= MAX_REPLICAS and (stack != "prod" or low >= MIN_PRODUCTION_REPLICAS)
    changes = {"backend.minReplicas": low, "backend.maxReplicas": high, "backend.eventReplicas": max(1, min(low, 5))}
    try:
        settings_ = load_stack_settings(stack, config(stack, **changes), {})
    except StackConfigError as error:
        assert not valid, str(error)
        assert any(k.startswith("converge-nps:backend.") for k in error.keys)
    else:
        assert valid
        assert settings_.deployed_replicas == low


@settings(max_examples=100, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "ftp", "ws", "wss"]),
    host=st.from_regex(r"[a-z]{1,12}\.[a-z]{2,6}", fullmatch=True),
)
def test_frontend_url_must_be_https_property(scheme: str, host: str) -> None:
    url = f"{scheme}://{host}"
    try:
        load_stack_settings("dev", config("dev", frontendUrl=url), {})
    except StackConfigError as error:
        assert scheme != "https"
        assert "converge-nps:frontendUrl" in str(error)
    else:
        assert scheme == "https"


def test_stack_file_that_is_not_a_mapping_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "Pulumi.qa.yaml"
    bad.write_text("config: [1, 2]\n")
    with pytest.raises(StackConfigError, match="Pulumi.qa.yaml"):
        read_stack_file(bad)
