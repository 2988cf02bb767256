"""The Dockerfiles the seed lists: hadolint-clean, multi-stage, and a non-root final stage."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from offline.program import ROOT

DOCKERFILES = sorted((ROOT / "docker").glob("*/Dockerfile"))


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(found).exists():
        pytest.fail("hadolint is missing: scripts/setup.sh installs it from requirements-dev.txt")
    return found


def test_both_dockerfiles_exist() -> None:
    assert [p.parent.name for p in DOCKERFILES] == ["backend", "frontend", "watchdog"]
    for dockerfile in DOCKERFILES:
        assert (dockerfile.parent / "Dockerfile.dockerignore").exists()


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_hadolint_clean(dockerfile: Path) -> None:
    result = subprocess.run([hadolint(), "--no-color", str(dockerfile)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_final_stage_is_named_runtime_and_runs_as_a_non_root_uid(dockerfile: Path) -> None:
    text = dockerfile.read_text()
    stages = re.findall(r"^FROM\s+\S+(?:\s+AS\s+(\S+))?", text, flags=re.MULTILINE | re.IGNORECASE)
    assert len(stages) >= 2
    assert stages[-1] == "runtime"
    final = text[[m.start() for m in re.finditer(r"^FROM\s", text, flags=re.MULTILINE)][-1] :]
    users = re.findall(r"^USER\s+(\S+)", final, flags=re.MULTILINE)
    assert users, "the final stage sets no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0


def test_hadolint_catches_a_root_user(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text('FROM node:20.18.1-alpine3.20\nUSER root\nCMD ["node"]\n')
    result = subprocess.run([hadolint(), "--no-color", str(bad)], capture_output=True, text=True, check=False)
    assert "DL3002" in result.stdout
