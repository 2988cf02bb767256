"""A `pulumi up` interrupted while Supabase is still provisioning the database, as a cancelled or timed-out CI job
interrupts it, then the documented recovery: `pulumi cancel` (the killed CLI's lock on the stack),
`pulumi refresh --clear-pending-creates`, then `pulumi up` again.

The fake Supabase holds the new project in COMING_UP, so the project's create is in flight (polling) when the CLI is
interrupted: by SIGINT to the CLI (a cancelled job, Ctrl-C: the engine stops starting new steps and waits for the
ones in flight) or by SIGKILL to its whole process tree (a job killed after its grace period, a runner that died: the
state keeps the create as a pending operation). Meanwhile Supabase finishes provisioning. After the recovery the
stack must have converged: every Railway and Supabase object the fakes hold is one the state holds, none twice; a
preview expects no changes; `destroy` leaves nothing.

The dev stack, in a scratch project and a file backend of each test's own.
"""

from __future__ import annotations

import json
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.cost.test_model import settings_of
from tests.engine.fullstack import Fakes, init_stack, policy_args, running_fakes, scratch_project, summary
from tests.engine.harness import Engine, Result, wait_until
from tests.engine.lifecycle import SUPABASE_PROJECT_TYPE, check_fakes_empty, count

pytestmark = pytest.mark.engine

STACK = "dev"
TOKEN_TYPE = "pulumi-python:dynamic/railway:ProjectToken"
# Long enough for a slow machine to reach the project's create, short enough to fail fast when it never comes.
REACH_CREATE_SECONDS = 120
# A graceful cancel ends once the steps in flight end; a killed tree at once.
CANCEL_SECONDS = 60


@pytest.fixture
def isolated(tmp_path: Path) -> tuple[Engine, Path]:
    """An engine with a Pulumi home and file backend of its own and a scratch project: the session's backend holds
    a `dev` stack of the same project name, which an interrupted run must not touch (nor leave locked)."""
    engine = Engine.create(tmp_path / "engine")
    project = scratch_project(tmp_path / "project")
    init_stack(engine, project, STACK)
    return engine, project


def _pulumi(engine: Engine, project: Path, fakes: Fakes, *args: str, check: bool = True) -> Result:
    return engine.pulumi([*args, "--stack", STACK], cwd=project, env=fakes.env(), check=check)


def _state(engine: Engine, project: Path, fakes: Fakes) -> dict[str, Any]:
    document = _pulumi(engine, project, fakes, "stack", "export").json()
    assert isinstance(document, dict)
    deployment = document["deployment"]
    assert isinstance(deployment, dict)
    return deployment


def _pending_creates(state: dict[str, Any]) -> list[str]:
    return [op["resource"]["type"] for op in state.get("pending_operations") or [] if op["type"] == "creating"]


def _outside_the_state(fakes: Fakes, state: dict[str, Any]) -> list[str]:
    """Every object on the fakes the state does not hold, or holds once for several objects: what an interrupted
    run left behind or made twice."""
    resources = state.get("resources") or []
    ids = Counter(r.get("id") for r in resources)
    railway = fakes.railway
    found = [
        f"railway {table} {key}"
        for table, objects in (
            ("project", railway.projects),
            ("environment", railway.environments),
            ("service", railway.services),
            ("volume", railway.volumes),
            ("service domain", railway.service_domains),
            ("custom domain", railway.custom_domains),
        )
        for key in objects
        if ids[key] != 1
    ]
    # A project token's id is not Railway's (its value cannot be read back): tokens are matched by name.
    declared = Counter(r["inputs"]["name"] for r in resources if r["type"] == TOKEN_TYPE)
    made = Counter(t["name"] for t in railway.tokens.values())
    found += [f"railway token {name} x{n}" for name, n in (made - declared).items()]
    live = [p.ref for p in fakes.supabase.projects.values() if p.status != "REMOVED"]
    found += [f"supabase project {ref}" for ref in live if ids[ref] != 1]
    return found


def _repair_torn_checkpoint(backend: Path) -> list[str]:
    """The file backend's repair after a kill during a state write (README): the storage library writes a blob's
    `.attrs` sidecar (truncating it first) before it renames the complete temporary file into place, so a kill in
    between leaves an empty `<stack>.json.attrs` and every command fails with "failed to load checkpoint: EOF".
    The `<stack>.json.<hex>.tmp` beside it is the newest checkpoint, whole: put it in place, drop the empty sidecar.
    Returns the blobs repaired."""
    repaired = []
    for sidecar in sorted((backend / ".pulumi" / "stacks").rglob("*.json.attrs")):
        if sidecar.stat().st_size:
            continue
        blob = sidecar.with_suffix("")
        newest = max(blob.parent.glob(f"{blob.name}.*.tmp"), key=lambda p: p.stat().st_mtime, default=None)
        if newest is not None:
            json.loads(newest.read_text())  # closed before the sidecar was written: whole
            newest.replace(blob)
        sidecar.unlink()
        repaired.append(blob.name)
    return repaired


