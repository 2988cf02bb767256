"""Rollback of the backend to an earlier successful Railway deployment (`deploymentRollback`).

The documents are checked against Railway's official SDL by tests/deploy/test_rollback.py, and the
behaviour against the fake Railway (tests/railway/fake_railway.py). Railway's `deployments` query takes a
`DeploymentListInput` (project, environment, service, status filter); ordering is not part of the schema,
so deployments are ordered here by `createdAt`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from .errors import DeployError, UsageError
from .output import log
from .outputs import StackOutputs
from .shared import ApiError, Operation, RailwayClient, connect_railway

DEPLOYMENTS = Operation(
    name="DeployStepsDeployments",
    document="""
query DeployStepsDeployments($input: DeploymentListInput!, $first: Int) {
  deployments(input: $input, first: $first) {
    edges { node { id status createdAt serviceId environmentId } }
  }
}
""".strip(),
)

ROLLBACK = Operation(
    name="DeployStepsRollback",
    document="""
mutation DeployStepsRollback($id: String!) {
  deploymentRollback(id: $id)
}
""".strip(),
)

OPERATIONS = (DEPLOYMENTS, ROLLBACK)

SUCCESS = "SUCCESS"
# A deployment in one of these will not become SUCCESS.
FAILED = frozenset({"FAILED", "CRASHED", "REMOVED", "SKIPPED"})
# Enough history to find the previous success behind a few failed attempts.
HISTORY = 20

# The deploy environment's RAILWAY_TOKEN is a project token scoped to that environment (wiring.py), which
# Railway takes in `Project-Access-Token`; account and workspace tokens go in `Authorization: Bearer`.
TOKEN_KIND_VARIABLE = "RAILWAY_TOKEN_KIND"  # noqa: S105 - the name of a variable
TOKEN_HEADERS: dict[str, Callable[[str], dict[str, str]]] = {
    "project": lambda token: {"Project-Access-Token": token},
    "account": lambda token: {"Authorization": f"Bearer {token}"},
}


class RollbackFailedError(DeployError):
    pass


@dataclass(frozen=True)
class Deployment:
    id: str
    status: str
    created_at: str

    @classmethod
    def parse(cls, node: dict[str, Any]) -> Deployment:
        return cls(id=str(node["id"]), status=str(node["status"]), created_at=str(node["createdAt"]))


def connect(transport: httpx.BaseTransport | None = None) -> RailwayClient:
    """The providers' client (endpoint `RAILWAY_API_URL`, token `RAILWAY_TOKEN`, retries), sending the token
    in the header its kind needs."""
    kind = os.environ.get(TOKEN_KIND_VARIABLE, "").strip() or "project"
    if kind not in TOKEN_HEADERS:
        raise UsageError(f"{TOKEN_KIND_VARIABLE} must be one of {', '.join(TOKEN_HEADERS)}, not {kind!r}")
    client = connect_railway(transport=transport)
    client.http.auth_header = TOKEN_HEADERS[kind]
    return client


@dataclass
class Railway:
    client: RailwayClient
    stack: StackOutputs
    sleep: Callable[[float], None] = field(default=time.sleep)
    clock: Callable[[], float] = field(default=time.monotonic)

    def deployments(self, *, successful_only: bool) -> list[Deployment]:
        """The service's deployments in this environment, newest first."""
        listing: dict[str, Any] = {
            "projectId": self.stack.project_id,
            "environmentId": self.stack.environment_id,
            "serviceId": self.stack.service_id,
        }
        if successful_only:
            listing["status"] = {"in": [SUCCESS]}
        data = self.client.execute(DEPLOYMENTS, {"input": listing, "first": HISTORY})
        found = [Deployment.parse(edge["node"]) for edge in data["deployments"]["edges"]]
        return sorted(found, key=lambda d: d.created_at, reverse=True)

    def live(self) -> Deployment:
        """The newest successful deployment: the one serving traffic."""
        successful = self.deployments(successful_only=True)
        if not successful:
            raise RollbackFailedError("the backend service has no successful deployment")
        return successful[0]

    def rollback(self, to: str | None, wait_seconds: float, poll_seconds: float = 5.0) -> Deployment | None:
        """Roll back to `to` (default: the successful deployment before the live one) and wait until the
        rollback's deployment succeeds. None when `to` is already live, so there is nothing to undo."""
        successful = self.deployments(successful_only=True)
        if not successful:
            raise RollbackFailedError("the backend service has no successful deployment to roll back to")
        live = successful[0]
        if to is None:
            if len(successful) < 2:
                raise RollbackFailedError(
                    f"no earlier successful deployment than the live one ({live.id}) to roll back to"
                )
            target = successful[1]
        else:
            if to == live.id:
                log(f"nothing to roll back: {to} is still the live deployment (this run deployed nothing new)")
                return None
            matches = [d for d in successful if d.id == to]
            if not matches:
                raise RollbackFailedError(
                    f"deployment {to} is not among the service's last {HISTORY} successful deployments"
                )
            target = matches[0]
        known = {d.id for d in self.deployments(successful_only=False)}
        log(f"rolling back from {live.id} to {target.id} (deployed {target.created_at})")
        try:
            accepted = self.client.execute(ROLLBACK, {"id": target.id})["deploymentRollback"]
        except ApiError as error:
            if error.ambiguous:
                raise RollbackFailedError(
                    f"the rollback to {target.id} got no answer ({error.api_message}); it may or may not have "
                    "started: check Railway before retrying"
                ) from None
            raise RollbackFailedError(f"Railway refused the rollback to {target.id}: {error.api_message}") from None
        if accepted is not True:
            raise RollbackFailedError(f"Railway did not accept the rollback to {target.id}")
        return self._wait(target, known, wait_seconds, poll_seconds)

    def _wait(self, target: Deployment, known: set[str], wait_seconds: float, poll_seconds: float) -> Deployment:
        """Railway answers the mutation before the rollback is live: wait for the deployment it starts."""
        deadline = self.clock() + wait_seconds
        while True:
            started = [d for d in self.deployments(successful_only=False) if d.id not in known]
            if started and started[0].status == SUCCESS:
                return started[0]
            if started and started[0].status in FAILED:
                raise RollbackFailedError(
                    f"the rollback deployment {started[0].id} ended {started[0].status}: the service is NOT "
                    f"running {target.id}; act by hand (Railway dashboard, Deployments)"
                )
            if self.clock() >= deadline:
                state = f"{started[0].id} is {started[0].status}" if started else "no new deployment appeared"
                raise RollbackFailedError(
                    f"the rollback to {target.id} was not live within {wait_seconds:g}s ({state}); check Railway"
                )
            self.sleep(poll_seconds)
