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
    bad.write_text('FROM node:24.19.0-alpine3.24\nUSER root\nCMD ["node"]\n')
    result = subprocess.run([hadolint(), "--no-color", str(bad)], capture_output=True, text=True, check=False)
    assert "DL3002" in result.stdout


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_base_images_are_literal_patch_versions_dependabot_can_move(dockerfile: Path) -> None:
    text = dockerfile.read_text()
    stages = set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", text, flags=re.MULTILINE | re.IGNORECASE))
    bases = [b for b in re.findall(r"^FROM\s+(\S+)", text, flags=re.MULTILINE) if b not in stages]
    assert bases
    for base in bases:
        # No ARG in the reference (Dependabot does not follow them), a full version and the Alpine release.
        assert re.fullmatch(r"[a-z0-9./-]+:\d+\.\d+\.\d+-alpine\d+\.\d+", base), base


def test_node_is_an_lts_line() -> None:
    """Even Node.js majors become LTS; odd ones are supported for six months only."""
    majors = {
        int(m) for p in DOCKERFILES for m in re.findall(r"^FROM\s+node:(\d+)\.", p.read_text(), flags=re.MULTILINE)
    }
    assert majors
    assert all(major % 2 == 0 and major >= 22 for major in majors), majors
