"""docs/backups.md stays true to the code: its commands parse, its retention and targets are the policy's."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from ops.backup.cli import build_parser
from ops.backup.errors import ExitCode
from ops.backup.policy import RETENTION, RPO, RTO

DOC = Path(__file__).resolve().parents[2] / "docs" / "backups.md"


def test_every_command_in_the_doc_parses() -> None:
    parser = build_parser()
    commands = re.findall(r"python -m ops\.backup ([^`\n]+)", DOC.read_text())
    assert len(commands) >= 8
    seen = set()
    for command in commands:
        words = shlex.split(command, comments=True)
        seen.add(parser.parse_args([w for w in words if not w.startswith("[")]).command)
    assert seen == {"backup", "list", "restore", "drill", "prune"}


def test_the_doc_states_the_policy_in_force() -> None:
    text = DOC.read_text()
    assert repr(RETENTION) in text
    assert RPO.total_seconds() == 3600
    assert "RPO < 1 hour" in text
    assert RTO.total_seconds() == 8 * 3600
    assert "RTO < 8 hours" in text


def exit_table(text: str) -> dict[int, str]:
    """The rows of the first Markdown table whose header starts with `| exit |`: code -> the rest of the row."""
    rows: dict[int, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith("| exit |"):
            next(lines)  # the | --- | line
            for row in lines:
                if not row.startswith("|"):
                    return rows
                code, rest = row.strip("|").split("|", 1)
                rows[int(code)] = rest
    return rows


def test_the_exit_codes_are_tabled_in_the_doc_and_the_readme() -> None:
    doc = exit_table(DOC.read_text())
    assert doc.keys() == {int(code) for code in ExitCode}
    for code in ExitCode:
        assert f"`{code.name}`" in doc[code]
    readme_text = (DOC.parents[1] / "README.md").read_text()
    readme = exit_table(readme_text[readme_text.index("`python -m ops.backup` (backups, restores, drills") :])
    assert readme.keys() == doc.keys()
