"""Just enough of the Dockerfile language to tell which user a build's final stage runs as.

Handles parser directives (`# escape=`), line continuations, comments, heredocs, global and stage
ARGs (with `--build-arg` values), ENV, `FROM <stage>` inheritance and variable substitution in USER.
It does not build anything: a USER it cannot resolve statically is reported as unresolvable.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(.+?)\s*$")
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class DockerfileError(Exception):
    """The Dockerfile cannot be read the way the policy needs (no FROM, unknown target, ...)."""


@dataclass
class Stage:
    index: int
    base: str
    name: str | None
    user: str | None = None  # the last USER of this stage, as written
    user_line: int | None = None
    variables: dict[str, str] = field(default_factory=dict)  # ARG/ENV values in scope
    user_scope: dict[str, str] = field(default_factory=dict)  # ... as they were at the USER instruction


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int


def instructions(text: str) -> list[Instruction]:
    """Logical instructions with the line each starts on."""
    lines = text.splitlines()
    escape = "\\"
    # Parser directives are only recognised before any other line (comment, blank or instruction).
    for raw in lines:
        match = _DIRECTIVE.match(raw.strip())
        if not match:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("\\", "`"):
            escape = match.group(2)
    result: list[Instruction] = []
    index = 0
    while index < len(lines):
        start = index
        raw = lines[index]
        index += 1
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = [raw]
        while parts[-1].rstrip().endswith(escape) and index < len(lines):
            parts[-1] = parts[-1].rstrip()[: -len(escape)]
            # Comment and empty lines inside a continuation are skipped; the instruction goes on.
            while index < len(lines) and (not lines[index].strip() or lines[index].lstrip().startswith("#")):
                index += 1
            if index < len(lines):
                parts.append(lines[index])
                index += 1
        logical = " ".join(part.strip() for part in parts)
        for heredoc in _HEREDOC.finditer(logical):
            strip_tabs, terminator = heredoc.group(1) == "-", heredoc.group(3)
            while index < len(lines):
                body = lines[index]
                index += 1
                if (body.lstrip("\t") if strip_tabs else body) == terminator:
                    break
        keyword, _, arguments = logical.strip().partition(" ")
        result.append(Instruction(keyword.upper(), arguments.strip(), start + 1))
    return result


def substitute(value: str, variables: Mapping[str, str]) -> str | None:
    """Expand $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alt}; None when a variable has no value."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3) or ""
        current = variables.get(name)
        if operator == "-":
            return current if current else word
        if operator == "+":
            return word if current else ""
        if current is None:
            missing = True
            return ""
        return current

    expanded = _VARIABLE.sub(replace, value)
    return None if missing else expanded


def _assignments(arguments: str) -> dict[str, str]:
    """`ENV A=1 B="two"` or the legacy `ENV A 1`; `ARG A=1` or `ARG A`."""
    try:
        words = shlex.split(arguments, posix=True)
    except ValueError:
        words = arguments.split()
    if words and "=" not in words[0] and len(words) > 1:
        return {words[0]: " ".join(words[1:])}
    result: dict[str, str] = {}
    for word in words:
        name, sep, value = word.partition("=")
        if sep:
            result[name] = value
    return result


def parse(text: str, build_args: Mapping[str, str] | None = None) -> list[Stage]:
    build_args = dict(build_args or {})
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for instruction in instructions(text):
        keyword, arguments = instruction.keyword, instruction.arguments
        if keyword == "ARG":
            for name, default in _declared_args(arguments).items():
                value = build_args.get(name, default)
                scope = stages[-1].variables if stages else global_args
                if value is not None:
                    scope[name] = value
                elif stages and name in global_args:
                    scope[name] = global_args[name]  # `ARG NAME` in a stage brings a global ARG into scope
        elif keyword == "FROM":
            words = [w for w in arguments.split() if not w.startswith("--")]
            if not words:
                raise DockerfileError(f"line {instruction.line}: FROM without an image")
            base = substitute(words[0], global_args) or words[0]
            alias = words[2].lower() if len(words) >= 3 and words[1].upper() == "AS" else None
            parent = _stage(stages, base)
            stage = Stage(index=len(stages), base=base, name=alias)
            if parent is not None:
                stage.variables.update(parent.variables)
                stage.user, stage.user_line, stage.user_scope = parent.user, parent.user_line, parent.user_scope
            stages.append(stage)
        elif not stages:
            continue
        elif keyword == "ENV":
            stages[-1].variables.update(_assignments(arguments))
        elif keyword == "USER":
            stages[-1].user = arguments.strip()
            stages[-1].user_line = instruction.line
            stages[-1].user_scope = dict(stages[-1].variables)
    if not stages:
        raise DockerfileError("no FROM instruction")
    return stages


def _declared_args(arguments: str) -> dict[str, str | None]:
    declared: dict[str, str | None] = {}
    for word in arguments.split():
        name, sep, value = word.partition("=")
        declared[name] = value.strip("\"'") if sep else None
    return declared


def _stage(stages: list[Stage], reference: str) -> Stage | None:
    """The earlier stage a FROM or a target names (by name or index), None for an external image."""
    for stage in stages:
        if stage.name == reference.lower():
            return stage
    if reference.isdigit() and int(reference) < len(stages):
        return stages[int(reference)]
    return None


@dataclass(frozen=True)
class FinalUser:
    stage: str  # the stage's name, or "#<index>"
    user: str | None  # as resolved; None: no USER anywhere in the stage's chain
    written: str | None  # as written
    line: int | None
    resolved: bool
    base: str  # the external image the chain starts from

    @property
    def is_root(self) -> bool:
        """Root when no USER sets one (images start as root unless theirs says otherwise) or it names
        root or UID 0; a USER that cannot be resolved counts as root (it may be)."""
        if self.user is None or not self.resolved:
            return True
        account = self.user.split(":", 1)[0].strip()
        return account in ("", "root", "0") or (account.isdigit() and int(account) == 0)


def final_user(text: str, target: str | None = None, build_args: Mapping[str, str] | None = None) -> FinalUser:
    """The user the image runs as: the `target` stage's (what `docker build --target` builds), else the last."""
    stages = parse(text, build_args)
    stage = stages[-1]
    if target:
        found = _stage(stages, target)
        if found is None:
            raise DockerfileError(f"no stage named {target!r}")
        stage = found
    base = stage.base
    seen = {stage.index}
    parent = _stage(stages[: stage.index], base)
    while parent is not None and parent.index not in seen:
        seen.add(parent.index)
        base = parent.base
        parent = _stage(stages[: parent.index], base)
    label = stage.name or f"#{stage.index}"
    if stage.user is None:
        return FinalUser(label, None, None, None, True, base)
    resolved = substitute(stage.user, stage.user_scope)
    return FinalUser(label, resolved, stage.user, stage.user_line, resolved is not None, base)
