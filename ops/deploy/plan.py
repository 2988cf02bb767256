"""Production's saved plan: the plan the reviewer approves is the plan that gets applied.

`pulumi preview --save-plan plan.json` records the operations; `pulumi up --plan plan.json` refuses any
operation beyond them ("resource ... violates plan"). What the engine does not check is ours: that the file
applied is the one the reviewer was shown (its digest), that it is applied to the commit it was made from,
and that no update or refresh wrote the stack's state in between (the digest of `pulumi stack export`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import PlanMovedError, UsageError
from .preview import Preview, markdown_table


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None


def state_digest(path: Path) -> str:
    """Digest of the stack's deployment as `pulumi stack export` prints it; any update or refresh changes it."""
    try:
        exported = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read the exported state {path}: {error.strerror}") from None
    except ValueError:
        raise UsageError(f"{path} is not JSON (expected `pulumi stack export`)") from None
    if not isinstance(exported, dict) or "deployment" not in exported:
        raise UsageError(f"{path} has no deployment (expected `pulumi stack export`)")
    canonical = json.dumps(exported["deployment"], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class PlanRecord:
    stack: str
    commit: str
    plan_sha256: str
    state_sha256: str

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> PlanRecord:
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{key: str(data[key]) for key in ("stack", "commit", "plan_sha256", "state_sha256")})
        except OSError as error:
            raise UsageError(f"cannot read the plan record {path}: {error.strerror}") from None
        except (ValueError, KeyError, TypeError):
            raise UsageError(f"{path} is not a plan record (made by `python -m ops.deploy plan-record`)") from None


def record(stack: str, commit: str, plan: Path, state: Path) -> PlanRecord:
    return PlanRecord(stack=stack, commit=commit, plan_sha256=file_digest(plan), state_sha256=state_digest(state))


def summary(record: PlanRecord, preview: Preview) -> str:
    count = len(preview.changes)
    return (
        f"### Plan for `{record.stack}` at `{record.commit[:7]}`: {count} change{'s' if count != 1 else ''}\n\n"
        f"{markdown_table(preview)}\n\n"
        f"Approving the deployment applies exactly this plan (`sha256:{record.plan_sha256[:16]}…`). The apply "
        "fails if the stack's state changed after this preview, or if any resource would change beyond it."
    )


def verify(saved: PlanRecord, stack: str, commit: str, plan: Path, state: Path) -> None:
    if saved.stack != stack:
        raise PlanMovedError(f"the plan was made for stack {saved.stack}, not {stack}")
    if saved.commit != commit:
        raise PlanMovedError(f"the plan was made at commit {saved.commit[:7]}, this run is at {commit[:7]}")
    if file_digest(plan) != saved.plan_sha256:
        raise PlanMovedError("the plan file is not the one the reviewer was shown (its digest differs)")
    if state_digest(state) != saved.state_sha256:
        raise PlanMovedError(
            f"the state of {stack} changed since the plan was made (another update or refresh ran): "
            "preview again and have the new plan approved"
        )
