"""Where the official API and file-format specs are: `shared/specs/` beside the checkout, as the
workspace and CI lay it out, or `CONVERGE_SPECS_DIR`."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS_DIR = Path(os.environ.get("CONVERGE_SPECS_DIR") or ROOT.parent / "shared" / "specs")


def spec_path(name: str) -> Path:
    path = SPECS_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the tests check requests against it (set CONVERGE_SPECS_DIR)")
    return path
