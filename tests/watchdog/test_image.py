"""The watchdog image: what the Dockerfile copies is enough to start the service, and nothing secret goes in."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import dockerfile

from tests.watchdog.simulation import ROOT, stack_settings
from watchdog.render import render_config

DOCKERFILE = ROOT / "docker" / "watchdog" / "Dockerfile"
IGNORE = DOCKERFILE.with_name("Dockerfile.dockerignore")


def copied_sources() -> list[str]:
    """The sources of every COPY from the build context, as BuildKit's parser reads the Dockerfile."""
    sources: list[str] = []
    for command in dockerfile.parse_file(str(DOCKERFILE)):
        if command.cmd == "COPY" and not any(flag.startswith("--from=") for flag in command.flags):
            sources.extend(command.value[:-1])
    return sources


def test_every_copied_path_exists_and_passes_the_ignore_file() -> None:
    allowed = [line[1:] for line in IGNORE.read_text().splitlines() if line.startswith("!")]
    assert IGNORE.read_text().splitlines()[1] == "**"
    for source in copied_sources():
        assert (ROOT / source).exists(), source
        files = (
            [source] if (ROOT / source).is_file() else [str(p.relative_to(ROOT)) for p in (ROOT / source).glob("*.py")]
        )
        for file in files:
            assert any(Path(file).match(pattern) for pattern in allowed), file


def test_the_copied_files_start_the_service_without_pulumi(tmp_path: Path) -> None:
    for source in copied_sources():
        for path in [ROOT / source] if (ROOT / source).is_file() else sorted((ROOT / source).glob("*.py")):
            target = tmp_path / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    assert re.search(r"^RUN : > providers/railway/__init__.py$", DOCKERFILE.read_text(), re.MULTILINE)
    (tmp_path / "providers" / "railway" / "__init__.py").write_text("")
    probe = "import sys, watchdog.__main__; assert 'pulumi' not in sys.modules, 'pulumi imported'"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": "."},
    )
    assert result.returncode == 0, result.stderr


def run_entrypoint(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "watchdog"], cwd=ROOT, capture_output=True, text=True, check=False, env=env, timeout=60
    )


def test_the_entrypoint_refuses_a_missing_configuration() -> None:
    result = run_entrypoint({})
    assert result.returncode == 2
    assert "WATCHDOG_CONFIG is not a valid watchdog configuration" in result.stderr


def test_the_entrypoint_refuses_to_start_without_a_project_token() -> None:
    config = render_config(stack_settings("dev"), project_id="p", environment_id="e", backend_service_id="s")
    result = run_entrypoint({"WATCHDOG_CONFIG": config})
    assert result.returncode == 2
    assert "RAILWAY_TOKEN is not set" in result.stderr


def test_the_entrypoint_refuses_a_bad_railway_endpoint_by_name() -> None:
    config = render_config(stack_settings("dev"), project_id="p", environment_id="e", backend_service_id="s")
    env = {"WATCHDOG_CONFIG": config, "RAILWAY_TOKEN": "stand-in", "RAILWAY_API_URL": "railway.invalid/graphql"}
    result = run_entrypoint(env)
    assert result.returncode == 2
    assert "RAILWAY_API_URL must be an absolute http(s) URL" in result.stderr and "Traceback" not in result.stderr
