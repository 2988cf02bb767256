"""The dev stack end to end under the real engine, with the policy pack, against fresh fake Railway and Supabase APIs:
`pulumi up`; the state holds no secret in plaintext; `pulumi refresh`, `pulumi preview --expect-no-changes` and a
second `pulumi up` change nothing (the fakes' request logs and the stand-in plugins' call log show no mutation);
`pulumi destroy` leaves nothing on the fake servers. The API calls of each step are reported.

The tests share one deployment (module fixture) and run in file order; the fixture destroys the stack if the destroy
test did not get to.
"""

from __future__ import annotations

import base64
import json
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.cost.test_model import settings_of
from tests.engine.fullstack import (
    Fakes,
    FullStack,
    mandatory,
    policy_args,
    policy_results,
    running_fakes,
    stand_in_secrets,
    summary,
)
from tests.engine.harness import Engine, Result
from tests.railway import fake_railway
from tests.supabase import fake_api

pytestmark = pytest.mark.engine

STACK = "dev"
# The envelope of a secret in `pulumi stack export --show-secrets` (and of a secret property on the wire).
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# Backend variables that carry credentials (components/backend_service/component.py), as Railway receives them.
CREDENTIAL_VARIABLES = (
    "JWT_SECRET",
    "JWT_REFRESH_SECRET",
    "DATABASE_URL",
    "REDIS_URL",
    "SENDGRID_API_KEY",
    "SMARTSHEET_API_KEY",
    "SENTRY_DSN",
)


@dataclass
class Deployment:
    engine: Engine
    project: Path
    fakes: Fakes
    up: Result
    standin_mark: int  # the stand-in plugins' call log before the first up
    destroyed: bool = False
    counts: dict[str, str] = field(default_factory=dict)

    def pulumi(self, *args: str, check: bool = True) -> Result:
        return self.engine.pulumi([*args, "--stack", STACK], cwd=self.project, env=self.fakes.env(), check=check)

    def with_pack(self) -> list[str]:
        return policy_args(self.project, STACK)


def _count(fakes: Fakes, mark: tuple[int, int]) -> str:
    railway, supabase = fakes.calls_since(mark)
    railway_writes = sum(r.mutation for r in railway)
    supabase_writes = sum(c.writes for c in supabase)
    return (
        f"Railway {len(railway)} calls ({railway_writes} mutations), "
        f"Supabase {len(supabase)} calls ({supabase_writes} writes)"
    )


@pytest.fixture(scope="module")
def deployment(fullstack: FullStack, engine_report: dict[str, object]) -> Iterator[Deployment]:
    engine, project = fullstack.engine, fullstack.project
    with running_fakes() as fakes:
        mark, standin = fakes.mark(), len(engine.standin_calls())
        up = engine.pulumi(
            ["up", "--stack", STACK, "--yes", "--skip-preview", *policy_args(project, STACK)],
            cwd=project,
            env=fakes.env(),
        )
        deployment = Deployment(engine=engine, project=project, fakes=fakes, up=up, standin_mark=standin)
        deployment.counts["up"] = _count(fakes, mark)
        engine_report["dev up, seconds"] = round(up.seconds, 3)
        engine_report["dev up, peak RSS MiB"] = round(up.peak_rss_kib / 1024, 1)
        try:
            yield deployment
        finally:
            if not deployment.destroyed:
                deployment.pulumi("destroy", "--yes", "--skip-preview", check=False)
            for step, count in deployment.counts.items():
                engine_report[f"dev {step}: API calls"] = count
        assert fakes.violations() == [], "a provider sent a request outside the APIs' contracts"


