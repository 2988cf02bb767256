"""Each Railway provider's create/read/update/delete against the fake Railway on 127.0.0.1.

Rules checked for every kind: create adopts instead of duplicating, read reports an out-of-band
delete as gone, delete of something gone succeeds, an unchanged input sends no mutation, and a
replacement is asked for only where the API cannot update in place.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime import rpc

from providers.core.errors import ApiError
from providers.railway.custom_domain import CustomDomainProvider
from providers.railway.deployment import DeploymentError, DeploymentProvider
from providers.railway.environment import EnvironmentProvider
from providers.railway.project import ProjectProvider
from providers.railway.project_token import ProjectTokenProvider
from providers.railway.service import ServiceProvider
from providers.railway.service_domain import ServiceDomainProvider
from providers.railway.service_limits import ServiceLimitsProvider
from providers.railway.usage_limit import (
    UsageLimitConflictError,
    UsageLimitProvider,
)
from providers.railway.variables import VariablesProvider
from providers.railway.volume import VolumeProvider
from tests.railway.fake_railway import CUSTOMER_ID, WORKSPACE_ID, FakeRailway
from tests.railway.helpers import Managed, project_props, service_props


@pytest.fixture
def env(fake: FakeRailway) -> tuple[str, str]:
    """A project with its default environment, made directly in the fake (not counted by tests)."""
    project = fake.root["projectCreate"](
        None, {"name": "converge-nps-production", "defaultEnvironmentName": "production"}
    )
    environment = next(e for e in fake.environments.values() if e["projectId"] == project["id"])
    return project["id"], environment["id"]


@pytest.fixture
def service(fake: FakeRailway, env: tuple[str, str]) -> str:
    project_id, _ = env
    return str(fake._service_create({"projectId": project_id, "name": "backend"})["id"])


def operations(fake: FakeRailway, since: int = 0) -> list[str]:
    return [request.operation for request in fake.calls(since=since)]


# Project -----------------------------------------------------------------------------------


def test_project_lifecycle(fake: FakeRailway) -> None:
    project = Managed(ProjectProvider(), project_props())
    assert operations(fake) == ["RailwayProjectsInWorkspace", "RailwayProjectCreate"]
    assert fake.requests[1].variables["input"] == {
        "name": "converge-nps-production",
        "description": "Converge-NPS production",
        "defaultEnvironmentName": "production",
    }
    assert project.state["created"] is True and project.state["liveWorkspaceId"] == WORKSPACE_ID
    assert [e["name"] for e in fake.environments.values()] == ["production"]

    mark = len(fake.requests)
    assert project.up(project_props()).changes is False
    assert fake.calls(since=mark) == []

    diff = project.up(project_props(description="renamed"))
    assert diff.changes and not diff.replaces
    assert operations(fake, mark) == ["RailwayProjectUpdate"]
    assert fake.projects[project.id]["description"] == "renamed"

    # The default environment's name only matters at creation.
    assert (
        project.provider.diff(
            project.id, project.state, project_props(description="renamed", defaultEnvironmentName="x")
        ).changes
        is False
    )
    assert project.provider.diff(project.id, project.state, project_props(workspaceId="ws-other")).replaces == [
        "workspaceId"
    ]

    assert project.refresh().id == project.id
    project.destroy()
    assert fake.projects == {}


def test_project_create_adopts_what_a_failed_attempt_left(fake: FakeRailway) -> None:
    fake.root["projectCreate"](None, {"name": "converge-nps-production", "defaultEnvironmentName": "production"})
    project = Managed(ProjectProvider(), project_props())
    assert operations(fake) == ["RailwayProjectsInWorkspace"]
    assert len(fake.projects) == 1 and project.state["created"] is True


def test_project_adopted_by_id_is_never_deleted(fake: FakeRailway) -> None:
    existing = fake.root["projectCreate"](None, {"name": "hand-made", "defaultEnvironmentName": "production"})
    project = Managed(ProjectProvider(), project_props(adoptId=existing["id"]))
    assert project.id == existing["id"] and project.state["created"] is False
    # Adopting does not rename it, now or after a refresh.
    assert project.up(project_props(adoptId=existing["id"])).changes is False
    project.refresh()
    assert project.up(project_props(adoptId=existing["id"])).changes is False
    assert not fake.mutations() and fake.projects[existing["id"]]["name"] == "hand-made"
    project.destroy()
    assert existing["id"] in fake.projects


def test_project_adopting_a_missing_id_fails_clearly(fake: FakeRailway) -> None:
    with pytest.raises(ApiError, match=r"prj-404 \(railway.projectId\) does not exist"):
        ProjectProvider().create(project_props(adoptId="prj-404"))


def test_project_deleted_out_of_band(fake: FakeRailway) -> None:
    project = Managed(ProjectProvider(), project_props())
    del fake.projects[project.id]
    assert project.refresh().id == ""
    project.destroy()  # Railway says "Not Authorized"; the provider checks and finds it gone.


def test_deleted_objects_linger_but_are_never_adopted(fake: FakeRailway) -> None:
    # Railway lists a deleted project or service for a while with deletedAt set.
    old = fake.root["projectCreate"](None, {"name": "converge-nps-production", "defaultEnvironmentName": "production"})
    fake._drop_project(old["id"])
    project = Managed(ProjectProvider(), project_props())
    assert project.id != old["id"] and "RailwayProjectCreate" in operations(fake)
    environment_id = next(e for e, env in fake.environments.items() if env["projectId"] == project.id)
    gone_service = fake._service_create({"projectId": project.id, "name": "backend"})["id"]
    fake._drop_service(gone_service)
    service = Managed(ServiceProvider(), service_props(project.id, environment_id))
    assert service.id != gone_service and service.id in fake.services
    fake._drop_project(project.id)
    assert project.refresh().id == ""


# Environment --------------------------------------------------------------------------------


def test_environment_default_is_adopted_and_left_to_its_project(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, environment_id = env
    environment = Managed(EnvironmentProvider(), {"projectId": project_id, "name": "production", "adoptId": None})
    assert environment.id == environment_id and environment.state["created"] is False
    assert operations(fake) == ["RailwayEnvironments"]
    environment.destroy()
    assert environment_id in fake.environments


def test_environment_lifecycle(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, _ = env
    props = {"projectId": project_id, "name": "staging", "adoptId": None}
    environment = Managed(EnvironmentProvider(), props)
    assert operations(fake) == ["RailwayEnvironments", "RailwayEnvironmentCreate"]
    assert environment.state["created"] is True
    mark = len(fake.requests)
    assert environment.up(dict(props)).changes is False and fake.calls(since=mark) == []
    environment.up({**props, "name": "stage"})
    assert fake.environments[environment.id]["name"] == "stage"
    assert environment.provider.diff(environment.id, environment.state, {**props, "projectId": "prj-x"}).replaces
    environment.destroy()
    assert environment.id not in fake.environments
    assert environment.refresh().id == ""
    environment.destroy()


def test_environment_adopted_by_id(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, environment_id = env
    props = {"projectId": project_id, "name": "x", "adoptId": environment_id}
    environment = Managed(EnvironmentProvider(), props)
    assert environment.id == environment_id and environment.state["created"] is False
    environment.refresh()
    assert environment.up(dict(props)).changes is False
    assert not fake.mutations() and fake.environments[environment_id]["name"] == "production"
    with pytest.raises(ApiError, match="is not in project"):
        EnvironmentProvider().create({"projectId": project_id, "name": "x", "adoptId": "env-404"})


# Service --------------------------------------------------------------------------------------


def test_service_lifecycle(fake: FakeRailway, env: tuple[str, str], sleeps: list[float]) -> None:
    project_id, environment_id = env
    props = service_props(project_id, environment_id)
    service = Managed(ServiceProvider(), props)
    # The instance shows a moment after the service: looked for until it is there, then updated.
    assert operations(fake) == [
        "RailwayServices",
        "RailwayServiceCreate",
        "RailwayServiceInstances",
        "RailwayServiceInstances",
        "RailwayServiceInstanceUpdate",
    ]
    assert sleeps == [1.0]
    # No source at creation: nothing deploys before the variables exist.
    assert "source" not in fake.requests[1].variables["input"]
    instance = fake.instances[(service.id, environment_id)]
    assert instance["multiRegionConfig"] == {"us-west2": {"numReplicas": 2}}
    assert instance["healthcheckPath"] == "/health"
    assert instance["source"] == {"image": props["image"]}
    sent = fake.requests[-1].variables["input"]
    assert "numReplicas" not in sent and "region" not in sent  # legacy: Railway does not apply them
    assert isinstance(sent["multiRegionConfig"]["us-west2"]["numReplicas"], int)
    assert service.state["revision"] == 1

    mark = len(fake.requests)
    assert service.up(dict(props)).changes is False
    assert fake.calls(since=mark) == []

    assert service.refresh().id == service.id
    assert service.provider.diff(service.id, service.state, props).changes is False

    mark = len(fake.requests)
    service.up(service_props(project_id, environment_id, numReplicas=3.0))
    assert operations(fake, mark) == ["RailwayServiceInstanceUpdate"]
    assert fake.instances[(service.id, environment_id)]["multiRegionConfig"] == {"us-west2": {"numReplicas": 3}}
    assert service.state["revision"] == 2

    mark = len(fake.requests)
    service.up(service_props(project_id, environment_id, numReplicas=3.0, name="api"))
    assert operations(fake, mark) == ["RailwayServiceUpdate"]
    assert service.state["revision"] == 2  # a rename needs no deployment

    diff = service.provider.diff(service.id, service.state, service_props("prj-other", environment_id))
    assert diff.replaces == ["projectId"]

    service.destroy()
    assert service.id not in fake.services
    service.destroy()  # already gone


def test_service_placement_is_set_and_read_as_railway_honours_it(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, environment_id = env
    props = service_props(project_id, environment_id)
    service = Managed(ServiceProvider(), props)
    key = (service.id, environment_id)
    fake._start_deployment(*key)
    # The legacy fields read back null / 1; the deployment's manifest has the placement: no drift.
    assert (fake.instances[key]["region"], fake.instances[key]["numReplicas"]) == (None, 1)
    service.refresh()
    assert (service.state["region"], service.state["numReplicas"]) == ("us-west2", 2)
    assert service.provider.diff(service.id, service.state, props).changes is False

    # Moved to another region: the old one is left (null), the replicas go with the service.
    service.up(service_props(project_id, environment_id, region="europe-west4"))
    assert fake.requests[-1].variables["input"]["multiRegionConfig"] == {
        "europe-west4": {"numReplicas": 2},
        "us-west2": None,
    }

    # Scaled outside Pulumi and deployed: drift, named.
    fake.instances[key]["multiRegionConfig"] = {"us-west2": {"numReplicas": 1}, "europe-west4": {"numReplicas": 2}}
    fake._start_deployment(*key)
    service.refresh()
    assert (service.state["region"], service.state["numReplicas"]) == ("europe-west4,us-west2", 3)
    moved = service_props(project_id, environment_id, region="europe-west4")
    assert service.provider.diff(service.id, service.state, moved).changes
    assert set(service.provider.changed(service.state, moved)) == {"region", "numReplicas"}


def test_image_references_compare_in_normal_form(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, environment_id = env
    props = service_props(project_id, environment_id, name="redis", image="redis:8.10.1-alpine")
    service = Managed(ServiceProvider(), props)
    # Railway reports the Docker Hub name in full; the same image is no drift.
    assert fake.instances[(service.id, environment_id)]["source"]["image"] == "docker.io/library/redis:8.10.1-alpine"
    service.refresh()
    assert service.provider.diff(service.id, service.state, props).changes is False
    # Another image is.
    fake.instances[(service.id, environment_id)]["source"]["image"] = "docker.io/library/redis:8.10.2-alpine"
    service.refresh()
    assert service.state["image"] == "docker.io/library/redis:8.10.2-alpine"
    assert service.provider.diff(service.id, service.state, props).changes is True


def test_service_create_adopts_a_same_named_service(fake: FakeRailway, env: tuple[str, str], service: str) -> None:
    project_id, environment_id = env
    managed = Managed(ServiceProvider(), service_props(project_id, environment_id))
    assert managed.id == service and len(fake.services) == 1
    assert "RailwayServiceCreate" not in operations(fake)


def test_service_drift_and_out_of_band_delete(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, environment_id = env
    props = service_props(project_id, environment_id)
    service = Managed(ServiceProvider(), props)
    fake.instances[(service.id, environment_id)]["multiRegionConfig"] = {"us-west2": {"numReplicas": 5}}
    fake._start_deployment(service.id, environment_id)
    service.refresh()
    assert service.state["numReplicas"] == 5
    assert service.provider.diff(service.id, service.state, props).changes is True
    fake._drop_service(service.id)
    assert service.refresh().id == ""


def test_a_refresh_makes_the_live_replica_count_the_input_ignore_changes_keeps(
    fake: FakeRailway, env: tuple[str, str]
) -> None:
    """With `ignore_changes: [numReplicas]` the engine takes the count from the state's inputs: after a
    refresh those are the live ones, so an update of another setting sends the watchdog's count back."""
    project_id, environment_id = env
    service = Managed(ServiceProvider(), service_props(project_id, environment_id))
    # The watchdog scaled up: the instance's placement, then the deployment that runs it.
    region = service.state["region"]
    fake.instances[(service.id, environment_id)]["multiRegionConfig"] = {region: {"numReplicas": 4}}
    fake.add_deployment(service.id, environment_id, "SUCCESS")
    read = service.refresh()
    assert read.inputs is not None and read.inputs["numReplicas"] == 4
    new_image = "ghcr.io/converge-nps/backend@sha256:" + "b" * 64
    news = service_props(project_id, environment_id, image=new_image, numReplicas=read.inputs["numReplicas"])
    mark = len(fake.requests)
    service.up(news)
    (update,) = [r for r in fake.calls(since=mark) if r.operation == "RailwayServiceInstanceUpdate"]
    assert update.variables["input"]["multiRegionConfig"] == {region: {"numReplicas": 4}}
    assert fake.instances[(service.id, environment_id)]["multiRegionConfig"] == {region: {"numReplicas": 4}}


