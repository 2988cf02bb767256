"""`--base`: the same stack in another checkout or git ref, priced with this checkout's model.

Both sides are priced with the current price table (like Infracost, the delta shows what the change
costs, not what prices did). The other checkout's program is run in a subprocess, so its settings and
components are its own (ops/report/snapshot.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.values import UNKNOWN, Secret
from ops.report.collect import ROOT, Costing, price

SNAPSHOT = Path(__file__).with_name("snapshot.py")
TIMEOUT_SECONDS = 300


class BaseError(Exception):
    """The base could not be checked out or its program did not run."""


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$secret"}:
            return Secret(decode(value["$secret"]))
        if set(value) == {"$unknown"}:
            return UNKNOWN
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


@dataclass(frozen=True)
class Snapshotted:
    urn: str
    type: str
    name: str
    parent: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    additional_secret_outputs: tuple[str, ...]
    dependencies: tuple[str, ...]


@contextmanager
def checkout(base: str, repository: Path = ROOT) -> Iterator[Path]:
    """A directory holding `base`: the directory itself, or the git ref's tree extracted to a temp dir."""
    if Path(base).is_dir():
        yield Path(base)
        return
    with tempfile.TemporaryDirectory(prefix="converge-report-base-") as tmp:
        archive = Path(tmp) / "base.tar"
        try:
            subprocess.run(
                ["git", "-C", str(repository), "archive", "--format=tar", "-o", str(archive), base],
                check=True,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
            )
        except subprocess.CalledProcessError as error:
            raise BaseError(f"{base!r} is neither a directory nor a git ref: {error.stderr.strip()}") from None
        target = Path(tmp) / "tree"
        target.mkdir()
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
        yield target


# Where a checkout keeps the offline harness; before it moved to offline/ it lived in the test tree.
HARNESS_PATHS = ("offline/program.py", "tests/support/program.py")


def snapshot(root: Path, stack: str) -> list[Snapshotted]:
    if not any((root / path).is_file() for path in HARNESS_PATHS):
        raise BaseError(f"{root} has no {HARNESS_PATHS[0]} to run its program with")
    done = subprocess.run(
        [sys.executable, str(SNAPSHOT), "--root", str(root), "--stack", stack],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise BaseError(f"the base program failed for stack {stack!r}:\n{tail}")
    document = json.loads(done.stdout)
    return [
        Snapshotted(
            urn=r["urn"],
            type=r["type"],
            name=r["name"],
            parent=r["parent"],
            inputs=decode(r["inputs"]),
            outputs=decode(r["outputs"]),
            additional_secret_outputs=tuple(r["additional_secret_outputs"]),
            dependencies=tuple(r["dependencies"]),
        )
        for r in document["resources"]
    ]


def base_costing(base: str, stack: str) -> Costing:
    with checkout(base) as root:
        return price(snapshot(root, stack))
