"""Railway's usage limit (`usageLimitSet`): a soft limit (an e-mail alert) and a hard limit that takes
the workloads offline.

Railway keeps ONE limit per customer, i.e. per workspace, not per project; so the create refuses to
take over a limit someone else set (another stack in the same workspace, or a person in the
dashboard) instead of silently overwriting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from providers.core.errors import ApiError
from providers.core.properties import properties
from providers.core.provider import Resource, gone
from providers.railway import documents as ops
from providers.railway.errors import API
from providers.railway.provider import RailwayProvider, delete_unless_gone, whole

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient


class UsageLimitConflictError(ApiError):
    pass


class UsageLimitProvider(RailwayProvider):
    inputs = ("projectId", "softLimitDollars", "hardLimitDollars")
    replace_on = ("projectId",)
    outputs = ("customerId", "workspaceId")

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        customer = _customer(client, props["projectId"])
        soft, hard = whole(props["softLimitDollars"]), whole(props["hardLimitDollars"])
        current = customer.get("usageLimit")
        if current is not None and (current["softLimit"], current.get("hardLimit")) != (soft, hard):
            raise UsageLimitConflictError(
                API,
                "RailwayUsageLimitSet",
                f"the workspace already has a usage limit (soft ${current['softLimit']}, hard "
                f"${current.get('hardLimit')}) that this stack did not set. Railway has one limit per workspace, and "
                "its hard limit takes every project in the workspace offline. Remove or align it in the Railway "
                "dashboard, or set `railway.setUsageLimit: false` in this stack if another stack owns the limit.",
            )
        if current is None:
            self._set(client, customer["id"], soft, hard)
        return CreateResult(customer["id"], self._outs(props, customer, soft, hard))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        customer = _customer(self.client(), props["projectId"])
        current = customer.get("usageLimit")
        if current is None or customer["id"] != id_:
            return gone()
        return ReadResult(id_, self._outs(props, customer, current["softLimit"], current.get("hardLimit")))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        soft, hard = whole(news["softLimitDollars"]), whole(news["hardLimitDollars"])
        self._set(self.client(), id_, soft, hard)
        return UpdateResult({**self.given(news), "customerId": id_, "workspaceId": olds.get("workspaceId")})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self.client()
        delete_unless_gone(
            lambda: client.execute(ops.USAGE_LIMIT_REMOVE, {"input": {"customerId": id_}}, idempotent=True),
            lambda: _customer(client, props["projectId"]).get("usageLimit") is not None,
        )

    @staticmethod
    def _set(client: RailwayClient, customer_id: str, soft: int | None, hard: int | None) -> None:
        client.execute(
            ops.USAGE_LIMIT_SET,
            {"input": {"customerId": customer_id, "softLimitDollars": soft, "hardLimitDollars": hard}},
            idempotent=True,
        )

    def _outs(self, props: dict[str, Any], customer: dict[str, Any], soft: Any, hard: Any) -> dict[str, Any]:
        return {
            **self.given(props),
            "softLimitDollars": soft,
            "hardLimitDollars": hard,
            "customerId": customer["id"],
            "workspaceId": customer.get("workspaceId"),
        }


def _customer(client: RailwayClient, project_id: str) -> dict[str, Any]:
    project = client.execute(ops.USAGE_LIMIT, {"projectId": project_id})["project"]
    workspace = project.get("workspace")
    if not workspace:
        raise ApiError(
            API, "RailwayUsageLimit", f"project {project_id} belongs to no workspace, so it has no spend cap"
        )
    customer: dict[str, Any] = dict(workspace["customer"])
    customer["workspaceId"] = workspace["id"]
    return customer


@dataclass
class UsageLimitArgs:
    project_id: pulumi.Input[str]
    soft_limit_dollars: pulumi.Input[int]
    hard_limit_dollars: pulumi.Input[int]


class RailwayUsageLimit(Resource, module="railway", name="UsageLimit"):
    """The workspace's spend cap (`pulumi-python:dynamic/railway:UsageLimit`)."""

    customer_id: pulumi.Output[str]

    def __init__(self, resource_name: str, args: UsageLimitArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(UsageLimitProvider(), resource_name, properties(args), opts)
