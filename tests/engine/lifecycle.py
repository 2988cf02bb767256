"""The pieces of a stack's lifecycle under the real engine, shared by the per-stack lifecycle tests: a deployment on
fresh fakes, the call counts of each step, the search for plaintext secrets in the state, the no-change cycle
(`refresh`, `preview --expect-no-changes`, a second `up`), and what must be left on the fakes after `destroy`.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
SUPABASE_PROJECT_TYPE = "pulumi-python:dynamic/supabase:Project"


@dataclass
class Deployment:
    stack: str
    engine: Engine
    project: Path
    fakes: Fakes
    up: Result
    standin_mark: int  # the stand-in plugins' call log before the first up
    destroyed: bool = False
    counts: dict[str, str] = field(default_factory=dict)

    def pulumi(self, *args: str, check: bool = True) -> Result:
        return self.engine.pulumi([*args, "--stack", self.stack], cwd=self.project, env=self.fakes.env(), check=check)

    def with_pack(self) -> list[str]:
        return policy_args(self.project, self.stack)

    def state(self) -> dict[str, Any]:
        document = json.loads(self.pulumi("stack", "export").stdout)
        assert isinstance(document, dict)
        return document

    def resources(self) -> list[dict[str, Any]]:
        return list(self.state()["deployment"].get("resources") or [])

    def protected(self) -> list[str]:
        return [r["urn"] for r in self.resources() if r.get("protect")]


def count(fakes: Fakes, mark: tuple[int, int]) -> str:
    railway, supabase = fakes.calls_since(mark)
    railway_writes = sum(r.mutation for r in railway)
    supabase_writes = sum(c.writes for c in supabase)
    return (
        f"Railway {len(railway)} calls ({railway_writes} mutations), "
        f"Supabase {len(supabase)} calls ({supabase_writes} writes)"
    )


@contextmanager
def deployed(fullstack: FullStack, stack: str, engine_report: dict[str, object]) -> Iterator[Deployment]:
    """`pulumi up` of `stack` with its policy pack on fresh fakes; torn down (protection lifted first, as for a
    scratch stack) if the test did not destroy it, and the fakes' contract checked at the end."""
    engine, project = fullstack.engine, fullstack.project
    with running_fakes() as fakes:
        mark, standin = fakes.mark(), len(engine.standin_calls())
        up = engine.pulumi(
            ["up", "--stack", stack, "--yes", "--skip-preview", *policy_args(project, stack)],
            cwd=project,
            env=fakes.env(),
        )
        deployment = Deployment(stack=stack, engine=engine, project=project, fakes=fakes, up=up, standin_mark=standin)
        deployment.counts["up"] = count(fakes, mark)
        engine_report[f"{stack} up, seconds"] = round(up.seconds, 3)
        engine_report[f"{stack} up, peak RSS MiB"] = round(up.peak_rss_kib / 1024, 1)
        try:
            yield deployment
        finally:
            if not deployment.destroyed:
                deployment.pulumi("state", "unprotect", "--all", "--yes", check=False)
                deployment.pulumi("destroy", "--yes", "--skip-preview", check=False)
            for step, figure in deployment.counts.items():
                engine_report[f"{stack} {step}: API calls"] = figure
        assert fakes.violations() == [], "a provider sent a request outside the APIs' contracts"


def check_up_passes_the_pack(deployment: Deployment) -> None:
    assert mandatory(policy_results(deployment.up.output)) == []
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


def check_no_plaintext_secret(deployment: Deployment) -> None:
    """Every secret the state holds (the ones that matter named first, so the search means something) is absent in
    plaintext from the export, the pickled providers and every file of the backend; the fakes' account tokens are
    not in the state at all."""
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
    assert {label for label, value in named.items() if value not in revealed} == set()
    outputs = deployment.pulumi("stack", "output", "--json", "--show-secrets").json()
    assert isinstance(outputs, dict)

    plain_export = deployment.pulumi("stack", "export", "--show-secrets=false")
    state = json.loads(plain_export.stdout)
    assert SECRET_SIG_KEY in plain_export.stdout and "ciphertext" in plain_export.stdout
    providers = _pickled_providers(state)
    assert providers, "no dynamic provider in the state?"
    # Every file of the file backend: this stack's state, its backups and update history, and the other stacks'.
    backend_files = [p.read_bytes() for p in (deployment.engine.backend_dir / ".pulumi").rglob("*") if p.is_file()]
    assert any(f"urn:pulumi:{deployment.stack}::".encode() in data for data in backend_files)

    searched = {
        **named,
        **{f"secret value #{i}": value for i, value in enumerate(sorted(revealed)) if len(value) >= 12},
    }
    for label, value in searched.items():
        assert value not in plain_export.stdout, f"{label} is in the exported state in plaintext"
        assert all(value.encode() not in blob for blob in providers), f"{label} is pickled into a dynamic provider"
        assert all(value.encode() not in data for data in backend_files), f"{label} is in a backend file"
    for token in (fake_railway.TOKEN, fake_api.TOKEN):
        for text in (revealed_export.stdout, json.dumps(outputs)):
            assert token not in text
        assert all(token.encode() not in blob for blob in providers)


