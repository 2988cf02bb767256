"""`python -m ops.report` on a stack file the program refuses: the program's message, exit 2, no traceback.

The report reads the stack file and runs the program through the same loading path as `pulumi preview`,
so it refuses exactly what the program refuses, in the same words.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import offline.program
from offline.program import ROOT
from ops.report.__main__ import Exit, main

GOOD = (ROOT / "Pulumi.dev.yaml").read_text()
TOKEN = "xoxb-" + "4815162342" * 3


def edited(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


# One stack file per family of refusal, with what the message must say (file and line included).
BAD_FILES = {
    "repeated key": (
        edited(
            "  converge-nps:autoDeploy: true\n", "  converge-nps:autoDeploy: true\n  converge-nps:autoDeploy: false\n"
        ),
        'Pulumi.dev.yaml:{line}: not valid YAML: mapping key "converge-nps:autoDeploy" already defined at line {prev}',
    ),
    "syntax": (
        edited("config:\n", "config:\n  converge-nps:backend: [1,\n"),
        "not valid YAML: expected ',' or ']', but got ':' (while parsing a flow sequence)",
    ),
    "top level": (
        "- config\n- other\n",
        "Pulumi.dev.yaml:1: the top level must be a mapping (config: ...), not a list",
    ),
    "impossible date": (
        edited("config:\n", "config:\n  converge-nps:secretRotation:\n    anchor: 2026-02-30\n"),
        "Pulumi.dev.yaml:{line}: converge-nps:secretRotation.anchor: ",
    ),
    "bad value": (
        edited("frontendUrl: https://dev.converge-nps.com", "frontendUrl: https://dev.converge-nps.com/"),
        "Pulumi.dev.yaml:{line}: converge-nps:frontendUrl: 'https://dev.converge-nps.com/' is not an origin",
    ),
    "near-miss namespace": (
        edited("config:\n", "config:\n  converge:eventMode: true\n"),
        "Pulumi.dev.yaml:{line}: converge:eventMode: is in namespace `converge:`, which this project does not "
        "read; did you mean `converge-nps:eventMode`?",
    ),
    "plaintext credential": (
        edited("config:\n", f"config:\n  slack:token: {TOKEN}\n"),
        "Pulumi.dev.yaml:{line}: slack:token: holds what looks like a credential (Slack token) in a key that is "
        "not secret (value not shown); remove it, or store it encrypted with "
        "`pulumi config set --secret slack:token <value> -s dev`",
    ),
}


def expected_line(text: str, family: str) -> dict[str, int]:
    lines = text.splitlines()
    marker = {
        "repeated key": "converge-nps:autoDeploy",
        "impossible date": "anchor:",
        "bad value": "frontendUrl",
        "near-miss namespace": "converge:eventMode",
        "plaintext credential": "slack:token",
    }.get(family)
    found = [number for number, line in enumerate(lines, 1) if marker and marker in line]
    if family == "repeated key":
        return {"prev": found[0], "line": found[1]}
    return {"line": found[0]} if found else {}


@pytest.fixture
def stack_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory with this program and a stack file the test writes."""
    (tmp_path / "__main__.py").symlink_to(ROOT / "__main__.py")
    monkeypatch.setattr(offline.program, "ROOT", tmp_path)
    return tmp_path


@pytest.mark.parametrize("family", sorted(BAD_FILES))
def test_an_invalid_stack_file_exits_2_with_the_programs_message(
    family: str, stack_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, says = BAD_FILES[family]
    (stack_dir / "Pulumi.dev.yaml").write_text(text)
    status = main(["--stack", "dev", "--format", "markdown"])
    out, err = capsys.readouterr()
    assert (status, out) == (Exit.INVALID_INPUT, "")
    assert err.startswith("invalid configuration for stack 'dev' (Pulumi.dev.yaml):\n")
    assert says.format(**expected_line(text, family)) in err
    assert re.search(r"^  - Pulumi\.dev\.yaml:\d+: ", err, re.MULTILINE)  # every family has a line
    assert "Traceback" not in err and TOKEN not in err


def test_a_valid_stack_file_still_reports(stack_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (stack_dir / "Pulumi.dev.yaml").write_text(GOOD)
    assert main(["--stack", "dev", "--format", "json"]) in (Exit.OK, Exit.MANDATORY_VIOLATION)
    assert capsys.readouterr().out.startswith("{")


def test_an_unexpected_failure_is_not_reported_as_a_violation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("ops.report.__main__.collect", broken)
    assert main(["--stack", "dev"]) == Exit.CRASHED
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError: a bug" in err and "failed unexpectedly" in err


def test_as_a_command_nothing_but_the_message_is_printed(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        tree,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", ".mypy_cache", ".ruff_cache", ".hypothesis", "__pycache__", "tools"
        ),
    )
    text, _ = BAD_FILES["repeated key"]
    (tree / "Pulumi.dev.yaml").write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "ops.report", "--stack", "dev"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines()[0] == "invalid configuration for stack 'dev' (Pulumi.dev.yaml):"
    assert "Traceback" not in done.stderr


def test_the_readme_tables_every_exit_status() -> None:
    readme = (ROOT / "README.md").read_text()
    configuration = readme[readme.index("## Configuration") : readme.index("`python -m ops.backup` (backups")]
    tabled = [int(code) for code in re.findall(r"^\| (\d+) \| ", configuration, re.MULTILINE)]
    assert tabled == [status.value for status in Exit]
