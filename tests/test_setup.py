"""scripts/setup.sh builds no engine where a `pulumi` of the SDK's version is installed, and builds the
stand-in plugins (test doubles) only where the engine is built here. Run on a scratch copy with
stand-ins for pip, pulumi and the build scripts, so nothing is installed or built."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from offline.program import ROOT

SDK = re.findall(r"^pulumi==(\S+)$", (ROOT / "requirements.txt").read_text(), flags=re.MULTILINE)[0]


def executable(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/usr/bin/env bash\n{body}\n")
    path.chmod(0o755)


def run_setup(tmp_path: Path, installed: str | None, built_here: bool) -> list[str]:
    project, bin_dir, log = tmp_path / "project", tmp_path / "bin", tmp_path / "calls"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup.sh", project / "scripts")
    for requirements in ("requirements.txt", "policies/requirements.txt", "ops/backup/requirements.txt"):
        (project / requirements).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / requirements, project / requirements)
    executable(project / ".venv" / "bin" / "python", "exit 0")
    executable(project / ".venv" / "bin" / "pip", "exit 0")
    engine_bin = tmp_path / "engine-bin"
    engine_bin.mkdir()
    if built_here:
        (engine_bin / ".converge-build-key").write_text("key\n")
    executable(project / "scripts" / "build-engine.sh", f'echo build-engine >> {log}; echo "{engine_bin}"')
    executable(project / "scripts" / "build-standin-plugins.sh", f"echo build-standin-plugins >> {log}")
    bin_dir.mkdir()
    if installed is not None:
        executable(bin_dir / "pulumi", f'[ "$1" = version ] && echo "{installed}"')
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CONVERGE_SKIP_POSTGRES": "1",
        "CONVERGE_SKIP_LINTERS": "1",
    }
    result = subprocess.run(
        [str(project / "scripts" / "setup.sh")], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return log.read_text().split() if log.exists() else []


def test_an_installed_pulumi_of_the_sdks_version_needs_nothing_built(tmp_path: Path) -> None:
    assert run_setup(tmp_path, installed=f"v{SDK}", built_here=True) == []


@pytest.mark.parametrize(
    ("installed", "built_here", "calls"),
    [
        ("v3.1.0", False, ["build-engine"]),  # another installed pulumi: build-engine.sh uses it, builds nothing
        (None, True, ["build-engine", "build-standin-plugins"]),  # the engine built here needs the doubles
    ],
    ids=["other-version-installed", "none-installed"],
)
def test_otherwise_the_engine_is_found_or_built_and_doubles_only_for_ours(
    tmp_path: Path, installed: str | None, built_here: bool, calls: list[str]
) -> None:
    assert run_setup(tmp_path, installed=installed, built_here=built_here) == calls
