"""No token, database password or API key in the serialized providers or (in plaintext) in the state."""

from __future__ import annotations

import base64
from typing import Any

import dill
import pytest
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime._serialization import _deserialize, _serialize

from providers.supabase.api_keys import ApiKeysProvider
from providers.supabase.backups import BackupsProvider
from providers.supabase.compute import ComputeProvider
from providers.supabase.network_restrictions import NetworkRestrictionsProvider
from providers.supabase.pooler import PoolerProvider
from providers.supabase.project import ProjectProvider
from providers.supabase.row_level_security import RowLevelSecurityProvider
from providers.supabase.ssl_enforcement import SslEnforcementProvider
from tests.providers.engine import Engine
from tests.supabase.fake_api import TOKEN, FakeSupabase
from tests.supabase.test_providers import PASSWORD, graph

PROVIDERS: list[type[ResourceProvider]] = [
    ProjectProvider,
    ComputeProvider,
    PoolerProvider,
    SslEnforcementProvider,
    NetworkRestrictionsProvider,
    RowLevelSecurityProvider,
    ApiKeysProvider,
    BackupsProvider,
]


def serialized(provider: ResourceProvider) -> tuple[str, bool]:
    """Exactly what `pulumi.dynamic.Resource.__init__` stores in the `__provider` property."""
    return _serialize(True, serialize_provider, provider)


@pytest.mark.parametrize("provider_class", PROVIDERS, ids=lambda c: c.__name__)
def test_serialized_provider_holds_no_credentials(
    provider_class: type[ResourceProvider], fake: FakeSupabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = provider_class()
    # Use the provider first, as a real run would, so anything it might cache would be in the pickle.
    if provider_class is ProjectProvider:
        Engine().up(graph()[:1])
    blob, contains_secrets = serialized(provider)
    raw = base64.b64decode(blob)
    for secret in (TOKEN, PASSWORD, fake.url):
        assert secret.encode() not in raw
    assert not contains_secrets
    assert provider.serialize_as_secret_always is False, "nothing secret inside, so the state may show it"
    # Pickled by reference: the provider process imports the class, nothing of the program is captured.
    assert provider_class.__module__.encode() in raw and len(raw) < 400
    restored = _deserialize(lambda: dill.loads(raw))  # noqa: S301 - our own pickle, as the provider host does
    assert type(restored) is provider_class and vars(restored) == {}


def _walk(value: Any, path: str = "", secret: bool = False) -> list[tuple[str, str, bool]]:
    """(path, text, inside a secret marker) for every leaf of a property bag."""
    if rpc.is_rpc_secret(value):
        return _walk(rpc.unwrap_rpc_secret(value), path, True)
    if isinstance(value, dict):
        return [leaf for key, child in value.items() for leaf in _walk(child, f"{path}.{key}" if path else key, secret)]
    if isinstance(value, list):
        return [leaf for index, child in enumerate(value) for leaf in _walk(child, f"{path}[{index}]", secret)]
    return [(path, str(value), secret)]


def test_outputs_of_create_and_read_hold_no_token_or_password_and_keys_only_where_secret(fake: FakeSupabase) -> None:
    engine, declared = Engine(), graph(cidrs=["203.0.113.0/24"])
    engine.up(declared)
    project = fake.only_project()
    created = {name: dict(outputs) for name, outputs in engine.outputs.items()}
    engine.refresh()
    for when, states in (("create", created), ("read", engine.outputs)):
        for resource, outputs in states.items():
            for path, text, is_secret in _walk(outputs):
                assert TOKEN not in text, f"{when} {resource}.{path} holds the token"
                assert PASSWORD not in text, f"{when} {resource}.{path} holds the database password"
                if project.anon_key in text or project.service_role_key in text:
                    assert resource == "api-keys", f"{when} {resource}.{path}"
                    assert path in ApiKeysProvider.secret_outputs, f"{when} {resource}.{path}"
                    assert is_secret, f"{when} {resource}.{path} is not marked secret"
    digest = engine.outputs["project"]["dbPassDigest"]
    assert rpc.is_rpc_secret(digest) and rpc.unwrap_rpc_secret(digest).startswith("sha256:")
