"""What the Supabase dynamic providers share: the provider base class, diffing, waiting for a project.

The provider objects hold no state at all. Pulumi pickles them into every resource's state (the
`__provider` property), so a token or password kept on one would end up there; everything they
need is read from the environment or the resource's properties when a method runs.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pulumi.dynamic import CheckFailure, CheckResult, DiffResult, ReadResult, ResourceProvider
from pulumi.output import Unknown
from pulumi.runtime import rpc

from providers.core.errors import ApiError
from providers.supabase.client import API, SupabaseClient, Waits, sleep

# A project that has settled; anything else on the way there is waited for, these two end the wait.
HEALTHY = "ACTIVE_HEALTHY"
FAILED_STATUSES = frozenset({"INIT_FAILED", "RESTORE_FAILED", "PAUSE_FAILED"})
# Statuses of a project that is gone or going: such a project is neither adopted nor read as present.
GONE_STATUSES = frozenset({"REMOVED", "GOING_DOWN"})

_PROJECT_REF_LENGTH = 20


class SupabaseError(Exception):
    """A problem the API reported in a 2xx answer, or a check of what it reported that failed."""


def plain(value: Any) -> Any:
    """`value` with the engine's secret wrappers removed (they arrive around secret inputs and outputs)."""
    if rpc.is_rpc_secret(value):
        return plain(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def secret(value: Any) -> Any:
    """Mark an output secret in what the provider returns, so the engine stores it encrypted whatever the
    resource's `additional_secret_outputs` say (refresh included)."""
    return None if value is None else rpc.wrap_rpc_secret(value)


def _with_plain_properties(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any) -> Any:
        return method(self, *(plain(arg) for arg in args))

    return wrapper


class SupabaseProvider(ResourceProvider):
    """Base of the Supabase providers: stateless, so the serialized provider is plain and secret-free."""

    serialize_as_secret_always = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The engine hands secret properties (the database password, secret outputs) over wrapped; every
        # provider method works on plain values, so none can forget to unwrap (or send a wrapper to the API).
        super().__init_subclass__(**kwargs)
        for name in ("diff", "create", "read", "update", "delete"):
            if name in cls.__dict__:
                setattr(cls, name, _with_plain_properties(cls.__dict__[name]))

    # Properties whose change means a new resource (the project a setting belongs to, for instance).
    replace_on: tuple[str, ...] = ("project_ref",)
    # Properties compared by `diff`; a change runs `update`.
    compared: tuple[str, ...] = ()

    def client(self) -> SupabaseClient:
        return SupabaseClient.from_environment()

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        values = plain(news)
        failures: list[CheckFailure] = []
        ref = values.get("project_ref")
        if "project_ref" in values and not is_unknown(ref) and not valid_ref(ref):
            failures.append(
                CheckFailure("project_ref", f"{ref!r} is not a Supabase project ref (20 lower-case letters)")
            )
        # The inputs go back as they came: unwrapped here, the password would be stored unencrypted.
        return CheckResult(news, failures + self.check_inputs(values))

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        return []

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return diff_fields(olds, news, self.replace_on + self.compared, self.replace_on)


def valid_ref(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) == _PROJECT_REF_LENGTH
        and value.isascii()
        and value.isalpha()
        and value.islower()
    )


def is_unknown(value: Any) -> bool:
    """A value the engine does not know yet (preview of a resource whose input comes from another). The
    provider host hands it over as an `Unknown` object (check, diff) or as the wire sentinel."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN)


def _normalized(value: Any) -> Any:
    # Lists compare as sets where order means nothing (CIDRs, schemas); the engine may hand back tuples.
    if isinstance(value, list | tuple):
        return sorted(_normalized(item) for item in value)
    # Numbers cross the engine as floats (protobuf Struct): 15 and 15.0 are the same setting.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def changed_fields(olds: Mapping[str, Any], news: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    return [
        field
        for field in fields
        if is_unknown(news.get(field)) or _normalized(news.get(field)) != _normalized(olds.get(field))
    ]


def diff_fields(
    olds: Mapping[str, Any], news: Mapping[str, Any], fields: Iterable[str], replace_on: Iterable[str]
) -> DiffResult:
    changed = changed_fields(olds, news, fields)
    replaces = [field for field in changed if field in set(replace_on)]
    # Delete first: a replacement made beside the old one would be a second project (or setting) with
    # the same name, which the adopt-on-retry logic of project creation would mistake for its own.
    return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=bool(replaces) or None)


def gone() -> ReadResult:
    """What `read` returns for a resource deleted outside Pulumi: the engine drops it from the state."""
    return ReadResult("", {})


def password_digest(password: str) -> str:
    """A one-way digest of the database password, kept in the state instead of the password so that a
    new password shows up in `diff`. The password comes from RandomPassword (high entropy), which is
    what makes an unsalted digest safe to keep."""
    return "sha256:" + hashlib.sha256(f"converge-nps/supabase-db-password/{password}".encode()).hexdigest()


def wait_for(
    what: str,
    poll: Callable[[], Any],
    settled: Callable[[Any], bool],
    waits: Waits | None = None,
    failed: Callable[[Any], str | None] = lambda _value: None,
) -> Any:
    """Call `poll` until `settled` says yes, `failed` names a reason, or the wait times out."""
    waits = waits or Waits.from_environment()
    deadline = time.monotonic() + waits.timeout
    while True:
        value = poll()
        if settled(value):
            return value
        reason = failed(value)
        if reason:
            raise SupabaseError(f"{API}: {what}: {reason}")
        if time.monotonic() >= deadline:
            raise SupabaseError(
                f"{API}: {what}: still not done after {waits.timeout:g}s (last seen: {describe(value)}); "
                "`pulumi up` again resumes the wait"
            )
        sleep(waits.interval)


def describe(value: Any) -> str:
    if isinstance(value, dict) and "status" in value:
        return f"status {value['status']}"
    return repr(value)[:200]


def wait_until_healthy(client: SupabaseClient, ref: str, what: str, waits: Waits | None = None) -> dict[str, Any]:
    """Poll `GET /v1/projects/{ref}` until the project is ACTIVE_HEALTHY; INIT_FAILED and the like end it."""

    def failed(project: dict[str, Any]) -> str | None:
        status = project.get("status")
        if status in FAILED_STATUSES:
            return (
                f"project {ref} is {status}. Supabase could not bring it up; look at it in the dashboard, delete it "
                "there, then run `pulumi up` again to create a new one"
            )
        if status in GONE_STATUSES:
            return f"project {ref} is {status} (deleted outside Pulumi?)"
        return None

    result: dict[str, Any] = wait_for(
        f"waiting for project {ref} ({what}) to be {HEALTHY}",
        lambda: client.get_project(ref),
        lambda project: project.get("status") == HEALTHY,
        waits,
        failed,
    )
    return result


def api_error(operation: str, message: str) -> ApiError:
    return ApiError(API, operation, message)
