"""`pulumi preview --json` output as the CLI prints it (pulumi/pkg display.PreviewDigest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PARENT = "converge:index:BackendService$pulumi-python:dynamic/railway"


def urn(stack: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{stack}::converge-nps::{type_}::{name}"


def step(op: str, stack: str, type_: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"op": op, "urn": urn(stack, type_, name), "provider": "", "detailedDiff": None, **extra}


def clean(stack: str) -> dict[str, Any]:
    return {
        "steps": [
            step("same", stack, "pulumi:pulumi:Stack", f"converge-nps-{stack}"),
            step("same", stack, f"{PARENT}:Service", "backend-service"),
        ],
        "changeSummary": {"same": 2},
    }


def drifted(stack: str, replicas: bool = True, domain: bool = False) -> dict[str, Any]:
    preview = clean(stack)
    if replicas:
        preview["steps"].append(
            step(
                "update",
                stack,
                f"{PARENT}:Service",
                "backend-replicas",
                diffReasons=["numReplicas"],
                detailedDiff={"numReplicas": {"kind": "update", "inputDiff": False}},
            )
        )
    if domain:
        preview["steps"].append(
            step("replace", stack, f"{PARENT}:CustomDomain", "api-domain", replaceReasons=["domain"])
        )
    return preview


def failed() -> dict[str, Any]:
    return {
        "diagnostics": [
            {
                "prefix": "error: ",
                "message": "Railway RailwayProject failed (HTTP 401): Not Authorized\n",
                "severity": "error",
            },
            {"message": "a warning", "severity": "warning"},
        ]
    }


def write(path: Path, preview: dict[str, Any]) -> Path:
    path.write_text(json.dumps(preview, indent=4))
    return path
