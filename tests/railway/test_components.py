"""BackendService, RedisCache and the Railway project under Pulumi mocks, for each stack with its own
settings (whatever sizes its stack file declares), in preview and update mode."""

from __future__ import annotations

import math
import shlex
from collections.abc import Callable
from typing import Any

import pytest
from pulumi.output import Unknown as PulumiUnknown

from components.redis_cache.component import RedisCacheArgs, container_memory_gb, redis_command
from components.values import UNKNOWN, Secret, plain
from cost.usage_limit import railway_max_usd, workspace_limit
from offline.program import ProgramRun, Registration
from tests.cost.test_model import settings_of
from tests.doubles import run_stack, stack_config
from tests.railway.helpers import RAILWAY, all_secret

StackRun = Callable[[str, bool], ProgramRun]
ENVIRONMENT = {"dev": "development", "staging": "staging", "prod": "production"}
# Seed: "Production: 512MB RAM", dev/staging 256MB; "Min replicas: 2" in production, one elsewhere.
REDIS_MB = {"dev": 256, "staging": 256, "prod": 512}
BACKEND_REPLICAS = {"dev": 1, "staging": 1, "prod": 2}
BACKEND_LIMITS = {"dev": (0.5, 0.5), "staging": (1, 1), "prod": (2, 1)}
REDIS_LIMITS = {"dev": (0.1, 0.5), "staging": (0.1, 0.5), "prod": (0.25, 1.0)}
# One usage limit for the workspace, set by prod: every stack at maximum replicas on Railway, soft limit at 80%.
WORKSPACE_USAGE_LIMIT = workspace_limit(settings_of("prod"))


def unknown(value: Any) -> bool:
    """Unknown until `up` (the harness marks unknown outputs; inputs carry the SDK's own marker)."""
    return value is UNKNOWN or isinstance(value, PulumiUnknown)


def railway(run: ProgramRun, kind: str, name: str | None = None) -> Registration:
    return run.one(f"{RAILWAY}{kind}", name)


def inputs(registration: Registration) -> dict[str, Any]:
    return {key: value for key, value in registration.inputs.items() if key != "__provider"}


def test_one_project_and_environment_per_stack(stack: str, preview: bool, stack_run: StackRun) -> None:
    run = stack_run(stack, preview)
    project = railway(run, "Project")
    assert project.inputs["name"] == f"converge-nps-{ENVIRONMENT[stack]}"
    assert project.inputs["defaultEnvironmentName"] == ENVIRONMENT[stack]
    # None inputs are not sent at all: nothing to adopt, the token's own workspace.
    assert "adoptId" not in project.inputs and "workspaceId" not in project.inputs
    environment = railway(run, "Environment")
    assert environment.inputs["name"] == ENVIRONMENT[stack]
    assert project.urn in environment.dependencies
    limits = run.of_type(f"{RAILWAY}UsageLimit")
    if stack == "prod":
        (limit,) = limits
        assert (limit.inputs["softLimitDollars"], limit.inputs["hardLimitDollars"]) == (
            WORKSPACE_USAGE_LIMIT.soft_usd,
            WORKSPACE_USAGE_LIMIT.hard_usd,
        )
    else:
        assert limits == []  # the workspace's limit is prod's
    token = railway(run, "ProjectToken", "railway-deploy-token")
    assert token.inputs["name"] == f"github-actions-{ENVIRONMENT[stack]}"
    # 14 for the project, the backend, Redis and the dashboard; 5 for the watchdog (its token, service, limits,
    # variables, deployment).
    assert len([r for r in run.resources if r.type.startswith(RAILWAY)]) == 14 + 5 + len(limits)


def test_backend_service(stack: str, preview: bool, stack_run: StackRun) -> None:
    run = stack_run(stack, preview)
    settings = settings_of(stack)
    service = railway(run, "Service", "backend")
    assert inputs(service) | {"projectId": "-", "environmentId": "-", "image": "-"} == {
        "projectId": "-",
        "environmentId": "-",
        "image": "-",
        "name": "backend",
        "numReplicas": settings.deployed_replicas,
        "region": "us-west2",
        "healthcheckPath": "/health",
        "healthcheckTimeout": 60,
        "restartPolicyType": "ON_FAILURE",
        "restartPolicyMaxRetries": 10,
    }
    if preview:
        assert unknown(service.inputs["image"])
    else:
        assert service.inputs["image"] == run.outputs["backendImage"]
        assert str(service.inputs["image"]).startswith("ghcr.io/converge-nps/backend@sha256:")
    limits = railway(run, "ServiceLimits", "backend-limits")
    backend = settings.backend
    assert (limits.inputs["vcpus"], limits.inputs["memoryGb"]) == (
        backend.vcpu_per_replica,
        backend.memory_gb_per_replica,
    )
    variables = railway(run, "Variables", "backend-variables")
    assert plain(variables.inputs["variables"]) == {
        "NODE_ENV": "development" if stack == "dev" else "production",
        "FRONTEND_URL": settings.frontend_url,
    }
    assert all_secret(variables.inputs["secrets"])
    assert set(plain(variables.inputs["secrets"])) == {
        "DATABASE_URL",
        "REDIS_URL",
        "JWT_SECRET",
        "JWT_REFRESH_SECRET",
        "SENDGRID_API_KEY",
        "SMARTSHEET_API_KEY",
        "SENTRY_DSN",
    }
    if not preview:
        secrets = plain(variables.inputs["secrets"])
        assert secrets["REDIS_URL"].endswith("@redis.railway.internal:6379")
        assert secrets["SENDGRID_API_KEY"] == "SG.test-sendgrid-key-0123456789"
    deployment = railway(run, "Deployment", "backend-deployment")
    assert {service.urn, variables.urn, limits.urn} <= set(deployment.dependencies)


