"""Which user a Dockerfile's image runs as, the way BuildKit builds it.

The Dockerfile is split into instructions by BuildKit's own parser (the `dockerfile` package wraps
github.com/moby/buildkit/frontend/dockerfile/parser): parser directives (`# escape=`), line
continuations, comments, heredocs and instruction keywords on any whitespace are BuildKit's. The
parser does not expand variables, so the rest follows BuildKit's dockerfile2llb, which it does not
expose: ARG and ENV scoping (global ARGs for FROM only unless a stage declares them again; a build arg
overrides a declared ARG; a stage built FROM another inherits its environment and USER) and the shell
lexer's word expansion (frontend/dockerfile/shell/lex.go: quotes, the escape character, `$VAR`,
`${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`, `${VAR:?message}`), ported below.
The pattern modifiers (`${VAR#…}`, `${VAR%…}`, `${VAR/…}`) are not ported: a USER that uses one is
reported as unresolvable, which counts as root.

Nothing is built: a variable the Dockerfile does not set, in a stage whose environment comes from an
external base image, may be set by that image, so a USER that uses it cannot be resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import dockerfile

# Global ARGs BuildKit defines for every build from the platforms it builds for and on (defaultArgs).
PLATFORM_ARGS = frozenset(
    {
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
    }
)
# What BuildKit sets PATH to in a stage whose base image sets none (system.DefaultPathEnv, Linux).
SCRATCH_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# BuildKit's shell lexer reads these single characters as special parameter names ($$, $@, ...).
_SPECIAL_PARAMETERS = frozenset("@*#?-$!0")


class DockerfileError(Exception):
    """The Dockerfile cannot be built (BuildKit would refuse it): no FROM, an unknown target, bad syntax."""


class UnresolvableError(Exception):
    """A word whose value depends on what only the build knows (the base image's environment, the platform)."""


# --- BuildKit's shell word expansion ------------------------------------------------------------------

# A variable's value; None: it has one, but which only the build knows.
Env = Mapping[str, str | None]


@dataclass
class _Lexer:
    text: str
    env: Env
    complete: bool  # whether a name missing from `env` is unset (else it may come from the base image)
    escape: str
    position: int = 0

    def peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def next(self) -> str:
        character = self.peek()
        self.position += 1 if character else 0
        return character

    def lookup(self, name: str) -> str | None:
        """The variable's value; None when it is unset."""
        if name in self.env:
            value = self.env[name]
            if value is None:
                raise UnresolvableError(f"${name} is only known at build time")
            return value
        if not self.complete:
            raise UnresolvableError(f"${name} is not set in the Dockerfile and may come from the base image")
        return None

    def word(self, stop: str = "") -> str:
        result = ""
        while self.peek():
            character = self.peek()
            if stop and character == stop:
                self.next()
                return result
            if character == "$":
                result += self.dollar()
            elif character == "'":
                result += self.single_quoted()
            elif character == '"':
                result += self.double_quoted()
            else:
                self.next()
                if character == self.escape:
                    escaped = self.next()
                    if not escaped:
                        break
                    result += escaped
                else:
                    result += character
        if stop:
            raise DockerfileError(f"unexpected end of statement while looking for matching {stop}")
        return result

    def single_quoted(self) -> str:
        self.next()
        result = ""
        while True:
            character = self.next()
            if not character:
                raise DockerfileError("unexpected end of statement while looking for matching single-quote")
            if character == "'":
                return result
            result += character

    def double_quoted(self) -> str:
        self.next()
        result = ""
        while True:
            character = self.peek()
            if not character:
                raise DockerfileError("unexpected end of statement while looking for matching double-quote")
            if character == '"':
                self.next()
                return result
            if character == "$":
                result += self.dollar()
                continue
            self.next()
            if character == self.escape:
                following = self.peek()
                if not following:
                    continue
                if following in ('"', "$", self.escape):
                    character = self.next()
            result += character

    def name(self) -> str:
        first = self.peek()
        if first.isdigit():
            digits = ""
            while self.peek().isdigit():
                digits += self.next()
            return digits
        if first and first in _SPECIAL_PARAMETERS:
            return self.next()
        name = ""
        while self.peek() and (self.peek().isalnum() or self.peek() == "_"):
            name += self.next()
        return name

    def dollar(self) -> str:
        self.next()
        if self.peek() != "{":
            name = self.name()
            return "$" if not name else (self.lookup(name) or "")
        self.next()
        if not self.peek():
            raise DockerfileError("syntax error: missing '}'")
        if self.peek() in "{}:":
            raise DockerfileError("syntax error: bad substitution")
        name = self.name()
        modifier = self.next()
        if modifier == "}":
            return self.lookup(name) or ""
        null_is_unset = modifier == ":"
        if null_is_unset:
            modifier = self.next()
        if modifier in ("#", "%") or (modifier == "/" and not null_is_unset):
            raise UnresolvableError(f"${{{name}{modifier}…}} (pattern substitution) is not read by this policy")
        if modifier not in ("-", "+", "?"):
            raise DockerfileError(f"unsupported modifier ({':' if null_is_unset else ''}{modifier}) in substitution")
        word = self.word("}")
        value = self.lookup(name)
        unset = value is None or (null_is_unset and value == "")
        if modifier == "-":
            return word if unset else (value or "")
        if modifier == "+":
            return "" if unset else word
        if unset:
            default = "is not allowed to be unset" if value is None else "is not allowed to be empty"
            raise DockerfileError(f"{name}: {word or default}")
        return value or ""


def expand(word: str, env: Env, *, complete: bool = True, escape: str = "\\") -> str:
    """A word as BuildKit's ProcessWord gives it: quotes removed, escapes applied, variables expanded."""
    return _Lexer(word, env, complete, escape).word()


# --- stages ----------------------------------------------------------------------------------------------


@dataclass
class Stage:
    index: int
    base: str  # as FROM names it, expanded
    name: str | None
    parent: Stage | None  # the earlier stage it is built FROM
    env: dict[str, str | None] = field(default_factory=dict)
    complete: bool = False  # its environment is all in `env` (no external base image adds to it)
    user: str | None = None  # resolved; None: no USER in its chain
    user_written: str | None = None
    user_line: int | None = None
    user_problem: str | None = None  # why the USER cannot be resolved

    @property
    def label(self) -> str:
        return self.name or f"#{self.index}"

    @property
    def image(self) -> str:
        """The external image the stage's chain starts from."""
        return self.parent.image if self.parent is not None else self.base


def _escape_token(text: str) -> str:
    """The escape character, as BuildKit's own parser reads the `# escape=` directive: the parser is
    asked how it splits a probe instruction placed after the Dockerfile's leading comment lines (where
    directives are)."""
    header = []
    for line in text.splitlines():
        if not line.lstrip().startswith("#"):
            break
        header.append(line)
    probe = "\n".join([*header, "RUN a`", "b", ""])
    try:
        commands = dockerfile.parse_string(probe)
    except dockerfile.GoParseError:
        return "\\"
    return "`" if len(commands) == 1 else "\\"


def _split_assignment(word: str) -> tuple[str, str | None]:
    name, separator, value = word.partition("=")
    return name, value if separator else None


def parse(text: str, build_args: Mapping[str, str] | None = None) -> list[Stage]:
    """The stages as BuildKit dispatches them, with the USER each ends with."""
    build_args = dict(build_args or {})
    escape = _escape_token(text)
    try:
        commands = dockerfile.parse_string(text)
    except (dockerfile.GoParseError, dockerfile.GoIOError) as error:
        raise DockerfileError(str(error)) from None
    global_args: dict[str, str | None] = dict.fromkeys(PLATFORM_ARGS)
    stages: list[Stage] = []
    by_name: dict[str, Stage] = {}
    for command in commands:
        keyword, values, line = command.cmd.upper(), command.value, command.start_line
        if keyword == "ARG":
            for word in values:
                name, default = _split_assignment(word)
                if not stages:
                    if name in build_args:
                        global_args[name] = build_args[name]
                    elif default is not None:
                        global_args[name] = _expand_or_none(default, global_args, True, escape)
                    continue
                stage = stages[-1]
                if name in build_args:
                    value: str | None = build_args[name]
                elif default is not None:
                    value = _expand_or_none(default, stage.env, stage.complete, escape)
                elif name in global_args:
                    value = global_args[name]
                else:
                    continue
                stage.env[name] = value
        elif keyword == "FROM":
            if len(values) not in (1, 3) or (len(values) == 3 and values[1].lower() != "as"):
                raise DockerfileError(f"line {line}: FROM requires either one or three arguments")
            base = _expand(values[0], global_args, True, escape, line)
            if not base:
                raise DockerfileError(f"line {line}: base name ({values[0]}) should not be blank")
            parent = by_name.get(base)
            stage = Stage(
                index=len(stages), base=base, name=values[2].lower() if len(values) == 3 else None, parent=parent
            )
            if parent is not None:
                stage.env, stage.complete = dict(parent.env), parent.complete
                stage.user, stage.user_written, stage.user_line = parent.user, parent.user_written, parent.user_line
                stage.user_problem = parent.user_problem
            elif base == "scratch":
                stage.env, stage.complete = {"PATH": SCRATCH_PATH}, True
            stages.append(stage)
            if stage.name:
                by_name[stage.name] = stage
        elif not stages:
            raise DockerfileError(f"line {line}: {keyword} before the first FROM (only ARG may come before it)")
        elif keyword == "ENV":
            stage = stages[-1]
            pairs = list(zip(values[::2], values[1::2], strict=False))
            # Every pair is expanded with the environment from before the instruction.
            expanded = [
                (
                    _expand(key, stage.env, stage.complete, escape, line),
                    _expand_or_none(value, stage.env, stage.complete, escape),
                )
                for key, value in pairs
            ]
            stage.env.update(expanded)
        elif keyword == "USER":
            stage = stages[-1]
            stage.user_written, stage.user_line = values[0], line
            try:
                stage.user, stage.user_problem = (
                    expand(values[0], stage.env, complete=stage.complete, escape=escape),
                    None,
                )
            except UnresolvableError as reason:
                stage.user, stage.user_problem = None, str(reason)
    if not stages:
        raise DockerfileError("no FROM instruction: the Dockerfile has no stage to build")
    return stages


def _expand(word: str, env: Env, complete: bool, escape: str, line: int) -> str:
    try:
        return expand(word, env, complete=complete, escape=escape)
    except UnresolvableError as reason:
        raise DockerfileError(f"line {line}: {reason}") from None


def _expand_or_none(word: str, env: Env, complete: bool, escape: str) -> str | None:
    """An ARG or ENV value; None (known only at build time) when it uses what only the build knows."""
    try:
        return expand(word, env, complete=complete, escape=escape)
    except UnresolvableError:
        return None


@dataclass(frozen=True)
class FinalUser:
    stage: str  # the stage's name, or "#<index>"
    user: str | None  # as resolved; None: no USER anywhere in the stage's chain, or unresolvable
    written: str | None  # as written
    line: int | None
    problem: str | None  # why the USER cannot be resolved
    base: str  # the external image the chain starts from

    @property
    def resolved(self) -> bool:
        return self.problem is None

    @property
    def is_root(self) -> bool:
        """Root when no USER sets one (images start as root unless theirs says otherwise), when it names
        root or UID 0 (`root`, `0`, `0:0`, `root:root`, `000`), is empty, is not one `user[:group]`
        word, or cannot be resolved (it may be root)."""
        if self.user is None or not self.resolved:
            return True
        account = self.user.split(":", 1)[0]
        if not account or any(character.isspace() for character in self.user):
            return True
        return account == "root" or (account.isdigit() and int(account) == 0)


def final_user(text: str, target: str | None = None, build_args: Mapping[str, str] | None = None) -> FinalUser:
    """The user the image runs as: the `target` stage's (what `docker build --target` builds), else the last."""
    stages = parse(text, build_args)
    stage = stages[-1]
    if target:
        found = next((s for s in stages if s.name == target.lower()), None)
        if found is None:
            raise DockerfileError(f"target stage {target!r} could not be found")
        stage = found
    return FinalUser(stage.label, stage.user, stage.user_written, stage.user_line, stage.user_problem, stage.image)