def test_up_creates_the_dev_stack(deployment: Deployment) -> None:
    railway, supabase = deployment.fakes.railway, deployment.fakes.supabase
    assert mandatory(policy_results(deployment.up.output)) == []

    (project,) = railway.projects.values()
    assert project["name"] == "converge-nps-development"
    assert sorted(s["name"] for s in railway.services.values()) == ["backend", "redis", "watchdog"]
    (domain,) = railway.service_domains.values()
    assert [v["mountPath"] for v in railway.volume_instances.values()] == ["/data"]
    assert railway.usage_limit is not None
    # The stack's budget in whole dollars, the soft limit at 80 % of it.
    hard = math.floor(settings_of(STACK).budget.monthly_usd)
    assert (railway.usage_limit["softLimit"], railway.usage_limit["hardLimit"]) == (math.floor(hard * 0.8), hard)
    assert sorted(t["name"] for t in railway.tokens.values()) == ["github-actions-development", "watchdog-development"]
    database = supabase.only_project()
    assert (database.name, database.organization_slug) == ("converge-nps-development", "converge-nps-free")
    assert database.status == "ACTIVE_HEALTHY" and database.ssl_enforced

    outputs = deployment.pulumi("stack", "output", "--json").json()
    assert isinstance(outputs, dict)
    assert outputs["apiUrl"] == f"https://{domain['domain']}"
    assert outputs["database"]["projectRef"] == database.ref
    assert outputs["railway"]["projectId"] == project["id"]
    assert outputs["backendImage"].startswith("ghcr.io/converge-nps/backend@sha256:")
    calls = deployment.engine.standin_calls()[deployment.standin_mark :]
    created = Counter(c["type"].split(":")[-1] for c in calls if c["op"] == "create")
    assert created["RepositoryEnvironment"] >= 1 and created["RandomBytes"] >= 2


def _revealed_secrets(value: Any) -> list[str]:
    """Every string inside a secret (nested secrets included) of a `--show-secrets` export."""
    found: list[str] = []

    def walk(item: Any, secret: bool) -> None:
        if isinstance(item, dict):
            if item.get(SECRET_SIG_KEY) == SECRET_SIG:
                plaintext = item.get("plaintext")
                walk(json.loads(plaintext) if isinstance(plaintext, str) else item.get("value"), True)
                return
            for inner in item.values():
                walk(inner, secret)
        elif isinstance(item, list):
            for inner in item:
                walk(inner, secret)
        elif isinstance(item, str) and secret:
            found.append(item)

    walk(value, False)
    return found


def _pickled_providers(state: Any) -> list[bytes]:
    """The dynamic providers serialized into the state (`__provider`: base64 of a dill pickle)."""
    blobs: list[bytes] = []
    for resource in state["deployment"].get("resources") or []:
        for section in ("inputs", "outputs"):
            serialized = (resource.get(section) or {}).get("__provider")
            if isinstance(serialized, str):
                blobs.append(base64.b64decode(serialized))
    return blobs


def test_state_holds_no_secret_in_plaintext(deployment: Deployment) -> None:
    railway, supabase = deployment.fakes.railway, deployment.fakes.supabase
    (backend,) = [key for key in railway.variables if railway.services[key[0]]["name"] == "backend"]
    received = railway.variables[backend]
    database = supabase.only_project()
    named: dict[str, str] = {
        **{f"backend variable {name}": received[name] for name in CREDENTIAL_VARIABLES},
        "database password": database.password,
        "Supabase anon key": database.anon_key,
        "Supabase service_role key": database.service_role_key,
        # What the fake handed out (fake_railway.py): the deploy job's token and the watchdog's.
        **{f"Railway project token {t['name']}": f"project-token-secret-{i}" for i, t in railway.tokens.items()},
        **{f"stand-in {key}": value for key, value in stand_in_secrets().items()},
    }
    revealed_export = deployment.pulumi("stack", "export", "--show-secrets")
    revealed = set(_revealed_secrets(revealed_export.json()))
    # The search below means something only if these are the values the state holds (encrypted).
    assert {label for label, value in named.items() if value not in revealed} == set()
    # What the program's outputs reveal with --show-secrets is covered too (both JWT secrets' forms, the URLs).
    outputs = deployment.pulumi("stack", "output", "--json", "--show-secrets").json()
    assert isinstance(outputs, dict)

    plain_export = deployment.pulumi("stack", "export", "--show-secrets=false")
    state = json.loads(plain_export.stdout)
    assert SECRET_SIG_KEY in plain_export.stdout and "ciphertext" in plain_export.stdout
    providers = _pickled_providers(state)
    assert providers, "no dynamic provider in the state?"
    # Every file of the file backend: this stack's state, its backups and update history, and the other stacks'.
    backend_files = [p.read_bytes() for p in (deployment.engine.backend_dir / ".pulumi").rglob("*") if p.is_file()]
    assert any(f"urn:pulumi:{STACK}::".encode() in data for data in backend_files)

    searched = {
        **named,
        **{f"secret value #{i}": value for i, value in enumerate(sorted(revealed)) if len(value) >= 12},
    }
    for label, value in searched.items():
        assert value not in plain_export.stdout, f"{label} is in the exported state in plaintext"
        assert all(value.encode() not in blob for blob in providers), f"{label} is pickled into a dynamic provider"
        assert all(value.encode() not in data for data in backend_files), f"{label} is in a backend file"
    # The fake APIs' account tokens reach the providers through the environment only: not even encrypted.
    for token in (fake_railway.TOKEN, fake_api.TOKEN):
        for text in (revealed_export.stdout, json.dumps(outputs)):
            assert token not in text
        assert all(token.encode() not in blob for blob in providers)


