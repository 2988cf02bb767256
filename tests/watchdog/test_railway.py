"""The watchdog's GraphQL documents against Railway's SDL, and its calls against the fake with a project token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import graphql
import pytest

from tests.railway.fake_railway import FakeRailway, Load, serve
from tests.railway.schema import railway_schema
from watchdog.railway import DEPLOY, OPERATIONS, PLACEMENT, READINGS, SET_REGIONS, ApiError, Operation, WatchdogRailway

START = dt.datetime(2027, 4, 13, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_every_document_is_valid_against_the_sdl(operation: Operation) -> None:
    document = graphql.parse(operation.document)
    assert graphql.validate(railway_schema(), document) == []


def test_replicas_go_through_multi_region_config_not_the_legacy_field() -> None:
    assert "multiRegionConfig" in SET_REGIONS.document and "numReplicas" not in SET_REGIONS.document
    assert "serviceInstanceDeployV2" in DEPLOY.document
    assert "multiRegionConfig" not in PLACEMENT.document  # read back from the deployment's manifest (meta)
    (query,) = graphql.parse(READINGS.document).definitions
    assert isinstance(query, graphql.OperationDefinitionNode)
    fields = [node.name.value for node in query.selection_set.selections if isinstance(node, graphql.FieldNode)]
    assert fields == ["metrics", "httpDurationMetrics", "httpMetricsGroupedByStatus"]


@dataclass
class Env:
    fake: FakeRailway
    environment_id: str
    other_environment_id: str
    service_id: str
    token: str
    clock: list[float]

    def client(self, *, environment_id: str | None = None) -> WatchdogRailway:
        return WatchdogRailway(
            environment_id=environment_id or self.environment_id,
            service_id=self.service_id,
            region="us-west2",
            sleep=lambda _s: None,
            clock=lambda: self.clock[0],
        )


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    railway_schema()
    fake = FakeRailway()
    clock = [START.timestamp()]
    fake.clock = lambda: clock[0]
    project = fake._project_create({"name": "converge-nps-production"})
    environment_id = next(iter(fake.environments))
    other = fake._environment_create({"projectId": project["id"], "name": "staging"})
    service = fake._service_create({"projectId": project["id"], "name": "backend"})
    token = fake._token_create({"projectId": project["id"], "environmentId": environment_id, "name": "watchdog"})
    fake.serve_load(
        service["id"],
        environment_id,
        lambda ts: Load(cpu_vcpu=3.0, requests=1000, error_fraction=0.1),
        vcpu_per_replica=2,
        memory_gb_per_replica=1,
        replicas=2,
        region="us-west2",
    )
    with serve(fake) as url:
        monkeypatch.setenv("RAILWAY_API_URL", url)
        monkeypatch.setenv("RAILWAY_TOKEN", token)
        yield Env(fake, environment_id, other["id"], service["id"], token, clock)
    assert fake.violations == []


def test_readings_are_percentages_from_the_fake(env: Env) -> None:
    env.clock[0] += 10 * 60
    client = env.client()
    readings = client.readings(dt.datetime.fromtimestamp(env.clock[0], dt.UTC), 15)
    client.close()
    assert len(readings.cpu_percent) == 10
    assert readings.cpu_percent[-1].value == pytest.approx(75.0)  # 3 vCPU of 2 x 2
    assert readings.error_rate_percent[-1].value == pytest.approx(10.0)  # 503s only, not the 404s
    assert readings.memory_percent[-1].value == pytest.approx(100 * (0.35 + 0.6 * 0.75))
    assert readings.p95_ms[-1].value == pytest.approx(600.0)


def test_set_replicas_updates_then_deploys_and_reads_back(env: Env) -> None:
    client = env.client()
    assert client.placement().replicas == 2
    env.clock[0] += 600
    deployment = client.set_replicas(3)
    placement = client.placement()
    client.close()
    assert placement.replicas_by_region == {"us-west2": 3}
    assert placement.deployed_at == dt.datetime.fromtimestamp(env.clock[0], dt.UTC)
    update, deploy = env.fake.mutations()
    assert (update.operation, deploy.operation) == ("WatchdogSetRegions", "WatchdogDeploy")
    assert update.variables["multiRegionConfig"] == {"us-west2": {"numReplicas": 3}}
    # Railway takes the deployment through its steps; this one ends in SUCCESS.
    assert env.fake.deployment_progress[deployment][-1] == "SUCCESS"


def test_the_project_token_reaches_only_its_environment(env: Env) -> None:
    client = env.client(environment_id=env.other_environment_id)
    with pytest.raises(ApiError, match="Not Authorized"):
        client.placement()
    client.close()


def test_a_bearer_header_is_never_sent(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    client = env.client()
    headers = client.client.http.auth_header(env.token)
    client.close()
    assert headers == {"Project-Access-Token": env.token}
    monkeypatch.setenv("RAILWAY_TOKEN", "project-token-secret-unknown")
    stranger = env.client()
    with pytest.raises(ApiError) as raised:
        stranger.placement()
    stranger.close()
    assert raised.value.status == 401
    assert "project-token-secret" not in str(raised.value)