def test_service_unmanaged_settings_are_not_drift(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, environment_id = env
    props = service_props(project_id, environment_id, healthcheckPath=None, healthcheckTimeout=None)
    service = Managed(ServiceProvider(), props)
    fake.instances[(service.id, environment_id)]["healthcheckPath"] = "/set-in-the-dashboard"
    service.refresh()
    assert service.provider.diff(service.id, service.state, props).changes is False


def test_unknown_inputs_in_preview_count_as_changes(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, environment_id = env
    service = Managed(ServiceProvider(), service_props(project_id, environment_id))
    diff = service.provider.diff(
        service.id, service.state, service_props(project_id, environment_id, image=rpc.UNKNOWN)
    )
    assert diff.changes and not diff.replaces
    diff = service.provider.diff(service.id, service.state, service_props(rpc.UNKNOWN, environment_id))
    assert diff.replaces == ["projectId"]


# Limits -----------------------------------------------------------------------------------------


def test_limits_lifecycle(fake: FakeRailway, env: tuple[str, str], service: str) -> None:
    _, environment_id = env
    props = {"environmentId": environment_id, "serviceId": service, "vcpus": 2.0, "memoryGb": 1.0}
    limits = Managed(ServiceLimitsProvider(), props)
    assert fake.requests[-1].variables["input"] == {
        "environmentId": environment_id,
        "serviceId": service,
        "vCPUs": 2.0,
        "memoryGB": 1.0,
    }
    mark = len(fake.requests)
    assert limits.up(dict(props)).changes is False and fake.calls(since=mark) == []
    limits.up({**props, "memoryGb": 2.0})
    assert fake.limits[(service, environment_id)] == {"vCPUs": 2.0, "memoryGB": 2.0}
    assert limits.provider.diff(limits.id, limits.state, {**props, "serviceId": "svc-x"}).replaces == ["serviceId"]

    fake.limits[(service, environment_id)] = None  # override removed in the dashboard
    limits.refresh()
    assert limits.provider.diff(limits.id, limits.state, {**props, "memoryGb": 2.0}).changes is True
    fake._drop_service(service)
    assert limits.refresh().id == ""
    limits.destroy()


# Variables --------------------------------------------------------------------------------------


def test_variables_lifecycle(fake: FakeRailway, env: tuple[str, str], service: str) -> None:
    project_id, environment_id = env
    key = (service, environment_id)
    props = {
        "projectId": project_id,
        "environmentId": environment_id,
        "serviceId": service,
        "variables": {"NODE_ENV": "production"},
        "secrets": {"JWT_SECRET": "s3cr3t", "DATABASE_URL": "postgresql://u:p@h/db"},
        "revision": None,
    }
    variables = Managed(VariablesProvider(), props)
    sent = fake.requests[-1].variables["input"]
    assert sent["skipDeploys"] is True and sent["replace"] is False
    assert fake.variables[key]["JWT_SECRET"] == "s3cr3t"
    assert variables.state["revision"] == 1

    mark = len(fake.requests)
    assert variables.up(dict(props)).changes is False and fake.calls(since=mark) == []

    # Railway's own variables are not ours: not read into the state, not deleted.
    variables.refresh()
    assert "RAILWAY_PRIVATE_DOMAIN" not in variables.state["variables"]
    assert variables.provider.diff(variables.id, variables.state, props).changes is False

    mark = len(fake.requests)
    variables.up({**props, "secrets": {"JWT_SECRET": "rotated"}})
    assert operations(fake, mark) == ["RailwayVariablesUpsert", "RailwayVariableDelete"]
    assert fake.requests[mark].variables["input"]["variables"] == {"JWT_SECRET": "rotated"}
    assert "DATABASE_URL" not in fake.variables[key]
    assert variables.state["revision"] == 2

    fake.variables[key]["JWT_SECRET"] = "changed-by-hand"
    variables.refresh()
    assert variables.provider.diff(
        variables.id, variables.state, {**props, "secrets": {"JWT_SECRET": "rotated"}}
    ).changes

    variables.destroy()
    assert set(fake.variables[key]) == {"RAILWAY_PRIVATE_DOMAIN"}
    fake._drop_service(service)
    assert variables.refresh().id == ""
    variables.destroy()


# Deployment -------------------------------------------------------------------------------------


def deployment_props(environment_id: str, service_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "environmentId": environment_id,
        "serviceId": service_id,
        "image": "redis:7.4.1-alpine",
        "serviceRevision": 1.0,
        "limitsRevision": 1.0,
        "variablesRevision": 1.0,
        "timeoutMinutes": 15.0,
        "status": None,
        **overrides,
    }


def test_deployment_is_replaced_by_a_new_one_on_any_trigger(
    fake: FakeRailway, env: tuple[str, str], service: str, sleeps: list[float]
) -> None:
    _, environment_id = env
    props = deployment_props(environment_id, service)
    deployment = Managed(DeploymentProvider(), props)
    # Deployed, then polled through its statuses to SUCCESS before the create returns.
    assert operations(fake) == ["RailwayServiceDeploy", *["RailwayDeployment"] * 4]
    assert sleeps == [5.0] * 3
    assert deployment.id in fake.deployments and deployment.state["status"] == "SUCCESS"
    mark = len(fake.requests)
    assert deployment.up(dict(props)).changes is False and fake.calls(since=mark) == []
    assert deployment.up({**props, "timeoutMinutes": 30.0}).changes is False  # the wait is no trigger
    first_id = deployment.id
    for trigger in ("variablesRevision", "limitsRevision", "serviceRevision"):
        diff = deployment.up({**props, trigger: 2.0})
        assert diff.replaces == [trigger]
        deployment.up(dict(props))
    assert deployment.id != first_id and len(fake.deployments) == 7
    deployment.refresh()
    assert deployment.state["status"] == "SUCCESS"
    del fake.deployments[deployment.id]
    assert deployment.refresh().id == ""
    mark = len(fake.requests)
    deployment.destroy()  # deployments are history: nothing to delete
    assert fake.calls(since=mark) == []


@pytest.mark.parametrize("status", ["FAILED", "CRASHED", "REMOVED"])
def test_a_failed_deployment_fails_the_up_with_its_status_and_logs(
    fake: FakeRailway, env: tuple[str, str], service: str, status: str
) -> None:
    _, environment_id = env
    fake.fail_next_deployment(status, logs=("Error: Cannot find module 'express'", "npm ERR! code 1"))
    with pytest.raises(DeploymentError, match=f"ended {status}") as failed:
        DeploymentProvider().create(deployment_props(environment_id, service))
    assert "Cannot find module 'express'" in str(failed.value) and "npm ERR! code 1" in str(failed.value)
    assert operations(fake)[-1] == "RailwayDeploymentLogs"


def test_a_deployment_that_does_not_finish_in_time_fails_the_up(
    fake: FakeRailway, env: tuple[str, str], service: str, sleeps: list[float]
) -> None:
    _, environment_id = env
    fake.deployment_steps = ("BUILDING",) * 50
    with pytest.raises(DeploymentError, match="still BUILDING after 1 minutes"):
        DeploymentProvider().create(deployment_props(environment_id, service, timeoutMinutes=1.0))
    assert sleeps == [5.0] * 11  # 12 checks in one minute


def test_the_deployment_poll_interval_comes_from_the_environment(
    fake: FakeRailway, env: tuple[str, str], service: str, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, environment_id = env
    monkeypatch.setenv("RAILWAY_POLL_INTERVAL", "0.5")
    fake.deployment_steps = ("BUILDING",) * 50
    with pytest.raises(DeploymentError, match="still BUILDING after 0.05 minutes"):
        DeploymentProvider().create(deployment_props(environment_id, service, timeoutMinutes=0.05))
    assert sleeps == [0.5] * 5  # 6 checks in three seconds


def test_a_poll_interval_of_zero_is_refused_by_name(
    fake: FakeRailway, env: tuple[str, str], service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, environment_id = env
    monkeypatch.setenv("RAILWAY_POLL_INTERVAL", "0")
    with pytest.raises(ApiError, match="RAILWAY_POLL_INTERVAL must be more than 0 seconds"):
        DeploymentProvider().create(deployment_props(environment_id, service))


# Volume -----------------------------------------------------------------------------------------


def test_volume_lifecycle(fake: FakeRailway, env: tuple[str, str], service: str) -> None:
    project_id, environment_id = env
    props = {
        "projectId": project_id,
        "environmentId": environment_id,
        "serviceId": service,
        "mountPath": "/data",
        "region": "us-west2",
    }
    volume = Managed(VolumeProvider(), props)
    assert operations(fake) == ["RailwayVolumeInstances", "RailwayVolumeCreate"]
    mark = len(fake.requests)
    assert volume.up(dict(props)).changes is False and fake.calls(since=mark) == []
    volume.up({**props, "mountPath": "/var/lib/redis"})
    assert operations(fake, mark) == ["RailwayVolumeInstanceUpdate"]
    assert next(iter(fake.volume_instances.values()))["mountPath"] == "/var/lib/redis"
    diff = volume.provider.diff(volume.id, volume.state, {**props, "region": "europe-west4"})
    assert diff.replaces == ["region"] and diff.delete_before_replace is True
    assert volume.refresh().id == volume.id
    volume.destroy()
    assert fake.volumes == {}
    assert volume.refresh().id == ""
    volume.destroy()


def test_volume_create_adopts_the_services_volume(fake: FakeRailway, env: tuple[str, str], service: str) -> None:
    project_id, environment_id = env
    made = fake.root["volumeCreate"](
        None, {"projectId": project_id, "environmentId": environment_id, "serviceId": service, "mountPath": "/data"}
    )
    volume = Managed(
        VolumeProvider(),
        {
            "projectId": project_id,
            "environmentId": environment_id,
            "serviceId": service,
            "mountPath": "/data",
            "region": None,
        },
    )
    assert volume.id == made["id"] and len(fake.volumes) == 1


# Domains ----------------------------------------------------------------------------------------


def test_service_domain_lifecycle(fake: FakeRailway, env: tuple[str, str], service: str) -> None:
    project_id, environment_id = env
    props = {
        "projectId": project_id,
        "environmentId": environment_id,
        "serviceId": service,
        "targetPort": None,
        "domain": None,
    }
    domain = Managed(ServiceDomainProvider(), props)
    assert domain.state["domain"].endswith(".up.railway.app")
    mark = len(fake.requests)
    assert domain.up(dict(props)).changes is False and fake.calls(since=mark) == []
    domain.refresh()
    assert domain.provider.diff(domain.id, domain.state, props).changes is False
    domain.up({**props, "targetPort": 8080.0})
    assert fake.service_domains[domain.id]["targetPort"] == 8080
    again = Managed(ServiceDomainProvider(), props)  # a retried create adopts the service's domain
    assert again.id == domain.id and len(fake.service_domains) == 1
    domain.destroy()
    assert fake.service_domains == {}
    assert domain.refresh().id == ""
    domain.destroy()


def test_custom_domain_exports_the_dns_records(fake: FakeRailway, env: tuple[str, str], service: str) -> None:
    project_id, environment_id = env
    props = {
        "projectId": project_id,
        "environmentId": environment_id,
        "serviceId": service,
        "domain": "api.converge-nps.com",
        "targetPort": None,
    }
    domain = Managed(CustomDomainProvider(), props)
    assert domain.state["dnsRecords"] == [
        {
            "type": "CNAME",
            "name": "api.converge-nps.com",
            "host": "api",
            "zone": "converge-nps.com",
            "value": f"{domain.id}.up.railway.app",
            "purpose": "TRAFFIC_ROUTE",
        }
    ]
    mark = len(fake.requests)
    assert domain.up(dict(props)).changes is False and fake.calls(since=mark) == []
    domain.up({**props, "targetPort": 3000.0})
    assert operations(fake, mark) == ["RailwayCustomDomainUpdate"]
    assert domain.state["dnsRecords"], "an update keeps the records"
    diff = domain.provider.diff(domain.id, domain.state, {**props, "domain": "api2.converge-nps.com"})
    assert diff.replaces == ["domain"] and diff.delete_before_replace is True
    assert Managed(CustomDomainProvider(), props).id == domain.id  # adopted, not "already in use"
    domain.destroy()
    assert domain.refresh().id == ""
    domain.destroy()


# Usage limit ------------------------------------------------------------------------------------


def test_usage_limit_lifecycle(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, _ = env
    props = {"projectId": project_id, "softLimitDollars": 228.0, "hardLimitDollars": 285.0}
    limit = Managed(UsageLimitProvider(), props)
    assert limit.id == CUSTOMER_ID
    assert fake.requests[-1].variables["input"] == {
        "customerId": CUSTOMER_ID,
        "softLimitDollars": 228,
        "hardLimitDollars": 285,
    }
    mark = len(fake.requests)
    assert limit.up(dict(props)).changes is False and fake.calls(since=mark) == []
    limit.up({**props, "hardLimitDollars": 300.0})
    assert fake.usage_limit is not None and fake.usage_limit["hardLimit"] == 300
    limit.refresh()
    assert limit.state["hardLimitDollars"] == 300
    limit.destroy()
    assert fake.usage_limit is None
    assert limit.refresh().id == ""
    limit.destroy()


def test_usage_limit_refuses_to_take_over_someone_elses(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, _ = env
    fake.usage_limit = {"id": "ul-0", "customerId": CUSTOMER_ID, "softLimit": 16, "hardLimit": 20}
    with pytest.raises(UsageLimitConflictError, match=r"soft \$16, hard \$20.*setUsageLimit: false"):
        UsageLimitProvider().create({"projectId": project_id, "softLimitDollars": 228.0, "hardLimitDollars": 285.0})
    assert fake.usage_limit["hardLimit"] == 20 and not fake.mutations()
    # The same figures are what an earlier attempt of this stack set: adopted without a write.
    same = Managed(UsageLimitProvider(), {"projectId": project_id, "softLimitDollars": 16.0, "hardLimitDollars": 20.0})
    assert same.id == CUSTOMER_ID and not fake.mutations()


# Project token ----------------------------------------------------------------------------------


def test_project_token_lifecycle(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, environment_id = env
    props = {
        "projectId": project_id,
        "environmentId": environment_id,
        "name": "github-actions-production",
        "token": None,
    }
    token = Managed(ProjectTokenProvider(), props)
    # Marked secret in what the provider returns, so the engine stores it encrypted (refresh included).
    assert rpc.is_rpc_secret(token.state["token"])
    assert rpc.unwrap_rpc_secret(token.state["token"]).startswith("project-token-secret-")
    assert len(fake.tokens) == 1
    refreshed = token.refresh()
    assert refreshed.outs is not None and refreshed.outs["token"] == token.state["token"]
    assert token.provider.diff(token.id, token.state, {**props, "name": "x"}).replaces == ["name"]
    token.destroy()
    assert fake.tokens == {}
    assert token.refresh().id == ""
    token.destroy()


def test_project_token_left_by_a_failed_attempt_is_replaced(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, environment_id = env
    fake.root["projectTokenCreate"](None, {"projectId": project_id, "environmentId": environment_id, "name": "ci"})
    token = Managed(ProjectTokenProvider(), {"projectId": project_id, "environmentId": environment_id, "name": "ci"})
    assert operations(fake) == ["RailwayProjectTokens", "RailwayProjectTokenDelete", "RailwayProjectTokenCreate"]
    assert len(fake.tokens) == 1 and token.state["token"]


def _all_providers_hold_no_state() -> list[Any]:
    return [
        ProjectProvider(),
        EnvironmentProvider(),
        ServiceProvider(),
        ServiceLimitsProvider(),
        VariablesProvider(),
        DeploymentProvider(),
        VolumeProvider(),
        ServiceDomainProvider(),
        CustomDomainProvider(),
        UsageLimitProvider(),
        ProjectTokenProvider(),
    ]


def test_providers_keep_nothing_between_calls(fake: FakeRailway, env: tuple[str, str]) -> None:
    project_id, _ = env
    providers = _all_providers_hold_no_state()
    Managed(providers[1], {"projectId": project_id, "name": "production", "adoptId": None})
    assert all(vars(provider) == {} for provider in providers)
