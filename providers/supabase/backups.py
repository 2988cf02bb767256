"""Backup status of the project (`GET .../database/backups`): WAL-G daily backups, PITR, the last
completed backup. Read-only: create, update and refresh read, delete does nothing.

Daily backup retention is set by the organization's plan and cannot be changed through the API; the
resource checks what the project reports against what the plan promises and fails loudly when a plan
that should give daily backups (Pro: 7 days) shows none enabled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from providers.core.properties import properties
from providers.core.provider import Resource
from providers.supabase.errors import SupabaseError
from providers.supabase.provider import SupabaseProvider


class BackupsProvider(SupabaseProvider):
    inputs = ("projectRef", "retentionDays")
    outputs = ("walgEnabled", "pitrEnabled", "lastBackupAt", "completedBackups")

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = self.diff_of(olds, news)
        # Refresh saw daily backups missing where the plan promises them: update re-checks and fails.
        if not result.changes and int(news.get("retentionDays") or 0) > 0 and olds.get("walgEnabled") is False:
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
            "projectRef": ref,
            "retentionDays": retention_days,
            "walgEnabled": bool(answer.get("walg_enabled")),
            "pitrEnabled": bool(answer.get("pitr_enabled")),
            "lastBackupAt": last,
            "completedBackups": len(completed),
        }

    def checked(self, ref: str, retention_days: int) -> dict[str, Any]:
        state = self.observe(ref, retention_days)
        if retention_days > 0 and not state["walgEnabled"]:
            raise SupabaseError(
                f"project {ref}: daily backups are off, but the stack's plan promises {retention_days} days of them. "
                "Backup retention comes with the organization's plan and cannot be set through the API: check the "
                "organization's plan and the project's backups in the Supabase dashboard"
            )
        return state

    def create(self, props: dict[str, Any]) -> CreateResult:
        ref = props["projectRef"]
        return CreateResult(f"{ref}/backups", self.checked(ref, int(props["retentionDays"])))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.checked(news["projectRef"], int(news["retentionDays"])))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, self.observe(props["projectRef"], int(props["retentionDays"])))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


@dataclass
class BackupsArgs:
    project_ref: pulumi.Input[str]
    # Daily backup retention the organization's plan gives (settings.seed); 0 means none expected.
    retention_days: pulumi.Input[int]


class SupabaseBackups(Resource, module="supabase", name="Backups"):
    """Backup status of the project (`pulumi-python:dynamic/supabase:Backups`)."""

    walg_enabled: pulumi.Output[bool]
    pitr_enabled: pulumi.Output[bool]
    last_backup_at: pulumi.Output[str | None]

    def __init__(self, name: str, args: BackupsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(BackupsProvider(), name, properties(args), opts)
