"""The real program's Railway resources through their providers and the fake: first `up`, a no-change
`up`, a refresh, targeted changes, and a destroy, with the API calls each one costs."""

from __future__ import annotations

from collections import Counter

import pytest
from pulumi.runtime import rpc

from components.values import Secret
from cost.usage_limit import workspace_limit
from settings.sources import PROJECT
from tests.cost.test_model import settings_of
from tests.doubles import run_stack, stack_config
from tests.providers.engine import Engine, program_engine
from tests.railway.fake_railway import FakeRailway
from tests.railway.helpers import RAILWAY
from tests.seed import SEED_CONFIG
from watchdog.contract import CONFIG_VARIABLE, parse_config


def rpc_secret_value(value: object) -> str:
    assert rpc.is_rpc_secret(value), "stored encrypted"
    return str(rpc.unwrap_rpc_secret(value))


BACKEND_IMAGE_PREFIX = "ghcr.io/converge-nps/backend@sha256:"
REGISTRY_PASSWORD = "ghp_stand-in-read-packages-token-0123456789"
# The backend image is private (ghcr.io): Railway pulls it with these.
PULL = {"registryUsername": "converge-nps-deploy"}
DEPLOYMENT_POLLS = 4  # INITIALIZING, BUILDING, DEPLOYING, SUCCESS


def pulling(stack: str, overrides: dict[str, object] | None = None) -> dict[str, object]:
    """The stack's config with the registry credentials of its private backend image."""
    base = stack_config(stack)
    image = {**base[f"{PROJECT}:image"], **PULL}
    return stack_config(
        stack, {f"{PROJECT}:image": image, f"{PROJECT}:registryPassword": REGISTRY_PASSWORD, **(overrides or {})}
    )


# The seed's production and staging, stated: what the fake ends up holding does not follow the stack files.
SEED_PROD = pulling("prod", SEED_CONFIG["prod"])
SEED_STAGING = SEED_CONFIG["staging"]


def _summary(fake: FakeRailway, since: int) -> str:
    calls = fake.calls(since=since)
    writes = Counter(r.operation.removeprefix("Railway") for r in calls if r.mutation)
    detail = ", ".join(f"{name} {count}" for name, count in sorted(writes.items()))
    return f"{len(calls)} calls, {sum(writes.values())} mutations ({detail})"


