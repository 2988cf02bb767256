"""The pack as the Pulumi CLI runs it: `python -m pulumi.policy <engine> policies`, a gRPC analyzer.

The harness (tests/policies/harness.py over ops/report/pack.py) judges through this process
already; these check what the engine sees of it beyond the verdicts: its description, and that one
process answers the same judgement the same way every time (it keeps no state between runs).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2_grpc

from components import tokens
from offline.program import engine_config
from ops.report.pack import GrpcAnalyzer, pack_process
from policies.converge_policies import POLICIES
from tests.doubles import stack_config
from tests.policies.harness import Resources, judge


@pytest.fixture(scope="module")
def pack_server() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    with pack_process("prod", engine_config(stack_config("prod")), preview=True) as analyzer:
        yield analyzer.stub


def test_the_pack_describes_every_policy(pack_server: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = pack_server.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "converge-nps"
    described = {p.name: p for p in info.policies}
    assert list(described) == [p.name for p in POLICIES]
    for policy in info.policies:
        assert policy.description
        assert policy.remediation_steps
    # The budget comes from the stack's settings, not from the pack's config.
    assert not described["spending-cap"].configSchema.required


def _summary(judged: Any) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str, tuple[str, ...]]]]:
    diagnostics = sorted((d.policy, d.level, d.urn, d.detail) for d in judged.result.diagnostics)
    remediations = sorted((r.policy, r.urn, r.changed) for r in judged.result.remediations)
    return diagnostics, remediations


def _violations(resources: Resources) -> None:
    resources.set(tokens.RAILWAY_SERVICE, "backend", "numReplicas", 7)
    resources.set(tokens.GITHUB_ENVIRONMENT_VARIABLE, "production-vite_ws_url", "value", "ws://api.example.com")
    variables = resources.one(tokens.RAILWAY_VARIABLES, "backend-variables")
    variables.inputs["variables"] = {**variables.inputs["variables"], "SMTP_PASSWORD": "hunter2"}


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
@pytest.mark.parametrize("variant", ["as-is", "violations"])
def test_one_pack_process_answers_every_run_alike(
    pack_server: analyzer_pb2_grpc.AnalyzerStub, preview: bool, variant: str
) -> None:
    change = _violations if variant == "violations" else None
    first = judge("prod", preview=preview, change=change, analyzer=GrpcAnalyzer(pack_server))
    again = judge("prod", preview=preview, change=change, analyzer=GrpcAnalyzer(pack_server))
    assert _summary(first) == _summary(again)
    if variant == "violations":
        assert first.result.verdict("replica-limits") == "fail"
        assert first.result.verdict("tls-in-transit") == "fail"
        assert first.result.verdict("sensitive-values-are-secrets") == "remediated"
