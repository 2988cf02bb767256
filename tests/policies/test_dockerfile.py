"""Reading a Dockerfile as BuildKit builds it: BuildKit's own parser splits the instructions, the
policy expands variables and scopes ARG/ENV the way dockerfile2llb does; checked on examples and on
generated Dockerfiles against a model of what BuildKit makes of them."""

from __future__ import annotations

import string
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offline.program import ROOT
from policies.converge_policies.dockerfile import DockerfileError, expand, final_user


def test_the_backend_dockerfile_runs_as_a_numeric_non_root_user() -> None:
    user = final_user((ROOT / "docker/backend/Dockerfile").read_text(), "runtime")
    assert (user.stage, user.user, user.is_root) == ("runtime", "10001:10001", False)
    assert user.base.startswith("node:")


def test_the_build_stage_of_the_backend_dockerfile_would_run_as_root() -> None:
    assert final_user((ROOT / "docker/backend/Dockerfile").read_text(), "build").is_root


@pytest.mark.parametrize(
    ("dockerfile", "target", "user", "root"),
    [
        ("FROM alpine\nUSER app\n", None, "app", False),
        ("FROM alpine\nUSER root\n", None, "root", True),
        ("FROM alpine\nUSER 0\n", None, "0", True),
        ("FROM alpine\nUSER 000:1000\n", None, "000:1000", True),
        ("FROM alpine\nUSER 1000:0\n", None, "1000:0", False),  # group root, user not
        ("FROM alpine\n", None, None, True),
        ("FROM alpine AS base\nUSER app\nFROM base AS final\nRUN true\n", "final", "app", False),
        ("FROM alpine AS base\nUSER app\nFROM alpine AS final\nRUN true\n", "final", None, True),
        ("FROM alpine AS a\nUSER app\nFROM alpine AS b\nUSER root\n", "a", "app", False),
        ("ARG UID=1001\nFROM alpine\nARG UID\nUSER ${UID}\n", None, "1001", False),
        ("FROM alpine\nENV APP_USER=svc\nUSER $APP_USER\n", None, "svc", False),
        ("FROM scratch\nUSER ${NOBODY:-65534}\n", None, "65534", False),
        ("FROM alpine\nARG NOBODY=\nUSER ${NOBODY:-65534}\n", None, "65534", False),
        ("FROM alpine\nUSER root:root\n", None, "root:root", True),
        ("FROM alpine\nUSER\t'app'\n", None, "app", False),
        ("FROM alpine\nUSER \\\n  app\n", None, "app", False),
        ("ARG U=0\nFROM scratch\nUSER ${U:-app}\n", None, "app", False),  # a global ARG is not in a stage's scope
        ("FROM alpine AS a\nARG U=app\nFROM a\nUSER $U\n", None, "app", False),  # the parent's environment
        ("FROM alpine\nUSER app\nRUN <<EOF\nUSER root\nEOF\n", None, "app", False),
        ("FROM alpine\nRUN echo a \\\n# USER root\n  && echo b\nUSER app\n", None, "app", False),
        ("# escape=`\nFROM alpine\nRUN echo a `\n  b\nUSER app\n", None, "app", False),
        ("from alpine as Final\nuser app\n", "final", "app", False),
    ],
)
def test_final_user(dockerfile: str, target: str | None, user: str | None, root: bool) -> None:
    found = final_user(dockerfile, target)
    assert (found.user, found.is_root) == (user, root)


def test_an_unresolvable_user_counts_as_root() -> None:
    found = final_user("FROM alpine\nUSER $WHO\n")
    assert not found.resolved
    assert found.is_root


def test_build_args_feed_the_user() -> None:
    dockerfile = "FROM alpine\nARG RUN_AS=0\nUSER ${RUN_AS}\n"
    assert final_user(dockerfile).is_root
    assert not final_user(dockerfile, build_args={"RUN_AS": "1000"}).is_root


@pytest.mark.parametrize(("dockerfile", "target"), [("RUN true\n", None), ("FROM alpine\n", "missing")])
def test_a_dockerfile_without_the_stage_is_an_error(dockerfile: str, target: str | None) -> None:
    with pytest.raises(DockerfileError):
        final_user(dockerfile, target)


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM alpine\nUSER ${NOBODY:-65534}\n",  # alpine's own environment may set NOBODY
        "FROM alpine\nARG NOBODY\nUSER $NOBODY\n",  # an ARG without a value sets nothing
        "FROM scratch\nARG TARGETARCH\nUSER $TARGETARCH\n",  # the platform is the build's
        "FROM scratch\nENV U=app\nUSER ${U%p}\n",  # pattern substitution is not read
    ],
)
def test_a_user_only_the_build_can_resolve_counts_as_root(dockerfile: str) -> None:
    found = final_user(dockerfile)
    assert not found.resolved
    assert found.is_root
    assert found.problem


