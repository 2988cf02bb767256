"""Record what another checkout's program registers, as JSON on stdout (for `--base`).

Run as a script with the other checkout as its root, so that its own settings, components and mock
harness (offline/program.py; tests/support/program.py in checkouts older than its move) are imported:

    python ops/report/snapshot.py --root <checkout> --stack prod

Only the standard library and the Pulumi SDK are imported from here; nothing of this checkout, which
may differ from the other one.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any


def encode(value: Any) -> Any:
    # The other checkout's marker classes are its own (older ones defined them in the harness), so
    # they are told apart by name: nothing of this checkout may be imported here.
    kind = type(value).__name__
    if kind == "Secret":
        return {"$secret": encode(value.value)}
    if kind == "Unknown":
        return {"$unknown": True}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True, type=Path)
    parser.add_argument("--stack", required=True)
    args = parser.parse_args()
    root = args.root.resolve()
    # sys.path[0] is this script's directory; the other checkout takes its place.
    sys.path[0] = str(root)
    harness_module = "offline.program" if (root / "offline" / "program.py").is_file() else "tests.support.program"
    harness = importlib.import_module(harness_module)

    # The program may print; only the JSON document goes to stdout. Checkouts whose offline runner
    # takes its stand-ins as a parameter get the report's own; older ones brought theirs.
    with redirect_stdout(io.StringIO()):
        if hasattr(harness, "StandIns"):
            module = (
                "ops.report.stand_ins" if (root / "ops" / "report" / "stand_ins.py").is_file() else "ops.report.collect"
            )
            stand_ins = importlib.import_module(module).report_stand_ins()
            run = harness.run_stack(args.stack, stand_ins, preview=True)
        else:
            run = harness.run_stack(args.stack, preview=True)
    resources = [
        {
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "parent": r.parent,
            "inputs": encode(r.inputs),
            "outputs": encode(r.outputs),
            "additional_secret_outputs": list(getattr(r, "additional_secret_outputs", ())),
            "dependencies": list(getattr(r, "dependencies", ())),
        }
        for r in run.resources
    ]
    json.dump({"stack": args.stack, "resources": resources}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
