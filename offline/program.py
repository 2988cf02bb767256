"""Run the real `__main__.py` of a stack under Pulumi mocks and record what it registers.

`RecordingMonitor` keeps every registration as the engine receives it (type, name, URN,
parent, camelCase inputs with secrets and unknowns marked with the shared vocabulary,
components/values.py), so the report and the tests see exactly what a real `pulumi preview`/`up`
would be sent. What no offline run can have (the stack's secrets, answers of provider functions such
as GitHub's team lookup, the date) the caller passes in as `StandIns`.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import datetime as dt
import hashlib
import json
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.output import Unknown as PulumiUnknown
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.sync_await import _sync_await

from components import tokens
from components.values import UNKNOWN, Secret, plain
from settings import runtime
from settings.model import FREE_PLAN_COMPUTE_SIZE
from settings.sources import PROJECT
from settings.stackfile import read_stack_file

ROOT = Path(__file__).resolve().parents[1]

# A provider function's answer: (token, arguments) -> outputs.
Invoke = Callable[[str, Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class StandIns:
    """What an offline run cannot have and its caller decides: the values operators set with
    `pulumi config set --secret` (config key -> value), the answers of provider functions, and the
    date that picks the secret-rotation window."""

    secrets: Mapping[str, str]
    invoke: Invoke
    today: dt.date


def mark(value: Any) -> Any:
    """Turn the wire form of inputs (and resolved outputs) into plain Python with `Secret` and `UNKNOWN` markers."""
    if rpc.is_rpc_secret(value):
        return Secret(mark(value["value"]))
    # `keep_unknowns` deserializes the engine's sentinel into the SDK's own Unknown.
    if value == rpc.UNKNOWN or isinstance(value, PulumiUnknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {key: mark(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mark(item) for item in value]
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
    ignore_changes: tuple[str, ...] = ()


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
    tokens.RANDOM_BYTES: _random_bytes,
    tokens.RANDOM_PASSWORD: lambda inputs, seed: {
        "result": hashlib.sha256(seed.encode()).hexdigest()[: int(inputs["length"])]
    },
    tokens.DOCKER_IMAGE: lambda inputs, seed: {
        "repoDigest": f"{str(inputs['imageName']).rsplit(':', 1)[0]}@sha256:{_digest(seed)}",
        "baseImageName": inputs["imageName"],
    },
    # Supabase dynamic resources (providers/supabase): what their `create` reads back from the API.
    tokens.SUPABASE_PROJECT: lambda inputs, seed: {
        "ref": _supabase_ref(seed),
        "status": "ACTIVE_HEALTHY",
        "databaseHost": f"db.{_supabase_ref(seed)}.supabase.co",
        "postgresVersion": f"{inputs['postgresMajorVersion']}.8.1.085",
        "postgresMajor": inputs["postgresMajorVersion"],
        "organizationPlan": inputs["plan"],
        "createdAt": "2026-11-27T00:00:00Z",
        "dbPassDigest": f"sha256:{_digest(seed)}",
    },
    tokens.SUPABASE_COMPUTE: lambda inputs, seed: {
        "variant": None if inputs["size"] == FREE_PLAN_COMPUTE_SIZE else f"ci_{inputs['size']}"
    },
    tokens.SUPABASE_POOLER: lambda inputs, seed: {
        "dbHost": "aws-0-us-west-1.pooler.supabase.com",
        "dbUser": f"postgres.{inputs['projectRef']}",
        "dbName": "postgres",
        "dbPort": 6543,
        "maxClientConn": 200,
    },
    tokens.SUPABASE_SSL_ENFORCEMENT: lambda inputs, seed: {"appliedSuccessfully": True},
    tokens.SUPABASE_NETWORK_RESTRICTIONS: lambda inputs, seed: {
        "entitlement": "allowed",
        "status": "applied",
    },
    tokens.SUPABASE_ROW_LEVEL_SECURITY: lambda inputs, seed: {"tables": [], "tablesWithoutRls": []},
    tokens.SUPABASE_API_KEYS: lambda inputs, seed: {
        "anonKey": f"mock-anon-key-{_digest(seed)}",
        "serviceRoleKey": f"mock-service-role-key-{_digest(seed)}",
        "keyNames": ["anon", "service_role"],
    },
    tokens.SUPABASE_BACKUPS: lambda inputs, seed: {
        "walgEnabled": int(inputs["retentionDays"]) > 0,
        "pitrEnabled": False,
        "completedBackups": 0,
    },
    # Railway dynamic resources (providers/railway): what their `create` computes.
    tokens.RAILWAY_PROJECT_RESOURCE: lambda inputs, seed: {"created": True, "liveWorkspaceId": "ws-mock"},
    tokens.RAILWAY_ENVIRONMENT: lambda inputs, seed: {"created": False},
    tokens.RAILWAY_SERVICE: lambda inputs, seed: {"revision": 1},
    tokens.RAILWAY_SERVICE_LIMITS: lambda inputs, seed: {"revision": 1},
    tokens.RAILWAY_VARIABLES: lambda inputs, seed: {"revision": 1},
    tokens.RAILWAY_DEPLOYMENT: lambda inputs, seed: {"status": "SUCCESS"},
    tokens.RAILWAY_SERVICE_DOMAIN: lambda inputs, seed: {"domain": f"backend-{_digest(seed)[:8]}.up.railway.app"},
    tokens.RAILWAY_CUSTOM_DOMAIN: lambda inputs, seed: {
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
    tokens.RAILWAY_USAGE_LIMIT: lambda inputs, seed: {
        "customerId": "cus-mock",
        "workspaceId": "ws-mock",
    },
    tokens.RAILWAY_PROJECT_TOKEN: lambda inputs, seed: {"token": f"mock-project-token-{_digest(seed)}"},
    tokens.RAILWAY_OBSERVABILITY_DASHBOARD: lambda inputs, seed: {"dashboardId": f"dash-{_digest(seed)[:12]}"},
    # UptimeRobot dynamic resources (providers/uptimerobot): ids are numbers, contact ids as strings.
    tokens.UPTIMEROBOT_ALERT_CONTACT: lambda inputs, seed: {
        "contactId": str(int(_digest(seed)[:7], 16)),
        # A new e-mail contact waits for its confirmation ("not activated"), a Slack one is active.
        "status": 0 if inputs["kind"] == "email" else 2,
    },
    tokens.UPTIMEROBOT_MONITOR: lambda inputs, seed: {"monitorId": str(int(_digest(seed)[:8], 16)), "status": 1},
    # Sentry dynamic resources (providers/sentry): numeric ids as strings, a key's id is its public half.
    tokens.SENTRY_PROJECT: lambda inputs, seed: {"projectId": str(int(_digest(seed)[:10], 16))},
    tokens.SENTRY_CLIENT_KEY: lambda inputs, seed: {
        "keyId": _digest(seed)[:32],
        "dsn": f"https://{_digest(seed)[:32]}@o1.ingest.us.sentry.io/{int(_digest(seed)[32:40], 16)}",
    },
    tokens.SENTRY_ALERT: lambda inputs, seed: {
        "workflowId": str(int(_digest(seed)[:8], 16)),
        "detectorIds": sorted(str(int(_digest(f"{seed}/{n}")[:8], 16)) for n in range(len(inputs["projects"]))),
    },
}


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self, preview: bool, stack: str, invoke: Invoke) -> None:
        self.preview = preview
        self.stack = stack
        self.invoke = invoke
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
            f"{self.stack}/{args.typ}/{args.name}/{json.dumps(plain(mark(args.inputs)), sort_keys=True, default=str)}"
        )
        if compute is not None:
            state.update(compute(plain(mark(args.inputs)), seed))
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        self.calls.append((args.token, dict(args.args)))
        return self.invoke(args.token, dict(args.args)), []


class RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.registrations: dict[str, Registration] = {}
        self.stack: Registration | None = None

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
        registration = Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            custom=request.custom,
            inputs=mark(inputs),
            outputs=mark(rpc.deserialize_properties(response.object, keep_unknowns=True)),
            id=response.id or None,
            additional_secret_outputs=tuple(request.additionalSecretOutputs),
            dependencies=tuple(request.dependencies),
            ignore_changes=tuple(request.ignoreChanges),
        )
        # The stack resource is the engine's, not the program's; a stack policy gets it with the outputs.
        if request.type == tokens.STACK:
            self.stack = registration
        else:
            self.registrations[response.urn] = registration
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        # A component's `register_outputs` become its outputs in the engine's state: what a stack
        # policy sees as the component's properties (e.g. BackendService's maxReplicas), and the
        # stack's `pulumi.export`s the stack resource's.
        is_stack = self.stack is not None and self.stack.urn == request.urn
        registration = self.stack if is_stack else self.registrations.get(request.urn)
        if registration is not None:
            registration.outputs = mark(rpc.deserialize_properties(request.outputs, keep_unknowns=True))
        return super().RegisterResourceOutputs(request)


@dataclass
class ProgramRun:
    stack: str
    preview: bool
    # The stack's config as the engine hands it to the program and to a policy pack: values as strings.
    config: dict[str, str]
    resources: list[Registration]
    outputs: dict[str, Any]  # resolved stack outputs, with Secret / UNKNOWN markers
    mocks: RecordingMocks
    error: BaseException | None = None
    stack_resource: Registration | None = None  # the engine's, with the outputs

    @property
    def state(self) -> list[Registration]:
        """Every resource as the engine's state holds it, what a policy pack is shown: the stack resource
        (its properties the stack's outputs), then the program's resources."""
        return [*([self.stack_resource] if self.stack_resource is not None else []), *self.resources]

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


def stack_config(stack: str, secrets: Mapping[str, str], overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The stack's real `Pulumi.<stack>.yaml` config with `secrets` set, and optional overrides (None deletes)."""
    config = {**read_stack_file(ROOT / f"Pulumi.{stack}.yaml"), **secrets}
    for key, value in (overrides or {}).items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


def engine_config(config: Mapping[str, Any]) -> dict[str, str]:
    """Config as Pulumi hands it over: structured values as JSON text, everything else as strings."""
    return {key: v if isinstance(v, str) else json.dumps(v, default=str) for key, v in config.items()}


def run_stack(
    stack: str,
    stand_ins: StandIns,
    *,
    preview: bool = False,
    config: Mapping[str, Any] | None = None,
    raise_errors: bool = True,
) -> ProgramRun:
    """Run `__main__.py` for `stack` as the engine would, with a fresh event loop and fresh mocks.

    `config` replaces the stack's config entirely when given (use `stack_config` to derive it). CI's
    per-run overrides (CONVERGE_IMAGE_*) come from the process environment, as under the engine.
    """
    encoded = engine_config(config if config is not None else stack_config(stack, stand_ins.secrets))
    secret_keys = [key for key in encoded if key in stand_ins.secrets]

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    mocks = RecordingMocks(preview=preview, stack=stack, invoke=stand_ins.invoke)
    monitor = RecordingMonitor(mocks)
    runtime_settings.reset_options(project=PROJECT, stack=stack, preview=preview)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor)
    # The engine tells a program its project root; the mocks' settings leave it unset.
    runtime_settings.SETTINGS.root_directory = str(ROOT)
    pulumi.runtime.set_all_config(encoded, secret_keys)

    outputs: dict[str, Any] = {}
    error: BaseException | None = None
    try:
        with runtime.as_of(stand_ins.today):
            outputs = _sync_await(_run_program())
    except Exception as failure:
        if raise_errors:
            raise
        error = failure
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    # The engine's language host registers the exports as the stack resource's outputs when the program
    # ends (pulumi.runtime.stack.run_in_stack); under mocks nothing does, so the run does it here.
    if monitor.stack is not None:
        monitor.stack.outputs = dict(outputs)
    return ProgramRun(
        stack, preview, encoded, list(monitor.registrations.values()), outputs, mocks, error, monitor.stack
    )


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
    resolved = mark(resolved)
    return Secret(resolved) if await output.is_secret() else resolved
