"""Where stack settings come from: the stack's Pulumi config, then CI's per-run overrides.

Pulumi hands a program its config as strings keyed `namespace:key` (structured values as
JSON text); a stack file read directly has YAML-typed values. Both land here, and each
value remembers where it came from so that an error can name the file or the variable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

PROJECT = "converge-nps"
# Pulumi accepts typed declarations in Pulumi.yaml only for keys in the project's own namespace.
NAMESPACE = PROJECT

# Environment variables CI decides per run, and the settings path each one sets.
CI_OVERRIDES: dict[str, tuple[str, ...]] = {
    "CONVERGE_IMAGE_TAG": ("image", "tag"),
    "CONVERGE_IMAGE_REF": ("image", "prebuiltReference"),
}


def stack_file_name(stack: str) -> str:
    return f"Pulumi.{stack}.yaml"


def config_path(key: str, location: tuple[str | int, ...] = ()) -> str:
    """How messages name a value: the config key, then `.field` and `[index]` down to it."""
    for part in location:
        key += f"[{part}]" if isinstance(part, int) else f".{part}"
    return key


def set_secret_command(key: str, stack: str) -> str:
    """The command that stores `key` (a config key or a path below one) encrypted."""
    path = "--path " if any(mark in key.partition(":")[2] for mark in ".[") else ""
    return f"pulumi config set --secret {path}{key} <value> -s {stack}"


def is_secure_value(value: Any) -> bool:
    """A secret as a stack file stores it: `{secure: <ciphertext>}`."""
    return isinstance(value, Mapping) and set(value) == {"secure"} and isinstance(value["secure"], str)


@dataclass(frozen=True)
class LoadContext:
    """What the sources read while one `StackSettings` is being built."""

    stack: str
    config: Mapping[str, Any]
    environ: Mapping[str, str] = field(default_factory=dict)
    # Each config key's line in the stack file, when it was read from one.
    lines: Mapping[str, int] = field(default_factory=dict)


_CONTEXT: ContextVar[LoadContext | None] = ContextVar("converge_settings_context", default=None)


def current_stack() -> str | None:
    """The stack whose settings are being built, when they are built by the loader."""
    context = _CONTEXT.get()
    return context.stack if context is not None else None


@contextmanager
def loading(context: LoadContext) -> Iterator[None]:
    token = _CONTEXT.set(context)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def decode_config_value(value: Any) -> Any:
    """Pulumi passes structured config as JSON text; stack files give it as YAML objects."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def project_values(config: Mapping[str, Any]) -> dict[str, Any]:
    """The project namespace's keys, without the namespace; other namespaces (github:owner) are not ours."""
    prefix = f"{NAMESPACE}:"
    return {key[len(prefix) :]: decode_config_value(value) for key, value in config.items() if key.startswith(prefix)}


def ci_override_values(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for variable, path in CI_OVERRIDES.items():
        if environ.get(variable):
            node = values
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = environ[variable]
    return values


def origin_of(location: tuple[str | int, ...], context: LoadContext) -> str:
    """Name the file or variable a settings path came from, for error messages."""
    for variable, path in CI_OVERRIDES.items():
        if context.environ.get(variable) and tuple(location[: len(path)]) == path:
            return f"environment variable {variable}"
    return stack_file_name(context.stack)


def line_of(location: tuple[str | int, ...], context: LoadContext) -> int | None:
    """The stack-file line of a settings path, or of the nearest key above it that the file has."""
    for end in range(len(location), 0, -1):
        line = context.lines.get(config_path(f"{NAMESPACE}:{location[0]}", location[1:end]))
        if line is not None:
            return line
    return None


class _ContextSource(PydanticBaseSettingsSource):
    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Whole-model sources: values are produced in __call__.
        return None, field_name, False

    def values(self, context: LoadContext) -> dict[str, Any]:
        raise NotImplementedError

    def __call__(self) -> dict[str, Any]:
        context = _CONTEXT.get()
        return self.values(context) if context is not None else {}


class PulumiConfigSource(_ContextSource):
    """The stack's Pulumi config (`converge-nps:*` keys)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)

    def values(self, context: LoadContext) -> dict[str, Any]:
        return project_values(context.config)


class CiOverrideSource(_ContextSource):
    """Per-run values CI decides (image tag, prebuilt image), taken from the environment."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)

    def values(self, context: LoadContext) -> dict[str, Any]:
        return ci_override_values(context.environ)
