"""Build `StackSettings` for a stack, failing with one message that names every bad key."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from settings.model import RULE_VIOLATIONS, StackSettings, seed_rule_violations
from settings.sources import NAMESPACE, LoadContext, loading, origin_of, project_values, stack_file_name


class StackConfigError(Exception):
    """The stack's configuration is invalid; the message lists every bad key and where it came from."""

    def __init__(self, stack: str, problems: list[tuple[str, str, str]]) -> None:
        self.stack = stack
        self.problems = problems  # (key, message, origin)
        lines = [f"invalid configuration for stack {stack!r} ({stack_file_name(stack)}):"]
        lines += [
            f"  - {key}: {message}" + ("" if origin == stack_file_name(stack) else f" [from {origin}]")
            for key, message, origin in problems
        ]
        lines.append(
            f"Fix them in {stack_file_name(stack)} (`pulumi config set --path {NAMESPACE}:<key> <value> -s {stack}`; "
            f"secrets with `--secret`)."
        )
        super().__init__("\n".join(lines))


def load_stack_settings(stack: str, config: Mapping[str, Any], environ: Mapping[str, str]) -> StackSettings:
    """Validate `config` (Pulumi config, `namespace:key` -> value) plus CI overrides from `environ`."""
    context = LoadContext(stack=stack, config=config, environ=environ)
    try:
        with loading(context):
            return StackSettings()
    except ValidationError as error:
        raise StackConfigError(stack, list(_problems(error, context))) from None


def _problems(error: ValidationError, context: LoadContext) -> list[tuple[str, str, str]]:
    problems: list[tuple[str, str, str]] = []
    for detail in error.errors(include_input=False, include_url=False):
        location = tuple(detail["loc"])
        if detail["type"] == RULE_VIOLATIONS:
            for key, message in detail["ctx"]["problems"]:
                path = location + tuple(key.split("."))
                problems.append((_key(path), message, origin_of(path, context)))
            continue
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "missing" and len(location) == 1:
            command = f"pulumi config set {_secret_flag(location)}{_key(location)} <value> -s {context.stack}"
            message = f"missing; set it with `{command}`"
        elif detail["type"] == "extra_forbidden":
            message = "unknown key (a typo?)"
        problems.append((_key(location), message, origin_of(location, context)))
    reported = {key for key, _, _ in problems}
    for key, message in _raw_rule_violations(project_values(context.config)):
        path = tuple(key.split("."))
        if _key(path) not in reported:
            problems.append((_key(path), message, origin_of(path, context)))
    return problems


def _raw_rule_violations(values: dict[str, Any]) -> list[tuple[str, str]]:
    """The seed rules over unvalidated values, so they are reported next to field errors."""

    def pick(section: str, key: str, kind: type) -> Any:
        container = values.get(section) if section else values
        value = container.get(key) if isinstance(container, dict) else None
        if isinstance(value, bool) and kind is not bool:
            return None
        return value if isinstance(value, kind) else None

    github = values.get("github")
    if not isinstance(github, dict):
        github = {}
    return seed_rule_violations(
        environment=pick("", "environment", str),
        deploy_branch=pick("", "deployBranch", str),
        plan=pick("database", "plan", str),
        min_replicas=pick("backend", "minReplicas", int),
        auto_deploy=pick("", "autoDeploy", bool),
        has_reviewers=bool(github.get("reviewerUsers") or github.get("reviewerTeams")),
    )


def _key(location: tuple[str | int, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return f"{NAMESPACE}:{path}"


def _secret_flag(location: tuple[str | int, ...]) -> str:
    field = next((f for f in StackSettings.model_fields.values() if f.alias == location[0]), None)
    return "--secret " if field is not None and "SecretStr" in repr(field.annotation) else ""


def read_stack_file(path: Path) -> dict[str, Any]:
    """The `config:` mapping of a `Pulumi.<stack>.yaml`, as Pulumi would pass it (keys `namespace:key`)."""
    document = yaml.safe_load(path.read_text()) or {}
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise StackConfigError(path.stem.removeprefix("Pulumi."), [("config", "must be a mapping", path.name)])
    return config