@pytest.mark.parametrize(
    ("sig", "tree"),
    [pytest.param(signal.SIGINT, False, id="SIGINT-to-the-CLI"), pytest.param(signal.SIGKILL, True, id="SIGKILL")],
)
def test_an_interrupted_up_converges_after_the_documented_recovery(
    isolated: tuple[Engine, Path], engine_report: dict[str, object], sig: signal.Signals, tree: bool
) -> None:
    engine, project = isolated
    name = sig.name
    with running_fakes() as fakes:
        supabase = fakes.supabase
        supabase.polls_until_healthy = 10**6  # provisioning that outlasts the job
        running = engine.start(
            ["up", "--stack", STACK, "--yes", "--skip-preview", *policy_args(project, STACK)],
            cwd=project,
            env=fakes.env(),
        )
        try:

            def provisioning() -> bool:
                with supabase.lock:
                    return any(p.status == "COMING_UP" for p in supabase.projects.values())

            wait_until(
                provisioning,
                timeout=REACH_CREATE_SECONDS,
                what="the Supabase project's create",
            )
            running.interrupt(sig, tree=tree)
            # Supabase goes on provisioning whatever happened to the job.
            with supabase.lock:
                for database in supabase.projects.values():
                    database.polls_until_healthy = 0
            interrupted = running.wait(CANCEL_SECONDS)
            # What the CLI left running once it ended (a graceful cancel stops its plugins; a killed tree is gone).
            engine_report[f"interrupted up ({name}): processes left"] = len(running.tree())
        finally:
            running.kill_tree()
        assert interrupted.returncode != 0, interrupted.output
        engine_report[f"interrupted up ({name}): torn state file repaired"] = _repair_torn_checkpoint(
            engine.backend_dir
        )

        state = _state(engine, project, fakes)
        if sig is signal.SIGKILL:
            # The create in flight is all the state knows of the project: a pending operation, no resource.
            assert SUPABASE_PROJECT_TYPE in _pending_creates(state)
            assert SUPABASE_PROJECT_TYPE not in {r["type"] for r in state.get("resources") or []}
            engine_report[f"interrupted up ({name}): pending creates"] = sorted(
                t.rsplit("/", 1)[-1] for t in _pending_creates(state)
            )
            # The killed CLI could not remove its lock on the stack from the backend: every command refuses.
            locked = _pulumi(engine, project, fakes, "refresh", "--yes", "--skip-preview", check=False)
            assert locked.returncode != 0 and "the stack is currently locked" in locked.output
            # Unlocked, a refresh without the flag reads everything back but keeps the pending creates: the
            # non-interactive CLI never decides for itself whether a create it lost track of happened.
            _pulumi(engine, project, fakes, "cancel", "--yes")
            _pulumi(engine, project, fakes, "refresh", "--yes", "--skip-preview")
            assert SUPABASE_PROJECT_TYPE in _pending_creates(_state(engine, project, fakes))
        else:
            # Cancelled, the engine let the create in flight finish and record the project.
            assert _pending_creates(state) == []
            assert SUPABASE_PROJECT_TYPE in {r["type"] for r in state.get("resources") or []}

        # The recovery (README, "Recovering an interrupted `up`"), the same whichever way the run ended.
        mark = fakes.mark()
        _pulumi(engine, project, fakes, "cancel", "--yes")
        _pulumi(engine, project, fakes, "refresh", "--clear-pending-creates", "--yes", "--skip-preview")
        assert fakes.mutations_since(mark) == [], "a refresh changes nothing"
        assert _pending_creates(_state(engine, project, fakes)) == []
        mark = fakes.mark()
        _pulumi(engine, project, fakes, "up", "--yes", "--skip-preview", *policy_args(project, STACK))
        engine_report[f"interrupted up ({name}): recovering up, API calls"] = count(fakes, mark)

        state = _state(engine, project, fakes)
        assert state.get("pending_operations") in (None, [])
        assert _outside_the_state(fakes, state) == []
        services = ["backend", "redis", *(["watchdog"] if settings_of(STACK).watchdog.enabled else [])]
        assert sorted(s["name"] for s in fakes.railway.services.values()) == services
        # The request logs, not only what is left: each project was created once in all (then adopted).
        railway_creates = Counter(r.operation for r in fakes.railway.calls() if r.operation.endswith("Create"))
        assert (railway_creates["RailwayProjectCreate"], railway_creates["RailwayServiceCreate"]) == (1, len(services))
        assert [c.path for c in supabase.calls if c.method == "POST" and c.path == "/v1/projects"] == ["/v1/projects"]
        assert [p.status for p in supabase.projects.values()] == ["ACTIVE_HEALTHY"]
        resources = sum(not r["type"].startswith("pulumi:providers:") for r in state["resources"])
        preview = _pulumi(engine, project, fakes, "preview", "--json", "--expect-no-changes")
        assert summary(preview) == {"same": resources}
        stack_outputs = _pulumi(engine, project, fakes, "stack", "output", "--json").json()
        assert isinstance(stack_outputs, dict)
        assert stack_outputs["database"]["projectRef"] == supabase.only_project().ref

        _pulumi(engine, project, fakes, "destroy", "--yes", "--skip-preview")
        check_fakes_empty(fakes)
        assert not _state(engine, project, fakes).get("resources")
        assert fakes.violations() == [], json.dumps(fakes.violations())
