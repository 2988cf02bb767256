"""The Railway client under bad conditions: rate limits, 5xx, timeouts, GraphQL errors, lost answers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from providers.core.errors import ApiError, MissingCredentialsError
from providers.railway import documents as ops
from providers.railway.client import connect
from providers.railway.errors import RailwayGraphQLError, RailwayNotFoundError
from providers.railway.project import ProjectProvider
from providers.railway.service import ServiceProvider
from providers.railway.service_limits import ServiceLimitsProvider
from providers.railway.volume import VolumeProvider
from tests.railway.fake_railway import FakeRailway
from tests.railway.helpers import Managed, project_props, service_props


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAILWAY_API_TIMEOUT_SECONDS", "0.3")


def test_429_waits_as_long_as_retry_after_says(fake: FakeRailway, sleeps: list[float]) -> None:
    fake.fail("429", "RailwayProjectsInWorkspace", retry_after="7")
    project = Managed(ProjectProvider(), project_props())
    assert sleeps == [7.0]
    assert [(r.operation, r.status) for r in fake.requests] == [
        ("RailwayProjectsInWorkspace", 429),
        ("RailwayProjectsInWorkspace", 200),
        ("RailwayProjectCreate", 200),
    ]
    assert len(fake.projects) == 1 and project.id in fake.projects


def test_429_on_a_mutation_is_retried_too(fake: FakeRailway, sleeps: list[float]) -> None:
    # A 429 means Railway did not process the request, so even a create may be sent again.
    fake.fail("429", "RailwayProjectCreate", retry_after="2")
    Managed(ProjectProvider(), project_props())
    assert sleeps == [2.0] and len(fake.projects) == 1


def test_5xx_then_success_on_a_read(fake: FakeRailway, sleeps: list[float]) -> None:
    project = Managed(ProjectProvider(), project_props())
    fake.fail("502", "RailwayProject")
    fake.fail("500", "RailwayProject")
    assert project.refresh().id == project.id
    assert len(sleeps) == 2 and all(0 < delay <= 30 for delay in sleeps)


def test_5xx_on_a_create_looks_before_trying_again(fake: FakeRailway) -> None:
    # The 502 came back without the project being made: the provider finds nothing and creates once.
    fake.fail("502", "RailwayProjectCreate")
    Managed(ProjectProvider(), project_props())
    assert [r.operation for r in fake.requests] == [
        "RailwayProjectsInWorkspace",
        "RailwayProjectCreate",
        "RailwayProjectsInWorkspace",
        "RailwayProjectCreate",
    ]
    assert len(fake.projects) == 1


def test_a_lost_create_response_is_adopted_not_duplicated(fake: FakeRailway) -> None:
    # The create is applied, then the connection drops before the answer arrives.
    fake.fail("lost", "RailwayServiceCreate")
    project = Managed(ProjectProvider(), project_props())
    environment_id = next(iter(fake.environments))
    service = Managed(ServiceProvider(), service_props(project.id, environment_id))
    assert len(fake.services) == 1 and service.id in fake.services
    assert [r.operation for r in fake.calls()][-5:] == [
        "RailwayServices",
        "RailwayServiceCreate",
        "RailwayServices",
        "RailwayServiceInstances",  # the instance shows: no second look needed
        "RailwayServiceInstanceUpdate",
    ]


def test_a_timed_out_create_is_adopted_when_it_was_applied(
    fake: FakeRailway, short_timeout: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Managed(ProjectProvider(), project_props())
    environment_id = next(iter(fake.environments))
    service_id = fake._service_create({"projectId": project.id, "name": "redis"})["id"]
    fake.stall_seconds = 0.6
    fake.fail("lost-late", "RailwayVolumeCreate")
    props = {
        "projectId": project.id,
        "environmentId": environment_id,
        "serviceId": service_id,
        "mountPath": "/data",
        "region": None,
    }
    volume = Managed(VolumeProvider(), props)
    assert len(fake.volumes) == 1 and volume.id in fake.volumes
    assert [r.operation for r in fake.calls()][-3:] == [
        "RailwayVolumeInstances",
        "RailwayVolumeCreate",
        "RailwayVolumeInstances",
    ]


def test_a_read_that_times_out_is_retried(fake: FakeRailway, short_timeout: None, sleeps: list[float]) -> None:
    project = Managed(ProjectProvider(), project_props())
    fake.stall_seconds = 0.6
    fake.fail("stall", "RailwayProject")
    assert project.refresh().id == project.id
    assert len(sleeps) == 1


def test_a_mutation_that_times_out_is_not_blindly_repeated(fake: FakeRailway, short_timeout: None) -> None:
    fake.stall_seconds = 0.6
    fake.fail("stall", "RailwayProjectCreate")
    # Not applied (the stall answers nothing): the provider looks, finds nothing, creates once more.
    Managed(ProjectProvider(), project_props())
    assert [r.operation for r in fake.requests].count("RailwayProjectCreate") == 2
    assert len(fake.projects) == 1


def test_persistent_timeouts_fail_naming_the_operation(fake: FakeRailway, short_timeout: None) -> None:
    fake.stall_seconds = 0.5
    for _ in range(5):
        fake.fail("stall", "RailwayProject")
    with pytest.raises(ApiError, match=r"Railway RailwayProject failed \(no response\): timed out after 0.3s"):
        connect().execute(ops.PROJECT, {"id": "prj-1"})


def test_graphql_error_payload_names_the_operation(fake: FakeRailway) -> None:
    fake.fail("graphql-error", "RailwayServiceCreate", message="You have reached the service limit of your plan")
    project = Managed(ProjectProvider(), project_props())
    environment_id = next(iter(fake.environments))
    with pytest.raises(RailwayGraphQLError) as raised:
        ServiceProvider().create(service_props(project.id, environment_id))
    assert str(raised.value) == (
        "Railway RailwayServiceCreate failed (HTTP 200): You have reached the service limit of your plan"
    )
    assert not isinstance(raised.value, RailwayNotFoundError)
    assert fake.services == {}


def test_not_found_is_told_apart_from_not_authorized(fake: FakeRailway, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RailwayNotFoundError):
        connect().execute(ops.PROJECT, {"id": "prj-404"})
    project = Managed(ProjectProvider(), project_props())
    # A wrong token must fail the refresh, not make it drop live resources from the state.
    monkeypatch.setenv("RAILWAY_TOKEN", "a-revoked-token")
    with pytest.raises(ApiError, match="HTTP 401"):
        project.refresh()


def test_missing_token_is_reported_before_any_request(fake: FakeRailway, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAILWAY_TOKEN")
    with pytest.raises(MissingCredentialsError, match="set RAILWAY_TOKEN"):
        ProjectProvider().create(project_props())
    assert fake.requests == []


def test_the_endpoint_is_overridable_and_defaults_to_railway(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAILWAY_API_URL", raising=False)
    client = connect()
    assert client.http.base_url == "https://backboard.railway.com" and client.path == "/graphql/v2"
    monkeypatch.setenv("RAILWAY_API_URL", "ftp://example.com/graphql")
    with pytest.raises(ApiError, match="RAILWAY_API_URL must be an absolute http"):
        connect()


def test_requests_carry_bearer_token_and_operation_name(fake: FakeRailway) -> None:
    # The fake answers 401 to anything but `Authorization: Bearer <token>`, and checks operationName.
    connect().execute(ops.PROJECTS_IN_WORKSPACE, {"workspaceId": None})
    assert [(r.operation, r.status) for r in fake.requests] == [("RailwayProjectsInWorkspace", 200)]


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("Whoa there pal! You are creating volumes too quickly. Try again in a sec", None),
        ("The environment changed since this change was prepared; please try again", "STALE_ENVIRONMENT_BASE"),
    ],
)
def test_transient_refusals_are_retried(fake: FakeRailway, sleeps: list[float], message: str, code: str | None) -> None:
    project = Managed(ProjectProvider(), project_props())
    environment_id = next(iter(fake.environments))
    service_id = fake._service_create({"projectId": project.id, "name": "redis"})["id"]
    fake.fail("graphql-error", "RailwayVolumeCreate", message=message, code=code)
    props = {
        "projectId": project.id,
        "environmentId": environment_id,
        "serviceId": service_id,
        "mountPath": "/data",
        "region": None,
    }
    volume = Managed(VolumeProvider(), props)
    assert volume.id in fake.volumes and len(fake.volumes) == 1
    assert [r.operation for r in fake.calls()].count("RailwayVolumeCreate") == 2
    assert len(sleeps) == 1


def test_other_refusals_are_not_retried(fake: FakeRailway, sleeps: list[float]) -> None:
    project = Managed(ProjectProvider(), project_props())
    environment_id = next(iter(fake.environments))
    fake.fail("graphql-error", "RailwayServiceCreate", message="Please try again with a valid name")
    with pytest.raises(RailwayGraphQLError):
        ServiceProvider().create(service_props(project.id, environment_id))
    assert [r.operation for r in fake.calls()].count("RailwayServiceCreate") == 1 and sleeps == []


def test_changes_to_one_environment_are_made_one_at_a_time(fake: FakeRailway) -> None:
    project = Managed(ProjectProvider(), project_props())
    environment_id = next(iter(fake.environments))
    services = [fake._service_create({"projectId": project.id, "name": name})["id"] for name in ("a", "b", "c")]
    fake.change_seconds = 0.2
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = list(
            pool.map(
                lambda service_id: ServiceLimitsProvider().create(
                    {"environmentId": environment_id, "serviceId": service_id, "vcpus": 1.0, "memoryGb": 1.0}
                ),
                services,
            )
        )
    assert len(done) == 3 and fake.stale_refusals == 0
    assert all(fake.limits[(service_id, environment_id)] == {"vCPUs": 1.0, "memoryGB": 1.0} for service_id in services)
