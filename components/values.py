"""The value vocabulary every reader of registered properties shares: secret, unknown, plain.

The offline runner records what the program registers with these markers, the policy pack turns
pulumi-policy's proxies into them, the cost model and the report read them. A component's contract
(what a policy reads of it) is written against these values, so it is one vocabulary everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulumi.runtime.rpc import UNKNOWN as UNKNOWN_STRING_SENTINEL


@dataclass(frozen=True)
class Secret:
    """A value marked secret."""

    value: Any


@dataclass(frozen=True)
class Unknown:
    """A value not known until `pulumi up` (preview). Keeps the engine's sentinel for its type, so a
    policy's remediation can send the same unknown back."""

    sentinel: str = UNKNOWN_STRING_SENTINEL

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = Unknown()


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def plain(value: Any) -> Any:
    """The value without `Secret` markers (for checks that judge a value, not its secrecy); unknowns stay."""
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value
