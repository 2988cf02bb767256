"""The settings contract: rendered from the stack settings by the program, parsed by the service."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import ValidationError

from cost.prices import load_prices
from cost.stack import estimate, sizes_from_settings
from tests.watchdog.simulation import ROOT, STAND_IN_SECRETS, stack_settings
from watchdog.contract import WatchdogConfig, parse_config
from watchdog.render import render_config

STACKS = ("dev", "staging", "prod")


def rendered(stack: str) -> str:
    return render_config(stack_settings(stack), project_id="prj", environment_id="env", backend_service_id="svc")


@pytest.mark.parametrize("stack", STACKS)
def test_the_service_gets_the_stack_settings_own_models(stack: str) -> None:
    settings = stack_settings(stack)
    config = parse_config(rendered(stack))
    assert config.backend == settings.backend
    assert config.alerts == settings.alerts
    assert config.budget == settings.budget
    assert config.watchdog == settings.watchdog
    assert config.event_mode == settings.event_mode


@pytest.mark.parametrize("stack", STACKS)
def test_prices_come_from_the_cost_model(stack: str) -> None:
    settings = stack_settings(stack)
    config = parse_config(rendered(stack))
    backend = estimate(sizes_from_settings(settings)).component("backend")
    assert backend is not None
    assert config.price_per_replica_monthly_usd * settings.backend.max_replicas == pytest.approx(float(backend.max_usd))
    total = estimate(sizes_from_settings(settings))
    assert config.other_monthly_usd == pytest.approx(float(total.monthly_usd - backend.monthly_usd))


@pytest.mark.parametrize("stack", STACKS)
def test_replica_price_hard_limit_and_dashboard_follow_the_settings(stack: str) -> None:
    settings = stack_settings(stack)
    config = parse_config(rendered(stack))
    prices = load_prices()
    per_replica = settings.backend.vcpu_per_replica * float(prices["railway.vcpu_month"].usd)
    per_replica += settings.backend.memory_gb_per_replica * float(prices["railway.memory_gb_month"].usd)
    assert config.price_per_replica_monthly_usd == pytest.approx(per_replica)
    expected_limit = settings.budget.monthly_usd if settings.railway.set_usage_limit else None
    assert config.railway_hard_limit_usd == expected_limit
    assert config.dashboard_url == "https://railway.com/project/prj/observability?environmentId=env"


@pytest.mark.parametrize("stack", STACKS)
def test_the_json_holds_no_secret(stack: str) -> None:
    text = rendered(stack)
    for secret in STAND_IN_SECRETS.values():
        assert secret not in text
    assert "hooks.slack.com" not in text
    assert not re.search(r"(?i)token|password|dsn|apikey", " ".join(json.loads(text)))


def test_the_contract_refuses_unknown_keys_and_other_versions() -> None:
    document = json.loads(rendered("prod"))
    with pytest.raises(ValidationError):
        parse_config(json.dumps({**document, "cpuThreshold": 75}))
    with pytest.raises(ValidationError):
        parse_config(json.dumps({**document, "version": 2}))
    with pytest.raises(ValidationError):
        parse_config(json.dumps({**document, "backend": {**document["backend"], "minReplicas": 9}}))
    assert WatchdogConfig.model_validate(document).environment == "production"


def test_the_image_pins_are_the_programs_pins() -> None:
    def pins(path: str) -> dict[str, str]:
        lines = (ROOT / path).read_text().splitlines()
        found = [line.split("==") for line in lines if "==" in line and not line.startswith("#")]
        return {name.lower(): version for name, version in found}

    program = pins("requirements.txt")
    image = pins("watchdog/requirements.txt")
    assert image and all(program.get(name) == version for name, version in image.items()), (image, program)
