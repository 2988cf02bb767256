"""Build `StackSettings` for a stack, failing with one message that names every bad key."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from settings import formats
from settings.credentials import plaintext_credentials
from settings.errors import Problem, StackConfigError
from settings.model import RULE_VIOLATIONS, SECRET_KEYS, StackSettings, seed_rule_violations
from settings.production import ProductionFacts
from settings.sources import (
    NAMESPACE,
    LoadContext,
    config_path,
    line_of,
    loading,
    origin_of,
    project_values,
    set_secret_command,
    stack_file_name,
)

GITHUB_OWNER_KEY = "github:owner"


def load_stack_settings(
    stack: str,
    config: Mapping[str, Any],
    environ: Mapping[str, str],
    *,
    secret_keys: Collection[str] = (),
    lines: Mapping[str, int] | None = None,
) -> StackSettings:
    """Validate `config` (Pulumi config, `namespace:key` -> value) plus CI overrides from `environ`.

    `secret_keys` are the config keys Pulumi holds encrypted (besides those declared secret); `lines`
    locates keys in the stack file for the message.
    """
    context = LoadContext(stack=stack, config=config, environ=environ, lines=lines or {})
    problems: list[Problem] = []
    try:
        with loading(context):
            settings = StackSettings()
    except ValidationError as error:
        problems = _problems(error, context)
    leaks = _plaintext_credential_problems(context, SECRET_KEYS | frozenset(secret_keys))
    leaked = [p.key for p in leaks if p.key is not None]
    # A validator's message may quote the value it refuses, and a list's or an object's may quote its
    # members: about a leaked credential's key, only the leak is said.
    problems = [p for p in problems if p.key is None or not any(_related(p.key, k) for k in leaked)]
    problems = _namespace_problems(context) + _github_owner_problems(context) + problems + leaks
    if problems:
        raise StackConfigError(stack, problems)
    return settings


def _problem(location: tuple[str | int, ...], message: str, context: LoadContext) -> Problem:
    origin = origin_of(location, context)
    line = line_of(location, context) if origin == stack_file_name(context.stack) else None
    return Problem(_key(location), message, origin, line)


def _problems(error: ValidationError, context: LoadContext) -> list[Problem]:
    problems: list[Problem] = []
    for detail in error.errors(include_input=False, include_url=False):
        location = tuple(detail["loc"])
        if detail["type"] == RULE_VIOLATIONS:
            for key, message in detail["ctx"]["problems"]:
                problems.append(_problem(location + tuple(key.split(".")), message, context))
            continue
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "missing" and len(location) == 1:
            key = _key(location)
            command = (
                set_secret_command(key, context.stack)
                if key in SECRET_KEYS
                else f"pulumi config set {key} <value> -s {context.stack}"
            )
            message = f"missing; set it with `{command}`"
        elif detail["type"] == "extra_forbidden":
            message = "unknown key" + _did_you_mean(location)
        problems.append(_problem(location, message, context))
    reported = {problem.key for problem in problems}
    for key, message in _raw_rule_violations(project_values(context.config), context.stack):
        location = tuple(key.split("."))
        if _key(location) not in reported:
            problems.append(_problem(location, message, context))
    return problems


def _raw_rule_violations(values: dict[str, Any], stack: str) -> list[tuple[str, str]]:
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
        stack=stack,
        environment=pick("", "environment", str),
        deploy_branch=pick("", "deployBranch", str),
        plan=pick("database", "plan", str),
        production=ProductionFacts(
            auto_deploy=pick("", "autoDeploy", bool),
            has_reviewers=bool(github.get("reviewerUsers") or github.get("reviewerTeams")),
            prevent_self_review=pick("github", "preventSelfReview", bool),
            backups_scheduled=pick("backups", "scheduled", bool),
            rdb_snapshots=pick("redis", "rdbSnapshots", bool),
            append_only=pick("redis", "appendOnly", bool),
            min_replicas=pick("backend", "minReplicas", int),
        ),
    )


def _key(location: tuple[str | int, ...]) -> str:
    return config_path(f"{NAMESPACE}:{location[0]}", location[1:])


def _related(key: str, other: str) -> bool:
    """One of the two paths is the other or lies below it."""
    return any(
        inner == outer or inner.startswith((f"{outer}.", f"{outer}[")) for inner, outer in ((key, other), (other, key))
    )


def _plaintext_credential_problems(context: LoadContext, secret_keys: frozenset[str]) -> list[Problem]:
    problems = []
    for path, kind in plaintext_credentials(context.config, secret_keys):
        message = (
            f"holds what looks like a credential ({kind}) in a key that is not secret (value not shown); remove it, or "
            f"store it encrypted with `{set_secret_command(path, context.stack)}`"
        )
        problems.append(Problem(path, message, stack_file_name(context.stack), context.lines.get(path)))
    return problems


def _namespace_problems(context: LoadContext) -> list[Problem]:
    """Keys Pulumi or this project would never read as ours, though they were meant to be."""
    ours = {alias.lower(): alias for alias in _aliases(StackSettings)}
    file = stack_file_name(context.stack)
    problems = []
    for key in context.config:
        namespace, colon, name = key.partition(":")
        # A path (`converge:backend.minReplicas`) is judged by its first part.
        top, dot, rest = (name if colon else namespace).partition(".")
        alias = ours.get(top.lower())
        fix = f"did you mean `{NAMESPACE}:{alias}{dot}{rest}`? Rename the key in {file}" if alias else ""
        if not colon:
            fix = fix or f"this project's keys are `{NAMESPACE}:<key>`"
            message = f"is not a `namespace:key` config key, which Pulumi refuses; {fix}"
        elif namespace != NAMESPACE and alias and _near_namespace(namespace):
            message = f"is in namespace `{namespace}:`, which this project does not read; {fix}"
        else:
            continue
        problems.append(Problem(key, message, file, context.lines.get(key)))
    return problems


def _github_owner_problems(context: LoadContext) -> list[Problem]:
    """The GitHub provider reads the repository's owner from its own namespace; an organization's name
    follows the rules of a login."""
    owner = context.config.get(GITHUB_OWNER_KEY)
    if owner is None:
        return []
    try:
        formats.github_login(str(owner))
    except ValueError as error:
        file = stack_file_name(context.stack)
        return [Problem(GITHUB_OWNER_KEY, str(error), file, context.lines.get(GITHUB_OWNER_KEY))]
    return []


_SQUASH = re.compile(r"[^a-z0-9]")


def _near_namespace(namespace: str) -> bool:
    """A misspelling of ours (`converge`, `convergenps`, `Converge_NPS`, `converge-nsp`), not another's."""
    squashed, ours = _SQUASH.sub("", namespace.lower()), _SQUASH.sub("", NAMESPACE)
    return len(squashed) >= 3 and (
        squashed in ours or ours in squashed or difflib.SequenceMatcher(None, squashed, ours).ratio() >= 0.75
    )


def _aliases(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _did_you_mean(location: tuple[str | int, ...]) -> str:
    """For an unknown key, the closest key the model has at that level."""
    model: Any = StackSettings
    for part in location[:-1]:
        field = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return ""
        model = annotation
    aliases = _aliases(model)
    typed = str(location[-1])
    close = [a for a in aliases if a.lower() == typed.lower()] or difflib.get_close_matches(typed, aliases, n=1)
    if not close:
        return f" (keys here: {', '.join(aliases)})"
    return f"; did you mean `{_key((*location[:-1], close[0]))}`?"