@pytest.mark.parametrize(
    ("dockerfile", "message"),
    [
        ("FROM scratch\nUSER ${U:?set U}\n", "U: set U"),
        ("FROM scratch\nUSER ${\n", "missing '}'"),
        ("FROM scratch\nUSER 'app\n", "matching single-quote"),
        ("ENV A=1\nFROM scratch\n", "ENV before the first FROM"),
        ("FROM a b\n", "FROM requires either one or three arguments"),
    ],
)
def test_what_buildkit_refuses_is_an_error(dockerfile: str, message: str) -> None:
    with pytest.raises(DockerfileError, match=message.replace("(", r"\(")):
        final_user(dockerfile)


# --- generated Dockerfiles ---------------------------------------------------------------------------

USERS = ["root", "0", "0:0", "root:root", "000", "app", "10001", "10001:10001", "1000:0", "node", ""]
NAMES = ["UID", "RUN_AS", "APP_USER"]
EXTERNAL = ["alpine:3.20", "node:24.19.0-alpine3.24", "scratch"]


def _is_root(user: str) -> bool:
    account = user.split(":", 1)[0]
    return account in ("", "root") or (account.isdigit() and int(account) == 0)


@dataclass(frozen=True)
class Instruction:
    keyword: str
    name: str = ""
    value: str | None = None
    form: str = ""  # USER: literal, $, ${}, quoted, default


_instruction = st.one_of(
    st.builds(Instruction, st.just("ARG"), st.sampled_from(NAMES), st.one_of(st.none(), st.sampled_from(USERS))),
    st.builds(Instruction, st.just("ENV"), st.sampled_from(NAMES), st.sampled_from(USERS)),
    st.builds(Instruction, st.just("USER"), st.just(""), st.sampled_from(USERS).filter(bool), st.just("literal")),
    st.builds(
        Instruction,
        st.just("USER"),
        st.sampled_from(NAMES),
        st.sampled_from(USERS).filter(bool),
        st.sampled_from(["$", "${}", "quoted", "default"]),
    ),
    st.builds(Instruction, st.sampled_from(["RUN-HEREDOC", "RUN-CONTINUED", "RUN"])),
)


@dataclass(frozen=True)
class Generated:
    escape: str
    globals: list[tuple[str, str | None]]
    stages: list[tuple[str, list[Instruction]]]  # base (external image or an earlier stage), instructions
    build_args: dict[str, str]
    target: int | None


@st.composite
def dockerfiles(draw: st.DrawFn) -> Generated:
    count = draw(st.integers(1, 3))
    stages = []
    for index in range(count):
        bases = EXTERNAL + [f"s{j}" for j in range(index)]
        stages.append((draw(st.sampled_from(bases)), draw(st.lists(_instruction, max_size=5))))
    return Generated(
        escape=draw(st.sampled_from(["\\", "`"])),
        globals=draw(
            st.lists(st.tuples(st.sampled_from(NAMES), st.one_of(st.none(), st.sampled_from(USERS))), max_size=2)
        ),
        stages=stages,
        build_args=draw(st.dictionaries(st.sampled_from(NAMES), st.sampled_from(USERS), max_size=2)),
        target=draw(st.one_of(st.none(), st.integers(0, count - 1))),
    )


def _keyword(word: str, lower: bool) -> str:
    return word.lower() if lower else word


def render(generated: Generated, data: st.DataObject) -> str:
    escape = generated.escape
    space = lambda: data.draw(st.sampled_from([" ", "\t", "  ", " \t "]))  # noqa: E731
    lower = data.draw(st.booleans())
    lines = ["# syntax=docker/dockerfile:1", f"# escape={escape}"] if escape == "`" else []
    for name, value in generated.globals:
        lines.append(f"{_keyword('ARG', lower)}{space()}{name}" + ("" if value is None else f"={value}"))
    for index, (base, instructions) in enumerate(generated.stages):
        lines.append(f"{_keyword('FROM', lower)}{space()}{base}{space()}{_keyword('AS', lower)}{space()}s{index}")
        for item in instructions:
            if item.keyword == "ARG":
                lines.append(
                    f"{_keyword('ARG', lower)}{space()}{item.name}" + ("" if item.value is None else f"={item.value}")
                )
            elif item.keyword == "ENV":
                lines.append(f'{_keyword("ENV", lower)}{space()}{item.name}="{item.value}"')
            elif item.keyword == "USER":
                word = {
                    "literal": str(item.value),
                    "$": f"${item.name}",
                    "${}": f"${{{item.name}}}",
                    "quoted": f'"${{{item.name}}}"',
                    "default": f"${{{item.name}:-{item.value}}}",
                }[item.form]
                continued = data.draw(st.booleans())
                lines.append(
                    f"{_keyword('USER', lower)}{space()}{escape}\n   {word}" if continued else f"USER{space()}{word}"
                )
            elif item.keyword == "RUN-HEREDOC":
                lines.append("RUN <<EOF\nUSER root\nEOF")
            elif item.keyword == "RUN-CONTINUED":
                lines.append(f"RUN echo a {escape}\n# USER root\n  && echo b")
            else:
                lines.append("RUN echo USER root")
    return "\n".join(lines) + "\n"