def test_backend_scaling_envelope_is_kept_for_a_scaler(stack: str, stack_run: StackRun) -> None:
    run = stack_run(stack, False)
    backend = run.one("converge:index:BackendService")
    settings = settings_of(stack)
    declared = settings.backend
    assert plain(backend.outputs)["replicas"] == settings.deployed_replicas
    assert plain(backend.outputs)["minReplicas"] == declared.min_replicas
    assert plain(backend.outputs)["maxReplicas"] == declared.max_replicas
    up, down = declared.scale_up, declared.scale_down
    assert plain(backend.outputs)["scaleUp"] == {"cpuPercent": up.cpu_percent, "forMinutes": up.for_minutes}
    assert plain(backend.outputs)["scaleDown"] == {"cpuPercent": down.cpu_percent, "forMinutes": down.for_minutes}


def test_event_mode_raises_production_to_its_event_replicas() -> None:
    event_mode = {"converge-nps:eventMode": True}
    run = run_stack("prod", preview=True, config=stack_config("prod", event_mode))
    backend = settings_of("prod", event_mode).backend
    expected = max(backend.event_replicas, backend.min_replicas)
    assert railway(run, "Service", "backend").inputs["numReplicas"] == expected
    assert railway(run, "Service", "redis").inputs["numReplicas"] == 1


def test_public_domain(stack: str, preview: bool, stack_run: StackRun) -> None:
    run = stack_run(stack, preview)
    public_domain = settings_of(stack).backend.public_domain
    if public_domain is not None:
        domain = railway(run, "CustomDomain", "backend-domain")
        assert domain.inputs["domain"] == public_domain
        assert run.of_type(f"{RAILWAY}ServiceDomain") == []
        assert run.outputs["apiUrl"] == f"https://{public_domain}"
        if not preview:
            assert run.outputs["apiDnsRecords"][0]["type"] == "CNAME"
    else:
        railway(run, "ServiceDomain", "backend-domain")
        assert run.of_type(f"{RAILWAY}CustomDomain") == []
        if preview:
            assert unknown(run.outputs["apiUrl"])
        else:
            assert str(run.outputs["apiUrl"]).endswith(".up.railway.app")


def test_redis_cache(stack: str, preview: bool, stack_run: StackRun) -> None:
    run = stack_run(stack, preview)
    redis = settings_of(stack).redis
    service = railway(run, "Service", "redis")
    assert service.inputs["image"] == redis.image
    # Railway forbids replicas on a service with a volume.
    assert service.inputs["numReplicas"] == 1
    assert "healthcheckPath" not in service.inputs
    words = shlex.split(service.inputs["startCommand"])
    assert words[:2] == ["sh", "-c"]
    server = shlex.split(words[2], posix=True)
    # Through the image's entrypoint, which drops root (a start command replaces the ENTRYPOINT).
    assert server[:3] == ["exec", "docker-entrypoint.sh", "redis-server"]
    flags = dict(zip(server[3::2], server[4::2], strict=True))
    assert flags == {
        "--port": "6379",
        "--requirepass": "$REDIS_PASSWORD",
        "--maxmemory": f"{redis.memory_mb}mb",
        "--maxmemory-policy": "allkeys-lru",
        "--dir": "/data",
        "--save": "3600 1 300 100 60 10000",
        "--appendonly": "yes",
    }
    limits = railway(run, "ServiceLimits", "redis-limits")
    assert (limits.inputs["vcpus"], limits.inputs["memoryGb"]) == (redis.vcpu, container_memory_gb(redis.memory_mb))
    volume = railway(run, "Volume", "redis-data")
    assert volume.inputs["mountPath"] == "/data"
    assert service.urn in volume.dependencies
    variables = railway(run, "Variables", "redis-variables")
    assert all_secret(variables.inputs["secrets"])
    assert set(plain(variables.inputs["secrets"])) == {"REDIS_PASSWORD"}
    deployment = railway(run, "Deployment", "redis-deployment")
    assert {service.urn, variables.urn, limits.urn, volume.urn} <= set(deployment.dependencies)
    cache = run.one("converge:index:RedisCache")
    assert plain(cache.outputs)["volumeGb"] == redis.volume_gb
    if not preview:
        password = plain(variables.inputs["secrets"])["REDIS_PASSWORD"]
        assert len(password) == 40 and password not in service.inputs["startCommand"]