def test_prod_first_up_no_change_up_refresh_and_destroy(fake: FakeRailway) -> None:
    engine = Engine()
    with program_engine(engine, RAILWAY):
        first = run_stack("prod", config=SEED_PROD)
        first_calls = fake.calls()
        first_summary = _summary(fake, 0)

        mark = len(fake.requests)
        again = run_stack("prod", config=SEED_PROD)
        no_change_calls = fake.calls(since=mark)

    mark = len(fake.requests)
    resources = len(engine.ids)
    engine.refresh()
    refresh_calls = fake.calls(since=mark)
    assert len(engine.ids) == resources, "a refresh of a healthy stack drops nothing"

    print(f"\nprod first up: {first_summary}")
    print(f"prod no-change up: {len(no_change_calls)} calls")
    print(f"prod refresh: {len(refresh_calls)} calls for {resources} resources")

    # What Railway now holds is the seed's production.
    (project,) = fake.projects.values()
    assert project["name"] == "converge-nps-production"
    assert [e["name"] for e in fake.environments.values()] == ["production"]
    services = {s["name"]: s["id"] for s in fake.services.values()}
    assert set(services) == {"backend", "redis", "watchdog"}
    (environment_id,) = fake.environments
    backend = fake.instances[(services["backend"], environment_id)]
    assert backend["multiRegionConfig"] == {"us-west2": {"numReplicas": 2}} and backend["healthcheckPath"] == "/health"
    assert backend["source"]["image"].startswith(BACKEND_IMAGE_PREFIX)
    assert backend["registryCredentials"] == {"username": "converge-nps-deploy", "password": REGISTRY_PASSWORD}
    assert fake.running_limits(services["backend"], environment_id) == {"vCPUs": 2.0, "memoryGB": 1.0}
    redis = fake.instances[(services["redis"], environment_id)]
    assert redis["multiRegionConfig"] == {"us-west2": {"numReplicas": 1}}
    assert "--maxmemory 512mb" in redis["startCommand"] and redis["registryCredentials"] is None
    assert [vi["mountPath"] for vi in fake.volume_instances.values()] == ["/data"]
    assert [d["domain"] for d in fake.custom_domains.values()] == ["api.converge-nps.com"]
    assert fake.service_domains == {}
    assert fake.usage_limit is not None
    limit = workspace_limit(settings_of("prod"))
    assert (fake.usage_limit["softLimit"], fake.usage_limit["hardLimit"]) == (limit.soft_usd, limit.hard_usd)
    assert sorted(t["name"] for t in fake.tokens.values()) == ["github-actions-production", "watchdog-production"]
    watchdog = fake.instances[(services["watchdog"], environment_id)]
    assert watchdog["multiRegionConfig"] == {"us-west2": {"numReplicas": 1}} and watchdog.get("healthcheckPath") is None
    assert fake.running_limits(services["watchdog"], environment_id) == {"vCPUs": 0.1, "memoryGB": 0.25}
    watchdog_variables = fake.variables[(services["watchdog"], environment_id)]
    assert parse_config(watchdog_variables[CONFIG_VARIABLE]).backend_service_id == services["backend"]
    assert watchdog_variables["RAILWAY_TOKEN"].startswith("project-token-secret-")
    backend_variables = fake.variables[(services["backend"], environment_id)]
    assert backend_variables["REDIS_URL"].startswith("redis://default:")
    assert backend_variables["REDIS_URL"].endswith("@redis.railway.internal:6379")
    assert backend_variables["NODE_ENV"] == "production"
    assert backend_variables["FRONTEND_URL"] == settings_of("prod").frontend_url
    # Each service deployed once, after its variables were in place.
    deployments = list(fake.deployments.values())
    assert sorted(d["serviceId"] for d in deployments) == sorted(services.values())
    assert all(d["status"] == "SUCCESS" for d in deployments)
    assert all("RAILWAY_PRIVATE_DOMAIN" in d["variables"] and len(d["variables"]) > 1 for d in deployments)

    # The deploy job's token reaches the GitHub environment as a secret.
    secrets = {
        r.inputs["secretName"]: r.inputs["plaintextValue"]
        for r in first.of_type("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret")
    }
    assert isinstance(secrets["RAILWAY_TOKEN"], Secret)
    assert str(secrets["RAILWAY_TOKEN"].value).startswith("project-token-secret-")
    assert first.outputs["apiDnsRecords"][0]["name"] == "api.converge-nps.com"
    assert again.outputs["apiUrl"] == first.outputs["apiUrl"] == "https://api.converge-nps.com"

    # The targets. A first up: one look (for what a failed attempt may have left) per
    # create-or-adopt kind, then its writes; upserts and sets need no look.
    counted = Counter(r.operation.removeprefix("Railway") for r in first_calls)
    # Each new service's instance is looked for until it shows: once or twice, as other requests interleave.
    instance_looks = counted.pop("ServiceInstances")
    assert 3 <= instance_looks <= 6
    assert counted == {
        "ProjectsInWorkspace": 1,
        "ProjectCreate": 1,
        "Environments": 1,  # the project's default environment is adopted: no create
        "UsageLimit": 1,
        "UsageLimitSet": 1,
        "ProjectTokens": 2,
        "ProjectTokenCreate": 2,
        "Services": 3,
        "ServiceCreate": 3,
        "ServiceInstanceUpdate": 3,
        "ServiceLimitsUpdate": 3,
        "VariablesUpsert": 3,
        "VolumeInstances": 1,
        "VolumeCreate": 1,
        "Domains": 1,
        "CustomDomainCreate": 1,
        "ServiceDeploy": 3,
        "ObservabilityDashboards": 2,  # none yet; then the id of the one just created
        "ObservabilityDashboardCreate": 1,
        "Deployment": 3 * DEPLOYMENT_POLLS,  # each deployment, polled until it succeeds
    }
    assert (len(first_calls) - instance_looks, len([r for r in first_calls if r.mutation])) == (
        34 + 8 + DEPLOYMENT_POLLS,  # the watchdog: its token, service, instance, limits, variables, deployment
        16 + 6,
    )
    assert no_change_calls == []
    assert len(refresh_calls) == resources
    assert all(not r.mutation for r in refresh_calls)

    mark = len(fake.requests)
    engine.destroy()
    print(f"prod destroy: {_summary(fake, mark)}")
    assert fake.projects == {} and fake.services == {} and fake.tokens == {} and fake.usage_limit is None


def test_event_mode_redeploys_the_watchdog_and_leaves_the_backends_replicas_to_it(fake: FakeRailway) -> None:
    engine = Engine()
    with program_engine(engine, RAILWAY):
        run_stack("prod", config=SEED_PROD)
        mark = len(fake.requests)
        run_stack("prod", config={**SEED_PROD, "converge-nps:eventMode": True})
    calls = [r.operation for r in fake.calls(since=mark)]
    assert calls == ["RailwayVariablesUpsert", "RailwayServiceDeploy", *["RailwayDeployment"] * DEPLOYMENT_POLLS]
    (backend,) = [key for key in fake.instances if fake.services[key[0]]["name"] == "backend"]
    (watchdog,) = [key for key in fake.variables if fake.services[key[0]]["name"] == "watchdog"]
    assert parse_config(fake.variables[watchdog][CONFIG_VARIABLE]).event_mode is True
    assert fake.instances[backend]["multiRegionConfig"] == {"us-west2": {"numReplicas": 2}}
    assert len(fake.deployments) == 4


