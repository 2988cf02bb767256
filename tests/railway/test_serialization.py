"""What Pulumi stores for the Railway resources: the serialized provider carries no token and no
secret value, and secret values are marked secret wherever they appear."""

from __future__ import annotations

import base64

import dill
import pytest
from pulumi.dynamic.dynamic import PROVIDER_KEY, serialize_provider

from components.values import Secret, plain
from providers.railway.project import ProjectProvider
from providers.railway.provider import RailwayProvider
from tests.cost.test_model import settings_of
from tests.doubles import STAND_IN_SECRETS, run_stack
from tests.railway.fake_railway import TOKEN, FakeRailway
from tests.railway.helpers import RAILWAY, Managed, all_secret, project_props


def test_the_sdk_serializer_captures_no_token(fake: FakeRailway) -> None:
    provider = ProjectProvider()
    Managed(provider, project_props())  # the provider has just used the token
    serialized = serialize_provider(provider)
    raw = base64.b64decode(serialized)
    assert TOKEN.encode() not in raw and TOKEN not in serialized
    # Pickled by reference (module and class name), not by value: nothing of the running process rides along.
    assert len(raw) < 200 and b"providers.railway.project" in raw
    assert vars(dill.loads(raw)) == {}  # noqa: S301 - our own serialized provider


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_registered_providers_hold_no_secret(stack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAILWAY_TOKEN", TOKEN)
    run = run_stack(stack)
    railway = [r for r in run.resources if r.type.startswith(RAILWAY)]
    # One dashboard per stack; the workspace's usage limit is prod's; the watchdog's 5 included.
    assert len(railway) == (20 if stack == "prod" else 19)
    generated = {
        str(plain(r.outputs.get(key)))
        for r in run.resources
        for key in ("hex", "base64", "result")
        if r.type.startswith("random:") and r.outputs.get(key)
    }
    secrets = [*STAND_IN_SECRETS.values(), *generated, TOKEN]
    for resource in railway:
        serialized = plain(resource.inputs[PROVIDER_KEY])
        raw = base64.b64decode(serialized)
        assert not [s for s in secrets if s.encode() in raw or s in serialized], resource.name
        provider = dill.loads(raw)  # noqa: S301 - our own serialized provider
        assert isinstance(provider, RailwayProvider) and vars(provider) == {}
        # Nothing secret inside, so the provider core lets the state show it (serialize_as_secret_always).
        assert not isinstance(resource.inputs[PROVIDER_KEY], Secret)


def test_secret_values_are_secret_in_inputs_and_outputs() -> None:
    run = run_stack("prod")
    variables = {r.name: r for r in run.of_type(f"{RAILWAY}Variables")}
    backend = variables["backend-variables"]
    assert all_secret(backend.inputs["secrets"])
    assert "secrets" in backend.additional_secret_outputs
    assert set(plain(backend.inputs["secrets"])) == {
        "DATABASE_URL",
        "REDIS_URL",
        "JWT_SECRET",
        "JWT_REFRESH_SECRET",
        "SENDGRID_API_KEY",
        "SMARTSHEET_API_KEY",
        "SENTRY_DSN",
    }
    frontend_url = settings_of("prod").frontend_url
    assert plain(backend.inputs["variables"]) == {"NODE_ENV": "production", "FRONTEND_URL": frontend_url}
    assert all_secret(variables["redis-variables"].inputs["secrets"])
    for token in run.of_type(f"{RAILWAY}ProjectToken"):
        assert "token" in token.additional_secret_outputs
