"""Run the real `__main__.py` of a stack under Pulumi mocks and record what it registers.

`RecordingMonitor` keeps every registration as the engine receives it (type, name, URN,
parent, camelCase inputs with secrets and unknowns marked), so tests (and the policy-pack
harness) assert on exactly what a real `pulumi preview`/`up` would be sent.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import datetime as dt
import hashlib
import json
import os
import runpy
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.sync_await import _sync_await

from settings import PROJECT, read_stack_file

ROOT = Path(__file__).resolve().parents[1]
STACKS = ("dev", "staging", "prod")

# Stand-ins for the values operators set with `pulumi config set --secret` (no real credential).
STAND_IN_SECRETS: dict[str, str] = {
    f"{PROJECT}:sendgridApiKey": "SG.test-sendgrid-key-0123456789",
    f"{PROJECT}:smartsheetApiKey": "test-smartsheet-key-0123456789",
    f"{PROJECT}:sentryDsn": "https://0123456789abcdef@o1.ingest.sentry.io/1",
    f"{PROJECT}:frontendSentryDsn": "https://fedcba9876543210@o1.ingest.sentry.io/2",
    f"{PROJECT}:slackWebhookUrl": "https://hooks.slack.com/services/T000/B000/test-webhook-secret",
}
FIXED_TODAY = dt.date(2026, 11, 27)


class Secret:
    """A value the program marked secret."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Secret({self.value!r})"


class Unknown:
    """A value not known until `up` (preview only)."""

    def __repr__(self) -> str:
        return "Unknown()"


UNKNOWN = Unknown()


