"""The engine's event stream of a preview, typed.

`PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1 pulumi preview --json` writes one JSON object per line:
`{"sequence": n, "timestamp": t, "<kind>Event": {...}}`. Unlike the default `--json` document, the stream
carries the policy results, so one preview yields resource changes, policies and cost. The kinds read here
are below; every other kind (prelude, policy summaries, cancel, ...) is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# How the engine writes a secret value into events: its signature key and value, the ciphertext masked.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"  # noqa: S105 - a marker, not a credential
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 - a marker, not a credential
# How the engine writes a value a preview cannot know yet (an output of a resource still to be created).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET = "[secret]"  # noqa: S105 - the mask, not a credential


class StreamError(ValueError):
    """The input is not an engine event stream; the message is one line."""


@dataclass(frozen=True)
class Step:
    """`resourcePreEvent`: what the engine will do to one resource."""

    op: str  # create, update, replace, delete, same, create-replacement, delete-replaced, read, ...
    urn: str
    type: str
    replace_keys: tuple[str, ...]  # the properties that force a replacement, when the provider says


@dataclass(frozen=True)
class Outputs:
    """`resOutputsEvent`: a resource's outputs before (`old`, None when new) and after the change."""

    urn: str
    type: str
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None


@dataclass(frozen=True)
class PolicyViolation:
    """`policyEvent`: a policy's finding on a resource or the stack."""

    urn: str
    policy: str
    pack: str
    level: str  # mandatory, advisory, remediate, disabled
    message: str


@dataclass(frozen=True)
class Diagnostic:
    """`diagnosticEvent`."""

    severity: str  # debug, info, info#err, warning, error
    message: str
    urn: str | None


@dataclass(frozen=True)
class Summary:
    """`summaryEvent`: the engine's own count of changes and the preview's result."""

    result: str  # succeeded, failed
    changes: Mapping[str, int]


Event = Step | Outputs | PolicyViolation | Diagnostic | Summary


def reveal_nothing(value: Any) -> Any:
    """`value` with each secret replaced by `[secret]` (as the engine prints them) and unknowns by None."""
    if isinstance(value, Mapping):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            return SECRET
        return {key: reveal_nothing(item) for key, item in value.items()}
    if isinstance(value, list):
        return [reveal_nothing(item) for item in value]
    return None if value == UNKNOWN else value


def _text(body: Mapping[str, Any], key: str, kind: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise StreamError(f"{kind} without a string {key!r}")
    return value


def _state_outputs(metadata: Mapping[str, Any], side: str) -> Mapping[str, Any] | None:
    state = metadata.get(side)
    if not isinstance(state, Mapping):
        return None
    outputs = reveal_nothing(state.get("outputs") or {})
    return outputs if isinstance(outputs, dict) else None


def _event(kind: str, body: Mapping[str, Any]) -> Event | None:
    if kind == "resourcePreEvent" or kind == "resOutputsEvent":
        metadata = body.get("metadata")
        if not isinstance(metadata, Mapping):
            raise StreamError(f"{kind} without metadata")
        op, urn, type_ = (_text(metadata, key, kind) for key in ("op", "urn", "type"))
        if kind == "resourcePreEvent":
            keys = metadata.get("keys") or []
            return Step(op=op, urn=urn, type=type_, replace_keys=tuple(str(k) for k in keys))
        return Outputs(urn=urn, type=type_, old=_state_outputs(metadata, "old"), new=_state_outputs(metadata, "new"))
    if kind == "policyEvent":
        return PolicyViolation(
            urn=str(body.get("resourceUrn") or ""),
            policy=_text(body, "policyName", kind),
            pack=str(body.get("policyPackName") or ""),
            level=_text(body, "enforcementLevel", kind),
            message=_text(body, "message", kind),
        )
    if kind == "diagnosticEvent":
        where = body.get("urn")
        return Diagnostic(
            severity=_text(body, "severity", kind),
            message=_text(body, "message", kind),
            urn=where if isinstance(where, str) and where else None,
        )
    if kind == "summaryEvent":
        changes = body.get("resourceChanges") or {}
        if not isinstance(changes, Mapping) or not all(isinstance(n, int) for n in changes.values()):
            raise StreamError("summaryEvent with malformed resourceChanges")
        return Summary(result=_text(body, "result", kind), changes=dict(changes))
    return None


def parse(lines: Iterable[str]) -> list[Event]:
    """The events of a stream, in order; unknown kinds are skipped, anything else that is not an event refused."""
    events: list[Event] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise StreamError(
                f"line {number} is not JSON: not an engine event stream "
                "(was it written by `pulumi preview --json` with PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1?)"
            ) from None
        kinds = [key for key in record if key.endswith("Event")] if isinstance(record, dict) else []
        if not isinstance(record, dict) or not isinstance(record.get("sequence"), int) or len(kinds) != 1:
            raise StreamError(f"line {number} is not an engine event (a sequence number and one <kind>Event)")
        body = record[kinds[0]]
        if not isinstance(body, Mapping):
            raise StreamError(f"line {number}: {kinds[0]} is not an object")
        try:
            event = _event(kinds[0], body)
        except StreamError as error:
            raise StreamError(f"line {number}: {error}") from None
        if event is not None:
            events.append(event)
    return events
