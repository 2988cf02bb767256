"""Every `python -m ops.deploy` command docs/deploy.md tells the workflow to run is one the CLI accepts."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from ops.deploy.cli import build_parser

DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def documented_commands() -> list[list[str]]:
    text = DOC.read_text()
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            found = re.search(r"python -m ops\.deploy (.*?)(?:\)|$|\s+#)", line)
            if found:
                # Shell variables and Actions expressions stand for values the workflow fills in.
                concrete = re.sub(r"\$\{\{[^}]*\}\}|\$\{?\w+\}?", "0", found.group(1))
                commands.append(shlex.split(concrete))
    return commands


def test_the_doc_shows_every_step() -> None:
    steps = {command[0] for command in documented_commands()}
    [subparsers] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert steps == set(subparsers.choices)


@pytest.mark.parametrize("argv", documented_commands(), ids=lambda argv: " ".join(argv)[:60])
def test_documented_commands_parse(argv: list[str]) -> None:
    build_parser().parse_args(argv)
