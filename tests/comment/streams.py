"""Small event streams in the engine's shape (as `PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1 pulumi preview --json`
writes them, trimmed to the fields that matter), for the comment's unit tests."""

from __future__ import annotations

import json
from typing import Any

from ops.comment.events import SECRET_SIG, SECRET_SIG_KEY

STACK_TYPE = "pulumi:pulumi:Stack"
SUPABASE_PROJECT = "pulumi-python:dynamic/supabase:Project"
RAILWAY_VOLUME = "pulumi-python:dynamic/railway:Volume"
RAILWAY_SERVICE = "pulumi-python:dynamic/railway:Service"
ENGINE_SECRET = {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": "[secret]"}


def urn(stack: str, type_: str, name: str, parent: str = "") -> str:
    return f"urn:pulumi:{stack}::converge-nps::{parent + '$' if parent else ''}{type_}::{name}"


def stack_urn(stack: str) -> str:
    return urn(stack, STACK_TYPE, f"converge-nps-{stack}")


def estimate(components: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """A `costEstimate` output: component -> (monthlyUsd, maxUsd), totals their sums (as the program rounds)."""
    return {
        "monthlyUsd": round(sum(m for m, _ in components.values()), 2),
        "minUsd": round(sum(m for m, _ in components.values()), 2),
        "maxUsd": round(sum(x for _, x in components.values()), 2),
        "pricesAsOf": "2026-06-01",
        "components": {
            name: {"monthlyUsd": m, "minUsd": m, "maxUsd": x, "charges": [], "notes": []}
            for name, (m, x) in components.items()
        },
    }


def outputs(components: dict[str, tuple[float, float]], budget: float) -> dict[str, Any]:
    return {"costEstimate": estimate(components), "budgetMonthlyUsd": budget, "apiUrl": "https://api.example"}


class Stream:
    """Builds one preview's events, numbered in order."""

    def __init__(self, stack: str) -> None:
        self.stack = stack
        self.records: list[dict[str, Any]] = []
        self.event("preludeEvent", {"config": {"converge-nps:sentryDsn": "[secret]"}})

    def event(self, kind: str, body: dict[str, Any]) -> Stream:
        self.records.append({"sequence": len(self.records), "timestamp": 1796246713, kind: body})
        return self

    def step(
        self,
        op: str,
        type_: str,
        name: str,
        *,
        keys: list[str] | None = None,
        inputs: dict[str, Any] | None = None,
    ) -> Stream:
        state = {"type": type_, "urn": urn(self.stack, type_, name), "inputs": inputs or {}, "outputs": {}}
        metadata: dict[str, Any] = {
            "op": op,
            "urn": state["urn"],
            "type": type_,
            "old": None if op == "create" else state,
            "new": None if op == "delete" else state,
            "detailedDiff": None,
            "logical": True,
            "provider": "",
        }
        if keys:
            metadata["keys"] = keys
        return self.event("resourcePreEvent", {"metadata": metadata, "planning": True})

    def replaced(self, type_: str, name: str, keys: list[str] | None = None) -> Stream:
        """A replacement as the engine reports it: three steps, one logical."""
        self.step("create-replacement", type_, name, keys=keys)
        self.step("replace", type_, name, keys=keys)
        return self.step("delete-replaced", type_, name)

    def stack_outputs(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> Stream:
        def state(outs: dict[str, Any] | None) -> dict[str, Any] | None:
            if outs is None:
                return None
            return {"type": STACK_TYPE, "urn": stack_urn(self.stack), "inputs": {}, "outputs": outs}

        metadata = {
            "op": "create" if old is None else "same",
            "urn": stack_urn(self.stack),
            "type": STACK_TYPE,
            "old": state(old),
            "new": state(new),
        }
        return self.event("resOutputsEvent", {"metadata": metadata, "planning": True})

    def policy(self, policy: str, level: str, message: str, resource: str | None = None) -> Stream:
        return self.event(
            "policyEvent",
            {
                "resourceUrn": resource or stack_urn(self.stack),
                "message": message,
                "color": "never",
                "policyName": policy,
                "policyPackName": "converge-nps",
                "policyPackVersion": "0.1.0",
                "enforcementLevel": level,
            },
        )

    def diagnostic(self, severity: str, message: str, resource: str | None = None) -> Stream:
        body = {"prefix": f"{severity}: ", "message": message + "\n", "color": "never", "severity": severity}
        if resource:
            body["urn"] = resource
        return self.event("diagnosticEvent", body)

    def summary(self, result: str, changes: dict[str, int]) -> Stream:
        self.event("summaryEvent", {"resourceChanges": changes, "isPreview": True, "result": result})
        return self.event("cancelEvent", {})

    def text(self) -> str:
        return "".join(json.dumps(record) + "\n" for record in self.records)

    def lines(self) -> list[str]:
        return self.text().splitlines(keepends=True)


PROD_BEFORE = {"backend": (100.0, 250.0), "redis": (10.15, 10.15), "database": (25.0, 25.0)}
PROD_AFTER = {"backend": (150.0, 250.0), "redis": (10.15, 10.15), "database": (25.0, 25.0)}


def prod_resized() -> Stream:
    """A deployed prod stack whose backend grows: one update, cost up."""
    stream = Stream("prod")
    stream.step("same", STACK_TYPE, "converge-nps-prod")
    stream.step("update", "pulumi-python:dynamic/railway:ServiceLimits", "backend-limits")
    stream.step("same", RAILWAY_SERVICE, "backend")
    stream.stack_outputs(outputs(PROD_BEFORE, 285), outputs(PROD_BEFORE, 285))  # at registration: the old ones
    stream.stack_outputs(outputs(PROD_BEFORE, 285), outputs(PROD_AFTER, 285))
    stream.policy("cost-estimate", "advisory", "Monthly cost estimate.\ntotal $185.15")
    return stream.summary("succeeded", {"same": 2, "update": 1})


def dev_new() -> Stream:
    """A dev stack that does not exist yet: everything created."""
    stream = Stream("dev")
    stream.step("create", STACK_TYPE, "converge-nps-dev")
    stream.step("create", SUPABASE_PROJECT, "database-project", inputs={"dbPass": ENGINE_SECRET})
    stream.step("create", RAILWAY_VOLUME, "redis-volume")
    stream.stack_outputs(None, {})
    stream.stack_outputs(None, outputs({"backend": (15.0, 30.0), "redis": (4.65, 4.65), "database": (0.0, 0.0)}, 20))
    return stream.summary("succeeded", {"create": 3})
