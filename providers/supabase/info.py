"""Read-only data about a project that an operator needs: its API keys and the state of its backups.

These resources change nothing in Supabase: create, update and refresh read, delete does nothing.
The API keys are outputs marked secret (`additional_secret_outputs`), so the state holds them only
encrypted; they are never logged or exported in plaintext.

Daily backup retention is set by the organization's plan and cannot be changed through the API; the
backups resource checks what the project reports against what the plan promises and fails loudly
when a plan that should give daily backups (Pro: 7 days) shows none enabled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from providers.supabase.client import NotFoundError
from providers.supabase.common import SupabaseError, SupabaseProvider, gone, secret

API_KEY_OUTPUTS = ("anon_key", "service_role_key")


class ApiKeysProvider(SupabaseProvider):
    """The project's `anon` and `service_role` keys (`GET .../api-keys?reveal=true`)."""

    def observe(self, ref: str) -> dict[str, Any]:
        keys = self.client().list_api_keys(ref)
        by_name = {str(key.get("name")): key.get("api_key") for key in keys}
        missing = [name for name in ("anon", "service_role") if not by_name.get(name)]
        if missing:
            raise SupabaseError(
                f"project {ref}: the API lists no {' or '.join(missing)} key (legacy API keys disabled?)"
            )
        return {
            "project_ref": ref,
            "anon_key": secret(by_name["anon"]),
            "service_role_key": secret(by_name["service_role"]),
            "key_names": sorted(by_name),
        }

    def create(self, props: dict[str, Any]) -> CreateResult:
        ref = props["project_ref"]
        return CreateResult(f"{ref}/api-keys", self.observe(ref))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.observe(news["project_ref"]))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            return ReadResult(id_, self.observe(props["project_ref"]))
        except NotFoundError:
            return gone()


class BackupsProvider(SupabaseProvider):
    """Backup status (`GET .../database/backups`): WAL-G daily backups, PITR, the last completed backup."""

    compared = ("retention_days",)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        # Refresh saw daily backups missing where the plan promises them: update re-checks and fails.
        if not result.changes and int(news.get("retention_days") or 0) > 0 and olds.get("walg_enabled") is False:
            return DiffResult(changes=True, replaces=[], delete_before_replace=None)
        return result

    def observe(self, ref: str, retention_days: int) -> dict[str, Any]:
        answer = self.client().list_backups(ref)
        completed = [
            str(backup["inserted_at"]) for backup in answer.get("backups", []) if backup.get("status") == "COMPLETED"
        ]
        latest_physical = (answer.get("physical_backup_data") or {}).get("latest_physical_backup_date_unix")
        last = max(completed) if completed else None
        if latest_physical:
            physical = dt.datetime.fromtimestamp(int(latest_physical), dt.UTC).isoformat()
            last = max(last, physical) if last else physical
        return {
            "project_ref": ref,
            "retention_days": retention_days,
            "walg_enabled": bool(answer.get("walg_enabled")),
            "pitr_enabled": bool(answer.get("pitr_enabled")),
            "last_backup_at": last,
            "completed_backups": len(completed),
        }

    def checked(self, ref: str, retention_days: int) -> dict[str, Any]:
        state = self.observe(ref, retention_days)
        if retention_days > 0 and not state["walg_enabled"]:
            raise SupabaseError(
                f"project {ref}: daily backups are off, but the stack's plan promises {retention_days} days of them. "
                "Backup retention comes with the organization's plan and cannot be set through the API: check the "
                "organization's plan and the project's backups in the Supabase dashboard"
            )
        return state

    def create(self, props: dict[str, Any]) -> CreateResult:
        ref = props["project_ref"]
        return CreateResult(f"{ref}/backups", self.checked(ref, int(props["retention_days"])))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.checked(news["project_ref"], int(news["retention_days"])))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            return ReadResult(id_, self.observe(props["project_ref"], int(props["retention_days"])))
        except NotFoundError:
            return gone()


@dataclass
class ApiKeysArgs:
    project_ref: pulumi.Input[str]


class SupabaseApiKeys(pulumi.dynamic.Resource, module="supabase", name="ApiKeys"):
    """The project's API keys (`pulumi-python:dynamic/supabase:ApiKeys`), as secrets."""

    anon_key: pulumi.Output[str]
    service_role_key: pulumi.Output[str]

    def __init__(self, name: str, args: ApiKeysArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = {"project_ref": args.project_ref, "anon_key": None, "service_role_key": None, "key_names": None}
        secrets = pulumi.ResourceOptions(additional_secret_outputs=list(API_KEY_OUTPUTS))
        super().__init__(ApiKeysProvider(), name, props, pulumi.ResourceOptions.merge(secrets, opts))


@dataclass
class BackupsArgs:
    project_ref: pulumi.Input[str]
    # Daily backup retention the organization's plan gives (settings.seed); 0 means none expected.
    retention_days: pulumi.Input[int]


class SupabaseBackups(pulumi.dynamic.Resource, module="supabase", name="Backups"):
    """Backup status of the project (`pulumi-python:dynamic/supabase:Backups`)."""

    walg_enabled: pulumi.Output[bool]
    pitr_enabled: pulumi.Output[bool]
    last_backup_at: pulumi.Output[str | None]

    def __init__(self, name: str, args: BackupsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = {
            "project_ref": args.project_ref,
            "retention_days": args.retention_days,
            "walg_enabled": None,
            "pitr_enabled": None,
            "last_backup_at": None,
            "completed_backups": None,
        }
        super().__init__(BackupsProvider(), name, props, opts)
