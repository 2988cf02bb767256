"""Run the policy pack over recorded resources the way the Pulumi engine runs it.

pulumi-policy offers no way to run a pack without the engine, so this plays the engine's side of the
analyzer protocol against the pack's own process (`python -m pulumi.policy`, what the language host
starts for `--policy-pack policies`), over its public gRPC interface:

- the pack process gets the stack's name, project and config in its environment, as the engine
  passes them (PULUMI_STACK, PULUMI_PROJECT, PULUMI_CONFIG, PULUMI_DRY_RUN);

- the pack's config is reconciled as the CLI does for `--policy-pack-config` (schema defaults, then
  the `all` level, then each policy's entry; each policy's config validated against its schema);
- every resource is sent as the engine sends it (pkg/resource/deploy/step_generator.go): first
  `Remediate`, whose changed properties replace the inputs, then `Analyze`; at the end one
  `AnalyzeStack` with every resource's outputs, parents and dependencies;
- properties go over the wire as the engine marshals them (sdk plugin/rpc.go, KeepSecrets and
  KeepUnknowns, internal `__` keys skipped): secrets in the secret signature, unknowns as the
  unknown sentinel, numbers as doubles.

So a policy sees here exactly the objects it gets under `pulumi preview --policy-pack`, proxies and
unwrapped secrets included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import grpc
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel, Policy
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY

from components.values import Secret, Unknown
from settings.sources import PROJECT

PACK_DIRECTORY = Path(__file__).resolve().parents[2] / "policies"
LEVELS = {level.value for level in EnforcementLevel}


class PackConfigError(Exception):
    """The policy pack config file is invalid (the CLI would refuse it the same way)."""


class Recorded(Protocol):
    """A registered resource as offline/program.py records it (components/values.py markers inside)."""

    @property
    def urn(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def parent(self) -> str: ...
    @property
    def inputs(self) -> dict[str, Any]: ...
    @property
    def outputs(self) -> dict[str, Any]: ...
    @property
    def additional_secret_outputs(self) -> tuple[str, ...]: ...
    @property
    def dependencies(self) -> tuple[str, ...]: ...


def to_wire(value: Any, *, skip_internal: bool = True) -> Any:
    """A recorded value as the engine marshals it for an analyzer. `Analyze`/`AnalyzeStack` skip
    internal keys (`__provider` of dynamic resources); `Remediate` gets them, and hands them back."""
    if isinstance(value, Secret):
        return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": to_wire(value.value, skip_internal=skip_internal)}
    if isinstance(value, Unknown):
        return value.sentinel
    if isinstance(value, Mapping):
        return {
            str(k): to_wire(v, skip_internal=skip_internal)
            for k, v in value.items()
            if not (skip_internal and str(k).startswith("__"))
        }
    if isinstance(value, list | tuple):
        return [to_wire(item, skip_internal=skip_internal) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value)


def to_struct(props: Mapping[str, Any], *, skip_internal: bool = True) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(to_wire(props, skip_internal=skip_internal))
    return struct


def _without_internal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_internal(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_without_internal(item) for item in value]
    return value


# --- config ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyConfig:
    level: str
    properties: dict[str, Any]


def read_config_file(path: Path) -> dict[str, Any]:
    """A `--policy-pack-config` file: `{policy: level | {enforcementLevel?, ...props}}`, or version 2
    (`{"version": 2, "policies": {...}}`)."""
    text = path.read_text()
    if not text.strip():
        return {}
    document = json.loads(text)
    if not isinstance(document, dict):
        raise PackConfigError(f"{path}: the policy pack config must be a JSON object")
    if isinstance(document.get("version"), int | float):
        if document["version"] != 2:
            raise PackConfigError(f"{path}: 'version' must be 2")
        document = document.get("policies") or {}
    document.pop("environments", None)
    return dict(document)


def reconcile(
    policies: Sequence[Policy], given: Mapping[str, Any], pack_level: EnforcementLevel = EnforcementLevel.MANDATORY
) -> dict[str, PolicyConfig]:
    """The config the engine sends to `Configure`: defaults from each policy's schema and level,
    the `all` level, then each policy's own entry; validated against each policy's schema."""
    import jsonschema

    known = {policy.name for policy in policies}
    problems: list[str] = []
    for key, value in given.items():
        if key != "all" and key not in known:
            problems.append(f"{key}: not a policy of this pack (known: {', '.join(sorted(known))})")
        if isinstance(value, str) and value not in LEVELS:
            problems.append(f"{key}: {value!r} is not a valid enforcement level")
    result: dict[str, PolicyConfig] = {}
    for policy in policies:
        level = (policy.enforcement_level or pack_level).value
        properties: dict[str, Any] = {}
        if policy.config_schema is not None:
            for key, schema in policy.config_schema.properties.items():
                if "default" in schema:
                    properties[key] = json.loads(json.dumps(schema["default"]))
        all_level = given.get("all")
        if isinstance(all_level, str) and all_level in LEVELS:
            level = all_level
        entry = given.get(policy.name)
        if isinstance(entry, str):
            level = entry
        elif isinstance(entry, Mapping):
            entry = dict(entry)
            entry_level = entry.pop("enforcementLevel", None)
            if entry_level is not None:
                if entry_level not in LEVELS:
                    problems.append(f"{policy.name}: {entry_level!r} is not a valid enforcement level")
                else:
                    level = entry_level
            properties.update(entry)
        elif entry is not None:
            problems.append(f"{policy.name}: must be a string or an object")
        if policy.config_schema is not None:
            schema = {"type": "object", "properties": policy.config_schema.properties}
            if policy.config_schema.required:
                schema["required"] = policy.config_schema.required
            for error in jsonschema.Draft7Validator(schema).iter_errors(properties):
                where = ".".join(str(part) for part in error.absolute_path) or "(root)"
                problems.append(f"{policy.name}: {where}: {error.message}")
        result[policy.name] = PolicyConfig(level, properties)
    if problems:
        raise PackConfigError("invalid policy pack config:\n  - " + "\n  - ".join(problems))
    return result


# --- results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    level: str  # "mandatory" / "advisory" (as the engine reports it)
    description: str
    detail: str  # the message the policy reported (the engine prints description + detail)
    urn: str
    resource_type: str | None
    name: str | None


@dataclass(frozen=True)
class Remediation:
    policy: str
    urn: str
    resource_type: str
    name: str
    changed: tuple[str, ...]  # top-level properties the remediation rewrote


@dataclass
class PackResult:
    policies: Sequence[Policy]
    config: dict[str, PolicyConfig]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    remediations: list[Remediation] = field(default_factory=list)
    not_applicable: list[tuple[str, str, str]] = field(default_factory=list)  # policy, urn, reason
    props: dict[str, dict[str, Any]] = field(default_factory=dict)  # urn -> inputs after remediation (wire form)

    def of(self, policy: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.policy == policy]

    @property
    def mandatory(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "mandatory"]

    def verdict(self, policy: str) -> str:
        """pass / fail (mandatory violation) / warn (advisory) / remediated / disabled."""
        if self.config[policy].level == "disabled":
            return "disabled"
        diagnostics = self.of(policy)
        if any(d.level == "mandatory" for d in diagnostics):
            return "fail"
        if diagnostics:
            return "warn"
        if any(r.policy == policy for r in self.remediations):
            return "remediated"
        return "pass"


def _level_name(level: int) -> str:
    return str(analyzer_pb2.EnforcementLevel.Name(level)).lower()


def _options(resource: Recorded) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(
        parent=resource.parent or "",
        additionalSecretOutputs=list(resource.additional_secret_outputs),
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(),
    )


def _split(description: str, message: str) -> str:
    return message[len(description) :].lstrip("\n") if message.startswith(description) else message


class Analyzer(Protocol):
    """The analyzer RPCs the engine calls: pulumi-policy's servicer in process, or a pack over gRPC."""

    def Configure(self, request: Any, context: Any) -> Any: ...  # noqa: N802 - gRPC method names
    def Remediate(self, request: Any, context: Any) -> Any: ...  # noqa: N802
    def Analyze(self, request: Any, context: Any) -> Any: ...  # noqa: N802
    def AnalyzeStack(self, request: Any, context: Any) -> Any: ...  # noqa: N802


