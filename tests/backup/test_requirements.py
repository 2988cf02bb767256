"""The backup job installs only ops/backup/requirements.txt (.github/workflows/backup.yml): the tool must run
with those packages and the standard library alone, whatever the rest of the project needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "ops" / "backup" / "requirements.txt"

# In a fresh interpreter: allow the standard library, this repository's packages and the modules of the
# requirements' distributions and everything they depend on; refuse any other import.
PROBE = """
import importlib.abc, importlib.metadata, sys
from pathlib import Path
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

lines = Path(sys.argv[1]).read_text().splitlines()
queue = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
closure = set()
while queue:
    requirement = queue.pop()
    name = canonicalize_name(requirement.name)
    if name in closure or (requirement.marker is not None and not requirement.marker.evaluate({"extra": ""})):
        continue
    closure.add(name)
    queue += [Requirement(text) for text in importlib.metadata.requires(name) or []]
allowed = set(sys.stdlib_module_names) | {p.name for p in Path(".").iterdir() if (p / "__init__.py").exists()}
for module, distributions in importlib.metadata.packages_distributions().items():
    if any(canonicalize_name(d) in closure for d in distributions):
        allowed.add(module)

class OnlyTheRequirements(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top not in allowed and not top.startswith("_"):
            raise ImportError(f"{name} is not in ops/backup/requirements.txt or what it installs")
        return None

sys.meta_path.insert(0, OnlyTheRequirements())
import ops.backup.cli
"""


def test_the_backup_tool_imports_nothing_beyond_its_requirements() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(REQUIREMENTS)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert probe.returncode == 0, probe.stderr
