"""sensitive-values-are-secrets: credentials reach the state and the providers only as Pulumi secrets.

pulumi-policy shows a validation its resource's properties with secrets already unwrapped, so a
validation cannot tell a secret input from a plaintext one (pulumi-policy deserializes them so). Only the
remediation hook receives them still marked. Hence the two halves of this policy:

- remediate (runs when the level is `remediate`, the default): every sensitive input that arrives
  in plaintext is wrapped as a secret before the engine stores it or sends it to a provider;
- validate (runs at any level): what is visible without secrecy marks: sensitive outputs must be
  listed in `additionalSecretOutputs`, and plaintext-only sinks (GitHub Actions variables) must not
  receive credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from components import railway_resources as railway
from components import tokens
from components.app_secrets.contract import SECRET_OUTPUTS as GENERATED_SECRET_OUTPUTS
from components.github_environment import contract as github
from components.supabase_database import contract as supabase
from components.values import Secret
from policies.converge_policies.common import Path, is_credential_url, is_sensitive_name, to_wire, unproxied

NAME = "sensitive-values-are-secrets"

# Outputs that carry credentials, by resource type: they must be in additionalSecretOutputs so the
# engine encrypts them in the state and masks them in every diff.
DEFAULT_SECRET_OUTPUTS: dict[str, list[str]] = {
    **{token: list(outputs) for token, outputs in GENERATED_SECRET_OUTPUTS.items()},
    tokens.RAILWAY_PROJECT_TOKEN: [railway.PROJECT_TOKEN],
    tokens.SUPABASE_PROJECT: [supabase.PROJECT_DB_PASSWORD],
    tokens.SUPABASE_API_KEYS: [supabase.API_SERVICE_ROLE_KEY],
}

# Resources whose values are stored and shown in plaintext by design: (name property, value property).
PLAINTEXT_SINKS: dict[str, tuple[str, str]] = {
    tokens.GITHUB_ENVIRONMENT_VARIABLE: (github.VARIABLE_NAME, github.VARIABLE_VALUE),
    tokens.GITHUB_ACTIONS_VARIABLE: (github.VARIABLE_NAME, github.VARIABLE_VALUE),
}

# Properties that are credentials whatever they are called (the value of a secret resource).
ALWAYS_SENSITIVE: dict[str, tuple[str, ...]] = {
    tokens.GITHUB_ENVIRONMENT_SECRET: github.SECRET_VALUES,
    tokens.RAILWAY_VARIABLES: (railway.VARIABLES_SECRETS,),
    tokens.SUPABASE_PROJECT: (supabase.PROJECT_DB_PASSWORD,),
}


def sensitive_paths(resource_type: str, props: Mapping[str, Any]) -> list[Path]:
    """Paths of the properties holding credentials: by property or variable name, or by carrying a
    password in a URL. Secret-marked containers are looked into (their parts are covered already)."""
    found: list[Path] = [(key,) for key in ALWAYS_SENSITIVE.get(resource_type, ()) if props.get(key) not in (None, "")]

    def visit(value: Any, path: Path) -> None:
        if isinstance(value, Secret):
            return
        key = path[-1] if path else None
        filled = value is not None and value not in ("", {}, [])
        if isinstance(key, str) and is_sensitive_name(key) and path not in found and filled:
            found.append(path)
            return
        if isinstance(value, dict):
            for child, item in value.items():
                visit(item, (*path, child))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, (*path, index))
        elif is_credential_url(value) and path not in found:
            found.append(path)

    for key, value in props.items():
        if (key,) not in found:
            visit(value, (key,))
    return found


def _at(props: Any, path: Path) -> Any:
    node = props
    for part in path:
        if isinstance(node, Secret):
            node = node.value
        node = node[part]
    return node


def _wrap(props: Any, path: Path) -> Any:
    """A copy of `props` with the value at `path` marked secret."""
    if not path:
        return props if isinstance(props, Secret) else Secret(props)
    if isinstance(props, Secret):
        return props
    head, rest = path[0], path[1:]
    if isinstance(props, dict):
        return {key: (_wrap(item, rest) if key == head else item) for key, item in props.items()}
    if isinstance(props, list):
        return [(_wrap(item, rest) if index == head else item) for index, item in enumerate(props)]
    return props


def fully_secret(value: Any) -> bool:
    """Nothing in `value` would be stored in plaintext: it is secret, or a container whose every value is.

    The engine hands a dynamic provider's inputs back with secrecy on each value rather than on the
    map the program marked (a provider that does not accept secrets gets them re-annotated per value),
    so a map of secrets is as good as a secret map."""
    if isinstance(value, Secret) or value is None:
        return True
    if isinstance(value, dict):
        return all(fully_secret(item) for item in value.values())
    if isinstance(value, list):
        return all(fully_secret(item) for item in value)
    return False


def plaintext_sensitive_paths(resource_type: str, props: Mapping[str, Any]) -> list[Path]:
    return [path for path in sensitive_paths(resource_type, props) if not fully_secret(_at(props, path))]


def remediate(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    props = unproxied(args.props)
    paths = plaintext_sensitive_paths(args.resource_type, props)
    if not paths:
        return None
    for path in paths:
        props = _wrap(props, path)
    wired: Mapping[str, Any] = to_wire(props)
    return wired


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    props = unproxied(args.props)
    configured = args.get_config().get("secretOutputs")
    secret_outputs = {**DEFAULT_SECRET_OUTPUTS, **(configured if isinstance(configured, dict) else {})}
    wanted = secret_outputs.get(args.resource_type, [])
    missing = [name for name in wanted if name not in set(args.opts.additional_secret_outputs)]
    if missing:
        report_violation(
            f"{args.resource_type} '{args.name}' produces credentials in {', '.join(missing)}, which are not in "
            "additionalSecretOutputs: the state would hold them in plaintext.",
            None,
        )
    sink = PLAINTEXT_SINKS.get(args.resource_type)
    if sink is not None:
        name, value = props.get(sink[0]), props.get(sink[1])
        if (isinstance(name, str) and is_sensitive_name(name)) or is_credential_url(value):
            report_violation(
                f"{args.resource_type} '{args.name}' puts the credential {name!r} in a plaintext variable; "
                "GitHub shows variables to anyone who can read the repository settings.",
                None,
            )


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Every sensitive value (secrets, tokens, passwords, keys, connection URLs) is a Pulumi secret.",
    validate=validate,
    # pulumi-policy's hint wants an awaitable; its servicer takes a plain mapping as well (policy.py, Remediate).
    remediate=remediate,  # type: ignore[arg-type]
    enforcement_level=EnforcementLevel.REMEDIATE,
    config_schema=PolicyConfigSchema(
        properties={
            "secretOutputs": {
                "type": "object",
                "description": "Resource type -> outputs that carry credentials and must be in "
                "additionalSecretOutputs (added to the built-in list).",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "default": {},
            }
        }
    ),
    remediation_steps=(
        "Wrap the value with pulumi.Output.secret(...) where the program passes it, or read it with "
        "config.require_secret(...). For outputs, list them in ResourceOptions(additional_secret_outputs=[...]). "
        "Move credentials out of GitHub Actions variables into ActionsEnvironmentSecret."
    ),
)