class GrpcAnalyzer:
    """The analyzer RPCs over a pack process's gRPC server (the engine's side of the protocol)."""

    def __init__(self, stub: analyzer_pb2_grpc.AnalyzerStub) -> None:
        self.stub = stub

    def Configure(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC method names
        return self.stub.Configure(request)

    def Remediate(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.stub.Remediate(request)

    def Analyze(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.stub.Analyze(request)

    def AnalyzeStack(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.stub.AnalyzeStack(request)


class PackProcessError(Exception):
    """The pack process did not start."""


def pack_environment(stack: str, config: Mapping[str, str], *, preview: bool) -> dict[str, str]:
    """What the engine puts in a policy pack's environment: the stack, its project and its config."""
    return {
        "PULUMI_STACK": stack,
        "PULUMI_PROJECT": PROJECT,
        "PULUMI_CONFIG": json.dumps(dict(config)),
        "PULUMI_DRY_RUN": "true" if preview else "false",
    }


@contextmanager
def pack_process(
    stack: str, config: Mapping[str, str], *, preview: bool, directory: Path = PACK_DIRECTORY
) -> Iterator[GrpcAnalyzer]:
    """The pack as the language host starts it for this stack, stopped on exit."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(directory)],
        cwd=directory,
        env={**os.environ, **pack_environment(stack, config, preview=preview)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = process.stdout.readline().strip() if process.stdout else ""
        if not port.isdigit():
            process.kill()
            _, errors = process.communicate(timeout=30)
            raise PackProcessError(f"the policy pack did not start: {errors.strip()[-2000:]}")
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        try:
            yield GrpcAnalyzer(analyzer_pb2_grpc.AnalyzerStub(channel))
        finally:
            channel.close()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def run_pack(
    policies: Sequence[Policy],
    resources: Iterable[Recorded],
    config: Mapping[str, Any],
    analyzer: Analyzer,
) -> PackResult:
    """Run every policy over `resources` in registration order; `config` is a config file's content.
    `policies` gives the pack's metadata (names, levels, schemas); `analyzer` runs it (a `pack_process`)."""
    reconciled = reconcile(policies, config)
    servicer = analyzer
    servicer.Configure(
        analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={
                name: analyzer_pb2.PolicyConfig(
                    enforcementLevel=getattr(analyzer_pb2, item.level.upper()), properties=_struct(item.properties)
                )
                for name, item in reconciled.items()
            }
        ),
        None,
    )
    result = PackResult(policies, reconciled)
    records = list(resources)
    by_urn = {r.urn: r for r in records}
    descriptions = {policy.name: policy.description for policy in policies}

    def collect(diagnostics: Iterable[Any], default_urn: str) -> None:
        for diagnostic in diagnostics:
            urn = diagnostic.urn or default_urn
            resource = by_urn.get(urn)
            result.diagnostics.append(
                Diagnostic(
                    policy=diagnostic.policyName,
                    level=_level_name(diagnostic.enforcementLevel),
                    description=diagnostic.description or descriptions.get(diagnostic.policyName, ""),
                    detail=_split(diagnostic.description, diagnostic.message),
                    urn=urn,
                    resource_type=resource.type if resource else None,
                    name=resource.name if resource else None,
                )
            )

    for resource in records:
        request = analyzer_pb2.AnalyzeRequest(
            type=resource.type,
            properties=to_struct(resource.inputs, skip_internal=False),
            urn=resource.urn,
            name=resource.name,
            options=_options(resource),
        )
        remediated = servicer.Remediate(request, None)
        for remediation in remediated.remediations:
            if remediation.diagnostic:
                collect(
                    [
                        analyzer_pb2.AnalyzeDiagnostic(
                            policyName=remediation.policyName,
                            description=remediation.description,
                            message=remediation.diagnostic,
                            enforcementLevel=analyzer_pb2.ADVISORY,
                            urn=resource.urn,
                        )
                    ],
                    resource.urn,
                )
                continue
            before = _without_internal(json_format.MessageToDict(request.properties))
            after = _without_internal(json_format.MessageToDict(remediation.properties))
            changed = tuple(sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k)))
            result.remediations.append(
                Remediation(remediation.policyName, resource.urn, resource.type, resource.name, changed)
            )
            request.properties.CopyFrom(remediation.properties)
        # What Analyze gets: the (remediated) inputs without internal keys.
        inputs = _without_internal(json_format.MessageToDict(request.properties))
        result.props[resource.urn] = inputs
        request.properties.Clear()
        request.properties.update(inputs)
        analyzed = servicer.Analyze(request, None)
        collect(analyzed.diagnostics, resource.urn)
        result.not_applicable += [(n.policy_name, resource.urn, n.reason) for n in analyzed.not_applicable]

    stack_request = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r.type,
                properties=to_struct(r.outputs),
                urn=r.urn,
                name=r.name,
                options=_options(r),
                parent=r.parent or "",
                dependencies=list(r.dependencies),
            )
            for r in records
        ]
    )
    analyzed_stack = servicer.AnalyzeStack(stack_request, None)
    collect(analyzed_stack.diagnostics, "")
    result.not_applicable += [(n.policy_name, "", n.reason) for n in analyzed_stack.not_applicable]
    return result


def _struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(dict(values))
    return struct
