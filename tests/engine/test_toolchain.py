"""The engine toolchain works end to end on a tiny program: the CLI, our Python language host, the program executor,
the dynamic-provider host, the stand-in provider plugins (test doubles), a local file backend with a passphrase
secrets provider, and a Python policy pack with its config."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.engine.harness import (
    ENGINE_VERSION,
    STANDIN_PLUGINS,
    VENV,
    Engine,
    Result,
    write_floor_program,
    write_policy_pack,
)

pytestmark = pytest.mark.engine


def _summary(preview: Result) -> dict[str, int]:
    return dict(preview.json()["changeSummary"])  # type: ignore[index]


def test_engine_is_the_pinned_version(engine: Engine) -> None:
    version = engine.pulumi(["version"], cwd=engine.backend_dir).stdout.strip()
    if (engine.bin_dir / ".converge-build-key").exists():
        assert version == ENGINE_VERSION
        host = subprocess.run(
            [str(engine.bin_dir / "pulumi-language-python"), "-version"], capture_output=True, text=True, check=True
        )
        assert host.stdout.strip() == f"{ENGINE_VERSION}+converge"
    else:  # an installed pulumi found on PATH (a laptop, GitHub Actions)
        assert version.startswith("v3.")


def test_standin_plugins_are_installed_at_the_python_packages_versions(engine: Engine) -> None:
    site = next((VENV / "lib").glob("python3*/site-packages"))
    for name, version in STANDIN_PLUGINS.items():
        plugin_json = json.loads((site / f"pulumi_{name}" / "pulumi-plugin.json").read_text())
        assert plugin_json["version"] == version, f"scripts/build-standin-plugins.sh pins {name} {version}"
    listed = engine.pulumi(["plugin", "ls", "--json"], cwd=engine.backend_dir).json()
    installed = {(p["name"], p["version"]) for p in listed}  # type: ignore[union-attr]
    assert set(STANDIN_PLUGINS.items()) <= installed


def test_preview_up_refresh_destroy(engine: Engine, tmp_path: Path, engine_report: dict[str, object]) -> None:
    project = write_floor_program(tmp_path / "program", dynamic=True)
    engine.init_stack(project, "smoke")
    before = len(engine.standin_calls())

    preview = engine.pulumi(["preview", "--stack", "smoke", "--json"], cwd=project)
    assert _summary(preview) == {"create": 3}
    assert engine.standin_calls()[before:] == [], "a preview must not create anything"

    up = engine.pulumi(["up", "--stack", "smoke", "--yes", "--skip-preview"], cwd=project)
    engine_report["floor up (RandomBytes + dynamic resource), seconds"] = round(up.seconds, 3)
    engine_report["floor up, peak RSS MiB"] = round(up.peak_rss_kib / 1024, 1)
    outputs = engine.pulumi(["stack", "output", "--stack", "smoke", "--json", "--show-secrets"], cwd=project).json()
    assert isinstance(outputs, dict)
    assert len(outputs["hex"]) == 32 and int(outputs["hex"], 16) >= 0
    # computed by the dynamic provider, which pulumi-resource-pulumi-python runs
    assert outputs["size"] == len("engine-floor")

    state = engine.pulumi(["stack", "export", "--stack", "smoke"], cwd=project).stdout
    assert outputs["hex"] not in state, "the secret random bytes reached the state in plaintext"
    resources = {r["type"]: r for r in json.loads(state)["deployment"]["resources"]}
    assert resources["random:index/randomBytes:RandomBytes"]["outputs"]["hex"]["ciphertext"]
    assert resources["pulumi-python:dynamic:Resource"]["id"] == "counter-engine-floor"

    mutations = len(engine.standin_calls())
    engine.pulumi(["refresh", "--stack", "smoke", "--yes", "--skip-preview"], cwd=project)
    assert [c["op"] for c in engine.standin_calls()[mutations:]] == ["read"]
    again = engine.pulumi(["preview", "--stack", "smoke", "--json", "--expect-no-changes"], cwd=project)
    assert _summary(again) == {"same": 3}
    engine.pulumi(["up", "--stack", "smoke", "--yes", "--skip-preview"], cwd=project)
    assert [c["op"] for c in engine.standin_calls()[mutations:]] == ["read"], "a second up must change nothing"

    engine.pulumi(["destroy", "--stack", "smoke", "--yes", "--skip-preview"], cwd=project)
    assert [c["op"] for c in engine.standin_calls()[mutations:]] == ["read", "delete"]
    left = json.loads(engine.pulumi(["stack", "export", "--stack", "smoke"], cwd=project).stdout)
    assert not left["deployment"].get("resources")


def test_policy_pack_fails_a_violating_preview_with_its_message(engine: Engine, tmp_path: Path) -> None:
    project = write_floor_program(tmp_path / "program", length=16)
    pack = write_policy_pack(tmp_path / "pack")
    engine.init_stack(project, "policy")
    result = engine.pulumi(["preview", "--stack", "policy", "--policy-pack", str(pack)], cwd=project, check=False)
    assert result.returncode != 0
    assert "random-bytes-min-length" in result.output
    assert "RandomBytes floor has 16 bytes, fewer than 32" in result.output


def test_policy_pack_config_is_applied(engine: Engine, tmp_path: Path) -> None:
    project = write_floor_program(tmp_path / "program", length=16)
    pack = write_policy_pack(tmp_path / "pack")
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"random-bytes-min-length": {"minLength": 8}}))
    engine.init_stack(project, "policy")
    result = engine.pulumi(
        ["preview", "--stack", "policy", "--policy-pack", str(pack), "--policy-pack-config", str(config)], cwd=project
    )
    assert "engine-floor-policy" in result.output and "fewer than" not in result.output


def test_engine_floor_is_measured(engine_floor: Result, engine_report: dict[str, object]) -> None:
    # A measurement, reported at the end of the run; the bound only catches a hung or broken engine.
    assert 0 < engine_floor.seconds < 120
    assert engine_floor.peak_rss_kib > 0
    engine_report["engine bin dir"] = str(Path(engine_floor.args[0]).parent)