def model(generated: Generated) -> tuple[str | None, bool]:
    """(the user, resolved) BuildKit's dispatch gives the target stage, from the generated structure."""
    global_args: dict[str, str] = {}
    for name, value in generated.globals:
        if name in generated.build_args:
            global_args[name] = generated.build_args[name]
        elif value is not None:
            global_args[name] = value
    states: list[tuple[dict[str, str], bool, str | None, bool]] = []  # env, complete, user, resolved
    for base, instructions in generated.stages:
        if base not in EXTERNAL:
            env, complete, user, resolved = states[int(base[1:])]
            env = dict(env)
        else:
            env, complete, user, resolved = {}, base == "scratch", None, True
        for item in instructions:
            if item.keyword == "ARG":
                if item.name in generated.build_args:
                    env[item.name] = generated.build_args[item.name]
                elif item.value is not None:
                    env[item.name] = item.value
                elif item.name in global_args:
                    env[item.name] = global_args[item.name]
            elif item.keyword == "ENV":
                env[item.name] = str(item.value)
            elif item.keyword == "USER":
                if item.form == "literal":
                    user, resolved = item.value, True
                elif item.name not in env and not complete:
                    user, resolved = None, False
                else:
                    value = env.get(item.name)
                    if item.form == "default":
                        user, resolved = (value if value else item.value), True
                    else:
                        user, resolved = value or "", True
        states.append((env, complete, user, resolved))
    target = generated.target if generated.target is not None else len(generated.stages) - 1
    _, _, user, resolved = states[target]
    return user, resolved


@settings(max_examples=300)
@given(generated=dockerfiles(), data=st.data())
def test_generated_dockerfiles_run_as_buildkit_would_run_them(generated: Generated, data: st.DataObject) -> None:
    text = render(generated, data)
    target = f"s{generated.target}" if generated.target is not None else None
    found = final_user(text, target, generated.build_args)
    user, resolved = model(generated)
    assert found.resolved == resolved, text
    if resolved:
        assert found.user == user, text
    assert found.is_root == (not resolved or user is None or _is_root(user)), text


# --- the shell lexer's word expansion, over generated words -----------------------------------------------

VARIABLES = {"A": "app", "EMPTY": "", "N": "10001"}
_plain = st.text(string.ascii_letters + string.digits + "_-.:/", min_size=1, max_size=4)


@st.composite
def segments(draw: st.DrawFn, escape: str) -> tuple[str, str]:
    """(a piece of a word as written, what BuildKit's ProcessWord makes of it)."""
    kind = draw(st.sampled_from(["plain", "single", "double", "escaped", "variable", "default", "alternative"]))
    name = draw(st.sampled_from([*VARIABLES, "UNSET"]))
    value = VARIABLES.get(name, "")
    text = draw(_plain)
    if kind == "plain":
        return text, text
    if kind == "single":
        inner = draw(st.text(string.ascii_letters + ' $"\\`{}', max_size=6))
        return f"'{inner}'", inner
    if kind == "double":
        special = draw(st.sampled_from(['"', "$", escape]))
        return f'"{text}{escape}{special}${{{name}}}"', f"{text}{special}{value}"
    if kind == "escaped":
        character = draw(st.sampled_from(["$", "'", '"', " ", escape]))
        return f"{escape}{character}", character
    if kind == "variable":
        # The "." ends the name, so that the next piece is not read as part of it.
        return draw(st.sampled_from([f"${{{name}}}", f"${name}"])) + ".", value + "."
    if kind == "default":
        colon = draw(st.booleans())
        unset = name == "UNSET" or (colon and value == "")
        return f"${{{name}{':' if colon else ''}-{text}}}", text if unset else value
    colon = draw(st.booleans())
    unset = name == "UNSET" or (colon and value == "")
    return f"${{{name}{':' if colon else ''}+{text}}}", "" if unset else text


@given(data=st.data(), escape=st.sampled_from(["\\", "`"]))
def test_words_expand_as_buildkits_lexer_expands_them(data: st.DataObject, escape: str) -> None:
    pieces = data.draw(st.lists(segments(escape), min_size=1, max_size=6))
    word = "".join(written for written, _ in pieces)
    assert expand(word, VARIABLES, escape=escape) == "".join(expected for _, expected in pieces)
