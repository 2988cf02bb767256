"""non-root-containers on what Railway will run for an allow-listed image whose ENTRYPOINT drops root:
a start command replaces the ENTRYPOINT, so it must exec that entrypoint with a command it drops root
for; checked over generated start commands (launch paths, shell wrappers, exec or not)."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st

from policies.converge_policies.non_root import DEFAULT_EXTERNAL_IMAGES, start_command_problem

[REDIS] = DEFAULT_EXTERNAL_IMAGES

_programs = st.sampled_from(
    [
        ("docker-entrypoint.sh", "entrypoint"),
        ("/usr/local/bin/docker-entrypoint.sh", "entrypoint"),
        ("redis-server", "server"),
        ("/usr/local/bin/redis-server", "server"),
        ("redis-sentinel", "other"),
        ("node", "other"),
    ]
)
_flags = st.lists(
    st.sampled_from(["--port 6379", '--requirepass "$REDIS_PASSWORD"', "--appendonly yes", "--dir /data"]),
    max_size=3,
)


@given(
    first=_programs,
    second=_programs,
    flags=_flags,
    wrapper=st.sampled_from(["{line}", "sh -c {quoted}", "sh -c {exec}", "/bin/sh -c {exec}", "bash -c {quoted}"]),
)
def test_only_a_start_command_through_the_entrypoint_drops_root(
    first: tuple[str, str], second: tuple[str, str], flags: list[str], wrapper: str
) -> None:
    line = " ".join([first[0], second[0], *flags])
    command = wrapper.format(line=line, quoted=shlex.quote(line), exec=shlex.quote(f"exec {line}"))
    problem = start_command_problem(REDIS, command)
    drops = first[1] == "entrypoint" and second[1] == "server"
    assert (problem is None) == drops, (command, problem)
    if problem is not None:
        assert "$REDIS_PASSWORD" not in problem
        assert "docker-entrypoint.sh redis-server" in problem  # how to fix it


def test_without_a_start_command_the_images_entrypoint_runs() -> None:
    assert start_command_problem(REDIS, None) is None
    assert start_command_problem(REDIS, "") is None


def test_a_compound_start_command_cannot_show_the_entrypoint_runs() -> None:
    problem = start_command_problem(REDIS, "sh -c 'docker-entrypoint.sh redis-server & sleep 1'")
    assert problem is not None and "not one simple command" in problem
