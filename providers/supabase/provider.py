"""The Supabase side of the provider core: every Supabase kind's provider makes its client here, checks
the project ref it belongs to, and settings share one shape (`SettingProvider`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pulumi.dynamic import CheckFailure, CreateResult, ReadResult, UpdateResult

from providers.core.properties import is_unknown
from providers.core.provider import Provider

if TYPE_CHECKING:
    from providers.supabase.client import SupabaseClient

# A project that has settled; anything else on the way there is waited for, these end the wait.
HEALTHY = "ACTIVE_HEALTHY"
FAILED_STATUSES = frozenset({"INIT_FAILED", "RESTORE_FAILED", "PAUSE_FAILED"})
# A paused project stays paused until someone restores it: waiting for it cannot end well.
PAUSED = "INACTIVE"
# Statuses of a project that is gone or going: such a project is neither adopted nor read as present.
GONE_STATUSES = frozenset({"REMOVED", "GOING_DOWN"})

_PROJECT_REF_LENGTH = 20


def valid_ref(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) == _PROJECT_REF_LENGTH
        and value.isascii()
        and value.isalpha()
        and value.islower()
    )


class SupabaseProvider(Provider):
    """Every Supabase object but the project belongs to one project: a new ref means a new object."""

    replace_on: ClassVar[tuple[str, ...]] = ("projectRef",)
    # Delete first: a replacement made beside the old one would be a second project (or setting) with
    # the same name, which the adopt-on-retry logic of project creation would mistake for its own.
    delete_before_replace = True

    def client(self) -> SupabaseClient:
        """A client for the base URL and `SUPABASE_ACCESS_TOKEN` in the environment right now."""
        from providers.supabase.client import SupabaseClient

        return SupabaseClient.from_environment()

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        ref = news.get("projectRef")
        if "projectRef" in news and not is_unknown(ref) and not valid_ref(ref):
            return [CheckFailure("projectRef", f"{ref!r} is not a Supabase project ref (20 lower-case letters)")]
        return []


class SettingProvider(SupabaseProvider):
    """A setting of a project: create and update both converge the live value, read observes it, and
    deleting the resource leaves the project as it is.

    Before converging, the project and its services must be healthy: a project that has just turned
    ACTIVE_HEALTHY (or restarted) still brings its services up, and settings written then fail."""

    # The last part of the resource's id, `<ref>/<kind>`.
    kind = "setting"

    def observe(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def converge(self, client: SupabaseClient, ref: str, props: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def create(self, props: dict[str, Any]) -> CreateResult:
        ref = props["projectRef"]
        client = self.client()
        client.wait_until_ready(ref, f"before setting its {self.kind}")
        return CreateResult(f"{ref}/{self.kind}", self.converge(client, ref, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, {**props, **self.observe(self.client(), props["projectRef"], props)})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        client.wait_until_ready(news["projectRef"], f"before setting its {self.kind}")
        return UpdateResult(self.converge(client, news["projectRef"], news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None
