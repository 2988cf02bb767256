"""`pulumi preview --json` read back: the changes it proposes, its errors, and the same as Markdown for the
job summary and the drift issue."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError

# The operations the engine does not count as changes (`engine.HasChanges` in pulumi/pkg), and `refresh`: with
# `--refresh` every resource is listed with a refresh step, changed or not, and what a refresh found shows up
# as the step that would put the resource back (as `changeSummary` and `--expect-no-changes` count it).
NO_CHANGE_OPS = frozenset({"same", "read", "discard", "read-replacement", "refresh"})


@dataclass(frozen=True)
class Change:
    op: str
    type: str
    name: str
    properties: tuple[str, ...]

    @property
    def line(self) -> str:
        props = ", ".join(f"`{p}`" for p in self.properties) or "-"
        return f"| {self.op} | `{self.type}` | `{self.name}` | {props} |"


@dataclass(frozen=True)
class Preview:
    changes: tuple[Change, ...]
    errors: tuple[str, ...]

    @property
    def digest(self) -> str:
        """Identifies this set of changes, so a report can tell "the same drift again" from "new drift"."""
        text = "\n".join(sorted(c.line for c in self.changes))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def parse(data: Any) -> Preview:
    if not isinstance(data, dict):
        raise UsageError("the preview is not a JSON object (expected `pulumi preview --json`)")
    changes = []
    for step in data.get("steps") or []:
        op = str(step.get("op", ""))
        if op in NO_CHANGE_OPS:
            continue
        type_, name = _split_urn(str(step.get("urn", "")))
        properties = step.get("replaceReasons") or step.get("diffReasons") or sorted(step.get("detailedDiff") or {})
        changes.append(Change(op, type_, name, tuple(str(p) for p in properties)))
    errors = tuple(
        str(d.get("message", "")).strip()
        for d in data.get("diagnostics") or []
        if d.get("severity") == "error" and str(d.get("message", "")).strip()
    )
    return Preview(tuple(changes), errors)


def load(path: Path) -> Preview:
    """An empty or unreadable file is a preview that produced nothing (it failed before printing)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read the preview {path}: {error.strerror}") from None
    if not text.strip():
        return Preview((), ("the preview printed no JSON (see its log)",))
    try:
        return parse(json.loads(text))
    except ValueError:
        raise UsageError(f"{path} is not JSON (expected the output of `pulumi preview --json`)") from None


def _split_urn(urn: str) -> tuple[str, str]:
    # urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>
    parts = urn.split("::")
    if len(parts) < 4:
        return "?", urn
    return parts[2].split("$")[-1], "::".join(parts[3:])


def markdown_table(preview: Preview) -> str:
    if not preview.changes:
        return "No changes."
    rows = ["| operation | type | name | properties |", "|---|---|---|---|", *(c.line for c in preview.changes)]
    return "\n".join(rows)