def _mark(value: Any) -> Any:
    """Turn the wire form of inputs into plain Python with `Secret` and `UNKNOWN` markers."""
    if rpc.is_rpc_secret(value):
        return Secret(_mark(value["value"]))
    if value == rpc.UNKNOWN:
        return UNKNOWN
    if isinstance(value, dict):
        return {key: _mark(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mark(item) for item in value]
    return value


def plain(value: Any) -> Any:
    """Strip `Secret` markers (for comparing values)."""
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str | None = None
    additional_secret_outputs: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()


def _digest(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def _supabase_ref(seed: str) -> str:
    """A Supabase project ref (20 lower-case letters) derived from the seed."""
    return "".join(chr(ord("a") + int(c, 16)) for c in _digest(seed)[:20])


# Outputs the real providers compute, so that preview-vs-update behaves as with the engine.
def _random_bytes(inputs: dict[str, Any], seed: str) -> dict[str, Any]:
    raw = hashlib.sha256(seed.encode()).digest()[: int(inputs["length"])]

    return {"hex": raw.hex(), "base64": base64.b64encode(raw).decode()}


COMPUTED_OUTPUTS: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "random:index/randomBytes:RandomBytes": _random_bytes,
    "random:index/randomPassword:RandomPassword": lambda inputs, seed: {
        "result": hashlib.sha256(seed.encode()).hexdigest()[: int(inputs["length"])]
    },
    "docker:index/image:Image": lambda inputs, seed: {
        "repoDigest": f"{str(inputs['imageName']).rsplit(':', 1)[0]}@sha256:{_digest(seed)}",
        "baseImageName": inputs["imageName"],
    },
    # Supabase dynamic resources (providers/supabase): what their `create` reads back from the API.
    "pulumi-python:dynamic/supabase:Project": lambda inputs, seed: {
        "ref": _supabase_ref(seed),
        "status": "ACTIVE_HEALTHY",
        "databaseHost": f"db.{_supabase_ref(seed)}.supabase.co",
        "postgresVersion": f"{inputs['postgresMajorVersion']}.8.1.085",
        "organizationPlan": inputs["plan"],
        "createdAt": "2026-11-27T00:00:00Z",
        "dbPassDigest": f"sha256:{_digest(seed)}",
    },
    "pulumi-python:dynamic/supabase:Compute": lambda inputs, seed: {
        "variant": None if inputs["size"] == "nano" else f"ci_{inputs['size']}"
    },
    "pulumi-python:dynamic/supabase:Pooler": lambda inputs, seed: {
        "dbHost": "aws-0-us-west-1.pooler.supabase.com",
        "dbUser": f"postgres.{inputs['projectRef']}",
        "dbName": "postgres",
        "dbPort": 6543,
        "maxClientConn": 200,
    },
    "pulumi-python:dynamic/supabase:SslEnforcement": lambda inputs, seed: {"appliedSuccessfully": True},
    "pulumi-python:dynamic/supabase:NetworkRestrictions": lambda inputs, seed: {
        "entitlement": "allowed",
        "status": "applied",
    },
    "pulumi-python:dynamic/supabase:RowLevelSecurity": lambda inputs, seed: {"tables": [], "tablesWithoutRls": []},
    "pulumi-python:dynamic/supabase:ApiKeys": lambda inputs, seed: {
        "anonKey": f"mock-anon-key-{_digest(seed)}",
        "serviceRoleKey": f"mock-service-role-key-{_digest(seed)}",
        "keyNames": ["anon", "service_role"],
    },
    "pulumi-python:dynamic/supabase:Backups": lambda inputs, seed: {
        "walgEnabled": int(inputs["retentionDays"]) > 0,
        "pitrEnabled": False,
        "completedBackups": 0,
    },
    # Railway dynamic resources (providers/railway): what their `create` computes.
    "pulumi-python:dynamic/railway:Project": lambda inputs, seed: {"created": True, "liveWorkspaceId": "ws-mock"},
    "pulumi-python:dynamic/railway:Environment": lambda inputs, seed: {"created": False},
    "pulumi-python:dynamic/railway:Service": lambda inputs, seed: {"revision": 1},
    "pulumi-python:dynamic/railway:Variables": lambda inputs, seed: {"revision": 1},
    "pulumi-python:dynamic/railway:Deployment": lambda inputs, seed: {"status": "SUCCESS"},
    "pulumi-python:dynamic/railway:ServiceDomain": lambda inputs, seed: {
        "domain": f"backend-{_digest(seed)[:8]}.up.railway.app"
    },
    "pulumi-python:dynamic/railway:CustomDomain": lambda inputs, seed: {
        "dnsRecords": [
            {
                "type": "CNAME",
                "name": inputs["domain"],
                "host": str(inputs["domain"]).split(".", 1)[0],
                "zone": str(inputs["domain"]).split(".", 1)[1],
                "value": f"{_digest(seed)[:8]}.up.railway.app",
                "purpose": "TRAFFIC_ROUTE",
            }
        ],
        "verified": False,
        "certificateStatus": "CERTIFICATE_STATUS_TYPE_VALIDATING_OWNERSHIP",
    },
    "pulumi-python:dynamic/railway:UsageLimit": lambda inputs, seed: {
        "customerId": "cus-mock",
        "workspaceId": "ws-mock",
    },
    "pulumi-python:dynamic/railway:ProjectToken": lambda inputs, seed: {"token": f"mock-project-token-{_digest(seed)}"},
}


def github_id(name: str) -> int:
    """The numeric id the mocked GitHub API gives a team or user."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:6], 16)


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self, preview: bool, stack: str) -> None:
        self.preview = preview
        self.stack = stack
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        state = copy.deepcopy(args.inputs)
        if not args.custom:
            return None, state
        if self.preview:
            # The engine knows no id or computed output before the provider has run.
            return None, state
        compute = COMPUTED_OUTPUTS.get(args.typ)
        seed = (
            f"{self.stack}/{args.typ}/{args.name}/{json.dumps(plain(_mark(args.inputs)), sort_keys=True, default=str)}"
        )
        if compute is not None:
            state.update(compute(plain(_mark(args.inputs)), seed))
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        self.calls.append((args.token, dict(args.args)))
        if args.token in ("github:index/getTeam:getTeam", "github:index/getUser:getUser"):
            key = args.args.get("slug") or args.args.get("username")
            return {"id": str(github_id(str(key))), "nodeId": f"N_{key}"}, []
        raise NotImplementedError(f"no mock for invoke {args.token}")


class RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.registrations: dict[str, Registration] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
            self.registrations[response.urn] = Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=request.custom,
                inputs=_mark(inputs),
                outputs=_mark(rpc.deserialize_properties(response.object, keep_unknowns=True)),
                id=response.id or None,
                additional_secret_outputs=tuple(request.additionalSecretOutputs),
                dependencies=tuple(request.dependencies),
            )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        # A component's `register_outputs` become its outputs in the engine's state: what a stack
        # policy sees as the component's properties (e.g. BackendService's maxReplicas).
        registration = self.registrations.get(request.urn)
        if registration is not None:
            registration.outputs = _mark(rpc.deserialize_properties(request.outputs, keep_unknowns=True))
        return super().RegisterResourceOutputs(request)


@dataclass
class ProgramRun:
    stack: str
    preview: bool
    resources: list[Registration]
    outputs: dict[str, Any]  # resolved stack outputs, with Secret / UNKNOWN markers
    mocks: RecordingMocks
    error: BaseException | None = None

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> Registration:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            raise AssertionError(f"expected one {type_} {name or ''}, found {[r.name for r in found]}")
        return found[0]

    def children_of(self, parent: Registration) -> list[Registration]:
        return [r for r in self.resources if r.parent == parent.urn]

    @property
    def custom_resources(self) -> list[Registration]:
        return [r for r in self.resources if r.custom]


def stack_config(stack: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The stack's real `Pulumi.<stack>.yaml` config plus the test secrets, with optional overrides."""
    config = {**read_stack_file(ROOT / f"Pulumi.{stack}.yaml"), **STAND_IN_SECRETS}
    for key, value in (overrides or {}).items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


@contextmanager
def _environment(environ: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith("CONVERGE_")]:
        del os.environ[key]
    os.environ.update(environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_stack(
    stack: str,
    *,
    preview: bool = False,
    config: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    today: dt.date = FIXED_TODAY,
    raise_errors: bool = True,
) -> ProgramRun:
    """Run `__main__.py` for `stack` as the engine would, with a fresh event loop and fresh mocks.

    `config` replaces the stack's config entirely when given (use `stack_config` to derive it).
    """
    values = dict(config) if config is not None else stack_config(stack)
    # Pulumi hands programs structured values as JSON text and everything else as strings.
    encoded = {key: v if isinstance(v, str) else json.dumps(v, default=str) for key, v in values.items()}
    secret_keys = [key for key in encoded if key in STAND_IN_SECRETS]

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    mocks = RecordingMocks(preview=preview, stack=stack)
    monitor = RecordingMonitor(mocks)
    runtime_settings.reset_options(project=PROJECT, stack=stack, preview=preview)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config(encoded, secret_keys)

    from settings import runtime as settings_runtime

    original_today = settings_runtime.today
    settings_runtime.today = lambda: today
    outputs: dict[str, Any] = {}
    error: BaseException | None = None
    try:
        with _environment(environ or {}):
            cwd = os.getcwd()
            os.chdir(ROOT)
            try:
                outputs = _sync_await(_run_program())
            except Exception as failure:
                if raise_errors:
                    raise
                error = failure
            finally:
                os.chdir(cwd)
    finally:
        settings_runtime.today = original_today
        asyncio.set_event_loop(None)
        loop.close()
    return ProgramRun(stack, preview, list(monitor.registrations.values()), outputs, mocks, error)


async def _run_program() -> dict[str, Any]:
    from pulumi.runtime.stack import run_pulumi_func

    def program() -> None:
        runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")

    await run_pulumi_func(program)
    root = runtime_settings.get_root_resource()
    assert root is not None
    return {name: await _resolve(value) for name, value in root.outputs.items()}  # type: ignore[attr-defined]


async def _resolve(value: Any) -> Any:
    output = pulumi.Output.from_input(value)
    if not await output.is_known():
        return UNKNOWN
    resolved = await output.future(with_unknowns=True)
    resolved = _unknowns(resolved)
    return Secret(resolved) if await output.is_secret() else resolved


def _unknowns(value: Any) -> Any:
    from pulumi.output import Unknown as PulumiUnknown

    if isinstance(value, PulumiUnknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: _unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknowns(v) for v in value]
    return value