def _resource_count(deployment: Deployment) -> int:
    """Resources in the state, provider resources left out (as a change summary leaves them out)."""
    return sum(not r["type"].startswith("pulumi:providers:") for r in deployment.resources())


def _dynamic_resources(deployment: Deployment, api: str) -> int:
    """How many resources of one API's dynamic providers (`railway`, `supabase`) the state holds."""
    return sum(r["type"].startswith(f"pulumi-python:dynamic/{api}:") for r in deployment.resources())


def check_no_change_cycle(deployment: Deployment) -> None:
    """`refresh` reads (each object once) and writes nothing; `preview --expect-no-changes` passes; a second `up`
    sends nothing to either API nor to the stand-in plugins."""
    fakes, engine = deployment.fakes, deployment.engine
    resources = _resource_count(deployment)

    railway_resources, supabase_resources = (
        _dynamic_resources(deployment, "railway"),
        _dynamic_resources(deployment, "supabase"),
    )

    mark, standin = fakes.mark(), len(engine.standin_calls())
    deployment.pulumi("refresh", "--yes", "--skip-preview")
    deployment.counts["refresh"] = (
        f"{count(fakes, mark)}, for {railway_resources} Railway and {supabase_resources} Supabase resources"
    )
    assert fakes.mutations_since(mark) == []
    railway_reads, supabase_reads = fakes.calls_since(mark)
    assert railway_reads and supabase_reads, "a refresh reads every resource back"
    # One request per resource; the Supabase project's read also checks its organization's plan (project.py).
    assert len(railway_reads) <= railway_resources
    assert len(supabase_reads) <= supabase_resources + 1
    assert {c["op"] for c in engine.standin_calls()[standin:]} == {"read"}

    preview = deployment.pulumi("preview", "--json", "--expect-no-changes", *deployment.with_pack())
    assert summary(preview) == {"same": resources}

    mark, standin = fakes.mark(), len(engine.standin_calls())
    up = deployment.pulumi("up", "--yes", "--skip-preview", *deployment.with_pack())
    deployment.counts["second up"] = count(fakes, mark)
    assert mandatory(policy_results(up.output)) == []
    assert fakes.calls_since(mark) == ([], []), "a no-change up sends nothing to Railway or Supabase"
    assert engine.standin_calls()[standin:] == []
    assert _resource_count(deployment) == resources


def destroy_and_check_nothing_left(deployment: Deployment, *, standin_since: int | None = None) -> None:
    """`destroy` deletes every object of the stack on both fakes and every resource of the stand-in plugins (those
    an earlier, failed destroy deleted counted from `standin_since` on)."""
    fakes, engine = deployment.fakes, deployment.engine
    created = {c["urn"] for c in engine.standin_calls()[deployment.standin_mark :] if c["op"] == "create"}
    mark, standin = fakes.mark(), len(engine.standin_calls()) if standin_since is None else standin_since
    deployment.pulumi("destroy", "--yes", "--skip-preview")
    deployment.destroyed = True
    deployment.counts["destroy"] = count(fakes, mark)
    check_fakes_empty(fakes)
    deleted = {c["urn"] for c in engine.standin_calls()[standin:] if c["op"] == "delete"}
    assert deleted == created, "every resource of the stand-in plugins is deleted"
    assert deployment.resources() == []


def check_fakes_empty(fakes: Fakes) -> None:
    railway = fakes.railway
    assert railway.projects == {} and railway.environments == {} and railway.services == {}
    assert railway.instances == {} and railway.variables == {} and railway.limits == {}
    assert railway.volumes == {} and railway.volume_instances == {}
    assert railway.service_domains == {} and railway.custom_domains == {}
    assert railway.tokens == {} and railway.usage_limit is None
    assert {p.status for p in fakes.supabase.projects.values()} == {"REMOVED"}
