"""Rollback against the fake Railway, which executes Railway's official SDL; the documents themselves are
validated against that SDL here too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import graphql
import pytest
from graphql.execution.values import get_variable_values

from ops.deploy import cli
from ops.deploy.migrate import NOT_ROLLED_BACK
from ops.deploy.railway import DEPLOYMENTS, OPERATIONS, ROLLBACK
from tests.deploy.servers import Reply, Server, serve
from tests.deploy.stack import write_outputs
from tests.railway.fake_railway import PROJECT_TOKEN, FakeRailway
from tests.railway.fake_railway import serve as serve_railway
from tests.railway.schema import railway_schema


def validation_errors(document: str, variables: dict[str, object]) -> list[str]:
    schema = railway_schema()
    parsed = graphql.parse(document)
    found = [error.message for error in graphql.validate(schema, parsed)]
    definition = parsed.definitions[0]
    assert isinstance(definition, graphql.OperationDefinitionNode)
    coerced = get_variable_values(schema, definition.variable_definitions, variables)
    return found + ([error.message for error in coerced] if isinstance(coerced, list) else [])


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_documents_validate_against_the_sdl(operation: cli.railway.Operation) -> None:
    variables: dict[str, object] = (
        {
            "input": {"projectId": "p", "environmentId": "e", "serviceId": "s", "status": {"in": ["SUCCESS"]}},
            "first": 20,
        }
        if operation is DEPLOYMENTS
        else {"id": "dep-1"}
    )
    assert validation_errors(operation.document, variables) == []
    definition = graphql.parse(operation.document).definitions[0]
    assert isinstance(definition, graphql.OperationDefinitionNode) and definition.name is not None
    assert definition.name.value == operation.name


def test_the_sdl_check_bites() -> None:
    assert validation_errors(ROLLBACK.document.replace("deploymentRollback", "deploymentRollbak"), {"id": "x"})
    assert validation_errors(DEPLOYMENTS.document, {"input": {"status": {"in": ["GREEN"]}}})
    assert validation_errors(DEPLOYMENTS.document.replace("createdAt", "created"), {"input": {}})


class Stack:
    def __init__(self, fake: FakeRailway, outputs: Path) -> None:
        self.fake = fake
        self.outputs = outputs
        project = fake._project_create({"name": "converge-nps-production"})
        self.environment_id = next(iter(fake.environments))
        self.service_id = fake._service_create({"projectId": project["id"], "name": "backend"})["id"]
        write_outputs(outputs, project_id=project["id"], environment_id=self.environment_id, service_id=self.service_id)

    def deploy(self, status: str = "SUCCESS") -> str:
        return self.fake.add_deployment(self.service_id, self.environment_id, status)

    def rollbacks(self) -> list[str]:
        return [r.variables["id"] for r in self.fake.calls() if r.operation == ROLLBACK.name]


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Stack]:
    railway_schema()
    fake = FakeRailway()
    with serve_railway(fake) as url:
        monkeypatch.setenv("RAILWAY_API_URL", url)
        monkeypatch.setenv("RAILWAY_TOKEN", PROJECT_TOKEN)
        monkeypatch.delenv("RAILWAY_TOKEN_KIND", raising=False)
        yield Stack(fake, tmp_path / "outputs.json")
    assert fake.violations == [], fake.violations
    # The deploy environment's project token, in Railway's header for project tokens.
    assert set(fake.auth_kinds) <= {"project"}


def rollback(stack: Stack, *extra: str) -> int:
    return cli.main(["rollback", "--outputs", str(stack.outputs), "--wait-seconds", "5", *extra])


def test_a_smoke_test_hitting_a_500_triggers_one_rollback_to_the_previous_success(
    stack: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    previous = stack.deploy()
    stack.deploy("FAILED")  # an earlier attempt that never went live
    broken = stack.deploy()  # this run's deployment
    api = Server()
    api.route("GET", "/health", lambda _r: Reply(500, {"error": "boom"}))
    with serve(api):
        outputs = write_outputs(
            tmp_path / "api.json",
            api_url=api.url,
            project_id=stack.fake.services[stack.service_id]["projectId"],
            environment_id=stack.environment_id,
            service_id=stack.service_id,
        )
        smoke = ["smoke", "--outputs", str(outputs), "--attempts", "2", "--interval", "0"]
        # What the workflow does: the rollback step runs because the smoke step failed.
        if cli.main(smoke) != 0:
            assert rollback(stack) == 0
    assert stack.rollbacks() == [previous]
    live = stack.fake.deployments[capsys.readouterr().out.strip().splitlines()[-1]]
    assert live["status"] == "SUCCESS" and live["id"] not in (previous, broken)
    assert live["image"] == stack.fake.deployments[previous]["image"]


def test_rollback_to_the_deployment_live_before_the_run(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    before = stack.deploy()
    assert cli.main(["live-deployment", "--outputs", str(stack.outputs)]) == 0
    assert capsys.readouterr().out.strip() == before
    stack.deploy()
    stack.deploy()  # two deployments in this run (an image and a variables change, say)
    assert rollback(stack, "--to", before) == 0
    assert stack.rollbacks() == [before]
    err = capsys.readouterr().err
    assert NOT_ROLLED_BACK.split(":")[0] in err


def test_nothing_is_rolled_back_when_the_run_deployed_nothing(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    before = stack.deploy()
    stack.deploy("FAILED")  # the new deployment never went live: Railway kept the old one
    assert rollback(stack, "--to", before) == 0
    assert stack.rollbacks() == []
    assert "nothing to roll back" in capsys.readouterr().err


def test_a_rollback_that_crashes_fails_loudly(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    stack.deploy()
    stack.deploy()
    stack.fake.rollback_status = "CRASHED"
    assert rollback(stack) == 1
    err = capsys.readouterr().err
    assert "ended CRASHED: the service is NOT running" in err
    assert "Traceback" not in err
    assert len(stack.rollbacks()) == 1


def test_a_refused_rollback_fails_loudly(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    stack.deploy()
    stack.deploy()
    stack.fake.fail("graphql-error", ROLLBACK.name, message="Deployment cannot be rolled back")
    assert rollback(stack) == 1
    assert "Railway refused the rollback" in capsys.readouterr().err


def test_a_lost_rollback_answer_is_not_retried(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    stack.deploy()
    stack.deploy()
    stack.fake.fail("502", ROLLBACK.name)
    assert rollback(stack) == 1
    assert "may or may not have started" in capsys.readouterr().err
    assert len(stack.rollbacks()) == 1


def test_no_earlier_success_fails_loudly(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    stack.deploy("FAILED")
    stack.deploy()
    assert rollback(stack) == 1
    assert "no earlier successful deployment" in capsys.readouterr().err
    assert stack.rollbacks() == []


def test_a_rollback_that_never_goes_live_times_out(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    stack.deploy()
    stack.deploy()
    stack.fake.rollback_status = "DEPLOYING"
    deployments = cli.railway.Railway(
        cli.railway.connect(), cli.StackOutputs.load(stack.outputs), sleep=lambda _s: None
    )
    with pytest.raises(cli.railway.RollbackFailedError, match="was not live within 0s"):
        deployments.rollback(None, wait_seconds=0)


def test_a_wrong_token_is_one_line(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAILWAY_TOKEN", "not-the-token")
    assert rollback(stack) == 1
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and "Not Authorized" in errors[0] and "not-the-token" not in err
