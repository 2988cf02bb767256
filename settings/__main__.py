"""`python -m settings <document> [--check]`: write (or check) the documents generated from the model.

pulumi-yaml  Pulumi.yaml (project file with the typed `config:` block)
schema       schemas/stack-config.schema.json (JSON schema of Pulumi.<stack>.yaml)
readme       the config reference inside README.md
all          all three
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from settings.documents import SCHEMA_PATH, pulumi_yaml, readme_with_reference, stack_file_schema

ROOT = Path(__file__).resolve().parents[1]

DOCUMENTS: dict[str, tuple[Path, Callable[[str], str]]] = {
    "pulumi-yaml": (ROOT / "Pulumi.yaml", lambda _: pulumi_yaml()),
    "schema": (ROOT / SCHEMA_PATH, lambda _: json.dumps(stack_file_schema(), indent=2) + "\n"),
    "readme": (ROOT / "README.md", readme_with_reference),
}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    names = [a for a in argv if not a.startswith("--")] or ["all"]
    if names == ["all"]:
        names = list(DOCUMENTS)
    unknown = [n for n in names if n not in DOCUMENTS]
    if unknown:
        print(__doc__, file=sys.stderr)
        return 2
    stale = []
    for name in names:
        path, render = DOCUMENTS[name]
        current = path.read_text() if path.exists() else ""
        wanted = render(current)
        if current != wanted:
            stale.append(path.relative_to(ROOT))
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(wanted)
    if check and stale:
        print(f"out of date (run `python -m settings`): {', '.join(map(str, stale))}", file=sys.stderr)
        return 1
    for path in stale:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
