"""The real Pulumi CLI around the steps: what `pulumi preview --refresh --expect-no-changes --json` prints and
exits with when live resources drift (read by the drift step), and the saved-plan flow of production
(`preview --save-plan` shown and recorded, `up --plan` applied), on a scratch project whose dynamic resources
keep their "live" state in a JSON file a test can change out of band."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ops.deploy import cli
from tests.deploy.fake_github import REPOSITORY, TOKEN, FakeGitHub
from tests.deploy.servers import serve
from tests.engine.harness import VENV, Engine, Result

pytestmark = pytest.mark.engine

STACK = "prod"
PROGRAM = """\
import json
import os

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult


def live():
    path = os.environ["DEPLOY_TEST_LIVE"]
    return json.loads(open(path).read()) if os.path.exists(path) else {}


def set_live(name, replicas):
    state = live()
    state[name] = replicas
    open(os.environ["DEPLOY_TEST_LIVE"], "w").write(json.dumps(state))


class ServiceProvider(ResourceProvider):
    def create(self, props):
        set_live(props["name"], props["replicas"])
        return CreateResult(id_=props["name"], outs=dict(props))

    def read(self, id_, props):
        return ReadResult(id_=id_, outs={**props, "replicas": live().get(id_, props["replicas"])})

    def diff(self, _id, olds, news):
        return DiffResult(changes=olds["replicas"] != news["replicas"])

    def update(self, _id, _olds, news):
        set_live(news["name"], news["replicas"])
        return UpdateResult(outs=dict(news))

    def delete(self, _id, _props):
        pass


class Service(Resource):
    def __init__(self, name, replicas):
        super().__init__(ServiceProvider(), name, {"name": name, "replicas": replicas})


config = pulumi.Config()
Service("backend", config.require_int("backendReplicas"))
Service("redis", config.require_int("redisReplicas"))
"""


@dataclass
class Project:
    engine: Engine
    directory: Path
    live: Path

    def pulumi(self, *args: str, check: bool = True) -> Result:
        env = {"DEPLOY_TEST_LIVE": str(self.live)}
        return self.engine.pulumi([*args, "--stack", STACK], cwd=self.directory, env=env, check=check)

    def configure(self, backend: int, redis: int) -> None:
        self.pulumi("config", "set", "backendReplicas", str(backend))
        self.pulumi("config", "set", "redisReplicas", str(redis))

    def move_live(self, name: str, replicas: int) -> None:
        state = json.loads(self.live.read_text())
        state[name] = replicas
        self.live.write_text(json.dumps(state))

    def save(self, name: str, result: Result) -> Path:
        path = self.directory / name
        path.write_text(result.stdout)
        return path


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    work = tmp_path_factory.mktemp("deploy-engine")
    engine = Engine.create(work)
    directory = work / "project"
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(
        textwrap.dedent(f"""\
            name: deploy-steps-flow
            runtime:
              name: python
              options:
                toolchain: pip
                virtualenv: {VENV}
            """)
    )
    (directory / "__main__.py").write_text(PROGRAM)
    engine.init_stack(directory, STACK)
    flow = Project(engine, directory, work / "live.json")
    flow.configure(2, 1)
    flow.pulumi("up", "--yes", "--skip-preview")
    return flow


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    with serve(fake.server):
        monkeypatch.setenv("GITHUB_API_URL", fake.server.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("GITHUB_REPOSITORY", REPOSITORY)
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
        monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
        yield fake


def drift_check(project: Project) -> int:
    preview = project.pulumi("preview", "--refresh", "--expect-no-changes", "--json", check=False)
    path = project.save("drift.json", preview)
    return cli.main(["drift", "--stack", STACK, "--preview", str(path), "--pulumi-exit", str(preview.returncode)])


def test_drift_of_a_live_resource_is_reported_from_the_real_preview(project: Project, github: FakeGitHub) -> None:
    assert drift_check(project) == 0
    assert github.issues == {}
    project.move_live("backend", 5)  # someone scaled the service by hand
    assert drift_check(project) == 3
    [issue] = github.issues.values()
    # Like the project's providers, this one reports that a resource changes, not which properties.
    assert "| update | `pulumi-python:dynamic:Resource` | `backend` | - |" in issue["body"]
    project.pulumi("up", "--yes", "--skip-preview", "--refresh")  # the deploy puts it back
    assert drift_check(project) == 0
    assert issue["state"] == "closed"


@dataclass(frozen=True)
class SavedPlan:
    plan: Path
    record: Path


def plan(project: Project, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> SavedPlan:
    """The plan job: save the plan, record it, show it in the job summary."""
    monkeypatch.setenv("GITHUB_SHA", "c" * 40)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp / "summary.md"))
    saved = SavedPlan(project.directory / "plan.json", tmp / "record.json")
    preview = project.pulumi("preview", "--refresh", "--save-plan", str(saved.plan), "--json")
    state = project.save("state.json", project.pulumi("stack", "export"))
    args = ["--stack", STACK, "--plan", str(saved.plan), "--state", str(state), "--out", str(saved.record)]
    assert cli.main(["plan-record", *args, "--preview", str(project.save("plan-preview.json", preview))]) == 0
    return saved


def apply(project: Project, saved: SavedPlan) -> tuple[int, Result | None]:
    """The apply job, after the approval: check the record, then apply exactly the plan."""
    state = project.save("state.json", project.pulumi("stack", "export"))
    args = ["--stack", STACK, "--plan", str(saved.plan), "--state", str(state), "--record", str(saved.record)]
    verified = cli.main(["plan-verify", *args])
    if verified != 0:
        return verified, None
    return 0, project.pulumi("up", "--yes", "--refresh", "--plan", str(saved.plan), check=False)


def test_the_approved_plan_is_applied(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project.configure(3, 1)
    saved = plan(project, tmp_path, monkeypatch)
    summary = (tmp_path / "summary.md").read_text()
    assert "1 change" in summary and "| update | `pulumi-python:dynamic:Resource` | `backend` |" in summary
    verified, up = apply(project, saved)
    assert verified == 0 and up is not None and up.returncode == 0, up and up.output
    assert json.loads(project.live.read_text()) == {"backend": 3, "redis": 1}


def test_a_live_change_after_the_plan_fails_the_apply(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.configure(4, 1)
    saved = plan(project, tmp_path, monkeypatch)  # backend: update; redis: same
    project.move_live("redis", 9)  # reality moved after the reviewer saw the plan
    before = project.live.read_text()
    verified, up = apply(project, saved)
    assert verified == 0 and up is not None  # the state did not move; the engine sees reality
    assert up.returncode != 0 and "update is not allowed by the plan" in up.output
    assert project.live.read_text() == before, "nothing may be applied"
    project.move_live("redis", 1)


def test_an_update_after_the_plan_fails_before_the_apply(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.configure(5, 1)
    saved = plan(project, tmp_path, monkeypatch)
    project.move_live("redis", 2)
    project.pulumi("refresh", "--yes", "--skip-preview")  # someone refreshed (or deployed) in between
    verified, up = apply(project, saved)
    assert verified == 5 and up is None
