"""The pack as the Pulumi CLI runs it: `python -m pulumi.policy <engine> policies`, a gRPC analyzer.

The in-process harness (ops/report/pack.py) drives pulumi-policy's servicer directly; this runs the
real pack process and checks that it answers exactly as the harness does, so the harness's verdicts
are the CLI's.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2_grpc

from offline.program import ROOT
from policies.converge_policies import POLICIES, types
from tests.policies.harness import Resources, judge


class GrpcAnalyzer:
    """The analyzer RPCs over the pack's gRPC server (the engine's side of the protocol)."""

    def __init__(self, stub: analyzer_pb2_grpc.AnalyzerStub) -> None:
        self.stub = stub

    def Configure(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC method names
        return self.stub.Configure(request)

    def Remediate(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.stub.Remediate(request)

    def Analyze(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.stub.Analyze(request)

    def AnalyzeStack(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.stub.AnalyzeStack(request)


@pytest.fixture(scope="module")
def pack_server() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    # What the language host runs for a Python policy pack, in the pack's directory.
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(ROOT / "policies")],
        cwd=ROOT / "policies",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = process.stdout.readline().strip() if process.stdout else ""
        assert port.isdigit(), process.stderr.read() if process.stderr else "no output"
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_pack_describes_every_policy(pack_server: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = pack_server.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "converge-nps"
    described = {p.name: p for p in info.policies}
    assert list(described) == [p.name for p in POLICIES]
    for policy in info.policies:
        assert policy.description
        assert policy.remediation_steps
    assert set(described["spending-cap"].configSchema.required) == {"monthlyBudgetUsd"}


def _summary(judged: Any) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str, tuple[str, ...]]]]:
    diagnostics = sorted((d.policy, d.level, d.urn, d.detail) for d in judged.result.diagnostics)
    remediations = sorted((r.policy, r.urn, r.changed) for r in judged.result.remediations)
    return diagnostics, remediations


def _violations(resources: Resources) -> None:
    resources.set(types.RAILWAY_SERVICE, "backend", "numReplicas", 7)
    resources.set(types.GITHUB_ENVIRONMENT_VARIABLE, "production-vite_ws_url", "value", "ws://api.example.com")
    variables = resources.one(types.RAILWAY_VARIABLES, "backend-variables")
    variables.inputs["variables"] = {**variables.inputs["variables"], "SMTP_PASSWORD": "hunter2"}


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
@pytest.mark.parametrize("variant", ["as-is", "violations"])
def test_the_pack_process_answers_like_the_harness(
    pack_server: analyzer_pb2_grpc.AnalyzerStub, preview: bool, variant: str
) -> None:
    change = _violations if variant == "violations" else None
    over_grpc = judge("prod", preview=preview, change=change, analyzer=GrpcAnalyzer(pack_server))
    in_process = judge("prod", preview=preview, change=change)
    assert _summary(over_grpc) == _summary(in_process)
    if variant == "violations":
        assert over_grpc.result.verdict("replica-limits") == "fail"
        assert over_grpc.result.verdict("tls-in-transit") == "fail"
        assert over_grpc.result.verdict("sensitive-values-are-secrets") == "remediated"
