"""secret-stack-outputs: a stack output that holds a credential is a Pulumi secret.

Stack outputs are stored in the state and printed by `pulumi stack output`, every preview and update,
and the PR comment: a credential exported in plaintext is a leak. The engine gives a stack policy the
stack itself (`pulumi:pulumi:Stack`) with the stack's outputs as its properties. A credential is
recognised by its shape (common.credential_kind): a URL with a password, an issuer's token prefix, a
PEM private key, or a random-looking value under a sensitive name.

pulumi-policy unwraps secrets before a stack validation sees them (its AnalyzeStack deserializes the
engine's properties without keeping the secret marks), so by itself this policy could not tell a secret
output from a plaintext one. `keep_stack_output_secrecy` (installed by policies/__main__.py) rewrites
the stack resource's secret values in the request into a mark `unproxied` turns back into `Secret`,
before pulumi-policy reads it; every other resource is left as pulumi-policy delivers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format
from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy
from pulumi_policy import policy as policy_module
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY

from components import tokens
from components.values import Secret, is_unknown
from policies.converge_policies.common import SECRET_MARK, Path, credential_kind, show_path, unproxied

NAME = "secret-stack-outputs"


def plaintext_credentials(outputs: Mapping[str, Any]) -> list[tuple[Path, str]]:
    """(path, what it is) of every credential among the outputs that is not a secret."""
    found: list[tuple[Path, str]] = []

    def visit(value: Any, path: Path) -> None:
        if isinstance(value, Secret) or is_unknown(value):
            return
        if isinstance(value, dict):
            for key, item in value.items():
                visit(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, (*path, index))
        else:
            name = next((part for part in reversed(path) if isinstance(part, str)), None)
            kind = credential_kind(name, value)
            if kind is not None:
                found.append((path, kind))

    for key, value in outputs.items():
        visit(value, (key,))
    return found


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for resource in args.resources:
        if resource.resource_type != tokens.STACK:
            continue
        for path, kind in plaintext_credentials(unproxied(resource.props)):
            report_violation(
                f"stack output '{show_path(path)}' holds {kind} in plaintext: the state, `pulumi stack output` and "
                "every preview show it. Export it as a secret (pulumi.Output.secret(...)) or leave it out of the "
                "outputs.",
                resource.urn,
            )


def _marked(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(SPECIAL_SIG_KEY) == SPECIAL_SECRET_SIG:
            return {SECRET_MARK: _marked(value.get("value"))}
        return {key: _marked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_marked(item) for item in value]
    return value


def keep_stack_output_secrecy() -> None:
    """Make pulumi-policy's AnalyzeStack hand the stack resource's secrets on as marks (see above)."""
    servicer = policy_module._PolicyAnalyzerServicer
    original = servicer.AnalyzeStack
    if getattr(original, "keeps_stack_output_secrecy", False):
        return

    def analyze_stack(self: Any, request: Any, context: Any) -> Any:
        for resource in request.resources:
            if resource.type == tokens.STACK:
                marked = _marked(json_format.MessageToDict(resource.properties))
                resource.properties.Clear()
                resource.properties.update(marked)
        return original(self, request, context)

    analyze_stack.keeps_stack_output_secrecy = True  # type: ignore[attr-defined]
    servicer.AnalyzeStack = analyze_stack  # type: ignore[method-assign]


POLICY = StackValidationPolicy(
    name=NAME,
    description="Stack outputs that hold credentials (URLs with passwords, tokens, private keys) are secrets.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Wrap the exported value with pulumi.Output.secret(...) in __main__.py, or export something that is not "
        "a credential (a host, an id) instead."
    ),
)