def test_every_railway_resource_sits_under_a_component(stack: str, stack_run: StackRun) -> None:
    run = stack_run(stack, True)
    by_urn = {r.urn: r for r in run.resources}
    for resource in run.resources:
        if resource.type.startswith(RAILWAY):
            assert by_urn[resource.parent].type in {
                "converge:index:RailwayProject",
                "converge:index:BackendService",
                "converge:index:RedisCache",
                "converge:index:ObservabilityDashboard",
                "converge:index:WatchdogService",
            }, resource.name


def test_preview_knows_every_railway_resource_shape(stack: str, stack_run: StackRun) -> None:
    preview, update = stack_run(stack, True), stack_run(stack, False)
    shapes = {r.urn: sorted(r.inputs) for r in preview.resources if r.type.startswith(RAILWAY)}
    assert shapes == {r.urn: sorted(r.inputs) for r in update.resources if r.type.startswith(RAILWAY)}


def test_deploy_job_gets_an_environment_scoped_railway_token(stack: str, preview: bool, stack_run: StackRun) -> None:
    run = stack_run(stack, preview)
    secrets = {
        r.inputs["secretName"]: r.inputs["plaintextValue"]
        for r in run.of_type("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret")
    }
    if preview:
        assert unknown(secrets["RAILWAY_TOKEN"]) or unknown(plain(secrets["RAILWAY_TOKEN"]))
    else:
        assert isinstance(secrets["RAILWAY_TOKEN"], Secret)
        assert str(secrets["RAILWAY_TOKEN"].value).startswith("mock-project-token-")


def test_usage_limit_can_be_left_to_another_stack() -> None:
    config = stack_config("prod", {"converge-nps:railway": {"setUsageLimit": False}})
    assert run_stack("prod", preview=True, config=config).of_type(f"{RAILWAY}UsageLimit") == []


def test_the_usage_limit_covers_the_stacks_of_its_workspace_only() -> None:
    # Staging moved to a workspace of its own: prod's limit no longer counts it.
    alone = {"workspaceId": "ws-staging", "setUsageLimit": True}
    staging = run_stack("staging", preview=True, config=stack_config("staging", {"converge-nps:railway": alone}))
    (limit,) = staging.of_type(f"{RAILWAY}UsageLimit")
    # Staging's Railway spend at maximum replicas (its watchdog included), rounded up.
    assert limit.inputs["hardLimitDollars"] == math.ceil(railway_max_usd(settings_of("staging")))


def test_adopting_a_project_and_environment() -> None:
    config = stack_config(
        "prod", {"converge-nps:railway": {"projectId": "prj-existing", "environmentId": "env-existing"}}
    )
    run = run_stack("prod", preview=True, config=config)
    assert railway(run, "Project").inputs["adoptId"] == "prj-existing"
    assert railway(run, "Environment").inputs["adoptId"] == "env-existing"


def test_adopting_an_environment_needs_its_project() -> None:
    config = stack_config("prod", {"converge-nps:railway": {"environmentId": "env-existing"}})
    run = run_stack("prod", preview=True, config=config, raise_errors=False)
    assert "converge-nps:railway.environmentId" in str(run.error)
    assert run.resources == []


@pytest.mark.parametrize(("memory_mb", "expected"), [(256, 0.5), (512, 1.0), (300, 0.6), (1024, 2.0)])
def test_redis_container_has_room_for_the_persistence_fork(memory_mb: int, expected: float) -> None:
    assert container_memory_gb(memory_mb) == expected


def test_redis_without_rdb_turns_snapshots_off_explicitly() -> None:
    args = RedisCacheArgs(
        project_id="p",
        environment_id="e",
        image="redis:7.4.1-alpine",
        memory_mb=256,
        eviction_policy="allkeys-lru",
        rdb_snapshots=False,
        append_only=True,
        vcpu=0.1,
        volume_gb=1,
        region="us-west2",
        restart_policy="ON_FAILURE",
        restart_max_retries=10,
        deployment_timeout_minutes=15,
    )
    server = shlex.split(shlex.split(redis_command(args))[2])
    assert server[server.index("--save") + 1] == ""


def test_a_private_image_gets_pull_credentials_from_the_secret() -> None:
    image = {"repository": "ghcr.io/converge-nps/backend", "registryUsername": "converge-nps-deploy"}
    config = stack_config("dev", {"converge-nps:image": image, "converge-nps:registryPassword": "ghp_stand-in"})
    service = railway(run_stack("dev", preview=False, config=config), "Service", "backend")
    assert service.inputs["registryUsername"] == "converge-nps-deploy"
    assert isinstance(service.inputs["registryPassword"], Secret)
    assert railway(run_stack("dev", preview=True), "Service", "backend").inputs.get("registryUsername") is None


def test_a_registry_user_without_its_secret_fails_before_anything_is_declared() -> None:
    image = {"repository": "ghcr.io/converge-nps/backend", "registryUsername": "converge-nps-deploy"}
    run = run_stack("dev", preview=True, config=stack_config("dev", {"converge-nps:image": image}), raise_errors=False)
    assert "needs the registryPassword secret" in str(run.error)
