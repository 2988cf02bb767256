"""The workspace's Railway usage limit (cost/usage_limit.py): every stack sharing the workspace, once each."""

from __future__ import annotations

from decimal import Decimal

from cost.usage_limit import stack_file_settings, workspace_limit


def test_the_limit_covers_each_stack_of_the_workspace_once_at_maximum_scale() -> None:
    prod = stack_file_settings("prod")
    limit = workspace_limit(prod)
    assert limit.railway_max_by_stack == {
        "prod": Decimal("260.150"),
        "dev": Decimal("34.650"),
        "staging": Decimal("64.650"),
    }
    assert (limit.hard_usd, limit.soft_usd) == (360, 288) and limit.headroom_usd == Decimal("0.550")
    # The running stack's own settings stand in for its file (event mode, a stack copied under another name).
    bigger = prod.model_copy(update={"backend": prod.backend.model_copy(update={"max_replicas": 6})})
    assert workspace_limit(bigger).railway_max_by_stack["prod"] == Decimal("310.150")


def test_a_stack_in_a_workspace_of_its_own_is_alone_under_its_limit() -> None:
    staging = stack_file_settings("staging")
    alone = staging.model_copy(update={"railway": staging.railway.model_copy(update={"workspace_id": "ws-x"})})
    assert list(workspace_limit(alone).railway_max_by_stack) == ["staging"]