def test_an_up_keeps_the_replicas_the_watchdog_set(fake: FakeRailway) -> None:
    ci = {"CONVERGE_IMAGE_REF": BACKEND_IMAGE_PREFIX + "d" * 64}
    engine = Engine()
    with program_engine(engine, RAILWAY):
        run_stack("prod", config=pulling("prod"))
        (backend,) = [key for key in fake.instances if fake.services[key[0]]["name"] == "backend"]
        # The watchdog's step: the instance's placement, then a deployment that runs it.
        fake.instances[backend]["multiRegionConfig"] = {"us-west2": {"numReplicas": 4}}
        fake.add_deployment(*backend, "SUCCESS")
        engine.refresh()  # the deploy job's `up --refresh`
        mark = len(fake.requests)
        run_stack("prod", config=pulling("prod"))
        assert fake.calls(since=mark) == []
        # A new image: the instance is updated with the live count.
        run_stack("prod", environ=ci, config=pulling("prod"))
    (update,) = [r for r in fake.calls(since=mark) if r.operation == "RailwayServiceInstanceUpdate"]
    assert update.variables["input"]["multiRegionConfig"] == {"us-west2": {"numReplicas": 4}}
    assert fake.instances[backend]["multiRegionConfig"] == {"us-west2": {"numReplicas": 4}}


def test_a_new_image_redeploys_and_a_variable_change_redeploys(fake: FakeRailway) -> None:
    ci = {"CONVERGE_IMAGE_REF": BACKEND_IMAGE_PREFIX + "c" * 64}
    bigger = {"minReplicas": 1, "maxReplicas": 2, "eventReplicas": 2, "vcpuPerReplica": 1, "memoryGbPerReplica": 2}

    def calls_of(**kwargs: object) -> list[str]:
        mark = len(fake.requests)
        run_stack("staging", **kwargs)  # type: ignore[arg-type]
        return [r.operation for r in fake.calls(since=mark)]

    polled = ["RailwayServiceDeploy", *["RailwayDeployment"] * DEPLOYMENT_POLLS]
    qa = {"converge-nps:frontendUrl": "https://qa.converge-nps.com"}
    with program_engine(Engine(), RAILWAY):
        run_stack("staging", config=pulling("staging"))
        image_calls = calls_of(environ=ci, config=pulling("staging"))
        variable_calls = calls_of(environ=ci, config=pulling("staging", qa))
        limits_calls = calls_of(environ=ci, config=pulling("staging", {**qa, "converge-nps:backend": bigger}))
    (backend,) = [key for key in fake.instances if fake.services[key[0]]["name"] == "backend"]
    assert image_calls == ["RailwayServiceInstanceUpdate", *polled]
    assert variable_calls == ["RailwayVariablesUpsert", *polled]
    # Railway applies limits at the next deployment: a change of limits alone redeploys.
    # and the watchdog is redeployed with the new per-replica price in WATCHDOG_CONFIG.
    assert sorted(limits_calls) == sorted(["RailwayServiceLimitsUpdate", *polled, "RailwayVariablesUpsert", *polled])
    assert fake.running_limits(*backend) == {"vCPUs": 1.0, "memoryGB": 2.0}


def test_a_private_image_is_pulled_with_credentials_kept_out_of_the_state(fake: FakeRailway) -> None:
    engine = Engine()
    with (
        program_engine(engine, RAILWAY),
        pytest.raises(Exception, match="(?s)ended FAILED.*failed to pull image.*unauthorized"),
    ):
        run_stack("staging")  # no registry credentials: Railway cannot pull the image
    with program_engine(engine, RAILWAY):
        run_stack("staging", config=pulling("staging"))
    (service,) = [urn for urn in engine.outputs if urn.endswith("backend") and "railway:Service" in urn]
    outputs = engine.outputs[service]
    assert "registryPassword" not in outputs
    assert rpc_secret_value(outputs["registryCredentialsDigest"]).startswith("sha256:")
    assert REGISTRY_PASSWORD not in repr(outputs)


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_railway_domain_feeds_the_frontend_variables(fake: FakeRailway, stack: str) -> None:
    with program_engine(Engine(), RAILWAY):
        run = run_stack(stack, config=pulling(stack))
    (domain,) = [d["domain"] for d in fake.service_domains.values()]
    assert fake.custom_domains == {}
    variables = {
        r.inputs["variableName"]: r.inputs["value"]
        for r in run.of_type("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
    }
    assert variables["VITE_API_BASE_URL"] == f"https://{domain}/v1"
    assert variables["VITE_WS_URL"] == f"wss://{domain}"
    assert run.outputs["apiUrl"] == f"https://{domain}"
    assert run.outputs["apiDnsRecords"] == []