def _resource_count(deployment: Deployment) -> int:
    """Resources in the state, provider resources left out (as a change summary leaves them out)."""
    state = json.loads(deployment.pulumi("stack", "export").stdout)
    return sum(not r["type"].startswith("pulumi:providers:") for r in state["deployment"]["resources"])


def test_refresh_and_a_second_up_change_nothing(deployment: Deployment) -> None:
    fakes, engine = deployment.fakes, deployment.engine
    resources = _resource_count(deployment)

    mark, standin = fakes.mark(), len(engine.standin_calls())
    deployment.pulumi("refresh", "--yes", "--skip-preview")
    deployment.counts["refresh"] = _count(fakes, mark)
    assert fakes.mutations_since(mark) == []
    railway_reads, supabase_reads = fakes.calls_since(mark)
    assert railway_reads and supabase_reads, "a refresh reads every resource back"
    assert {c["op"] for c in engine.standin_calls()[standin:]} == {"read"}

    preview = deployment.pulumi("preview", "--json", "--expect-no-changes", *deployment.with_pack())
    assert summary(preview) == {"same": resources}

    mark, standin = fakes.mark(), len(engine.standin_calls())
    up = deployment.pulumi("up", "--yes", "--skip-preview", *deployment.with_pack())
    deployment.counts["second up"] = _count(fakes, mark)
    assert mandatory(policy_results(up.output)) == []
    assert fakes.calls_since(mark) == ([], []), "a no-change up sends nothing to Railway or Supabase"
    assert engine.standin_calls()[standin:] == []
    assert _resource_count(deployment) == resources


def test_destroy_leaves_nothing_behind(deployment: Deployment) -> None:
    fakes, engine = deployment.fakes, deployment.engine
    created = {c["urn"] for c in engine.standin_calls()[deployment.standin_mark :] if c["op"] == "create"}
    mark, standin = fakes.mark(), len(engine.standin_calls())
    deployment.pulumi("destroy", "--yes", "--skip-preview")
    deployment.destroyed = True
    deployment.counts["destroy"] = _count(fakes, mark)

    railway = fakes.railway
    assert railway.projects == {} and railway.environments == {} and railway.services == {}
    assert railway.instances == {} and railway.variables == {} and railway.limits == {}
    assert railway.volumes == {} and railway.volume_instances == {}
    assert railway.service_domains == {} and railway.custom_domains == {}
    assert railway.tokens == {} and railway.usage_limit is None
    assert {p.status for p in fakes.supabase.projects.values()} == {"REMOVED"}
    deleted = {c["urn"] for c in engine.standin_calls()[standin:] if c["op"] == "delete"}
    assert deleted == created, "every resource of the stand-in plugins is deleted"
    state = json.loads(deployment.pulumi("stack", "export").stdout)
    assert not state["deployment"].get("resources")
