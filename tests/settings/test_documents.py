"""Documents generated from the settings model: in sync, and valid against the official schemas."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
import yaml

from offline.program import ROOT
from settings.documents import SCHEMA_PATH, project_config
from settings.stacks import STACKS
from tests.specs import spec_path


def project_schema() -> dict[str, object]:
    return json.loads(spec_path("pulumi-project.schema.json").read_text())


def test_generated_documents_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "settings", "--check"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_pulumi_yaml_validates_against_the_official_schema() -> None:
    jsonschema.validate(yaml.safe_load((ROOT / "Pulumi.yaml").read_text()), project_schema())


def test_pulumi_yaml_declares_every_required_key_without_a_default() -> None:
    block = project_config()
    assert block["converge-nps:backend"] == {"type": "object", "description": "The Node.js/Express API service."}
    assert block["converge-nps:sendgridApiKey"]["secret"] is True
    assert block["converge-nps:eventMode"]["default"] is False
    assert block["converge-nps:alerts"]["default"]["cpuPercent"] == 80


def test_a_bad_project_file_fails_the_official_schema() -> None:
    document = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    document["config"]["converge-nps:eventMode"]["type"] = "bool"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, project_schema())


@pytest.mark.parametrize("stack", STACKS)
def test_stack_files_validate_against_the_generated_schema(stack: str) -> None:
    schema = json.loads((ROOT / SCHEMA_PATH).read_text())
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text()))


def test_schema_catches_what_an_editor_should_flag() -> None:
    schema = json.loads((ROOT / SCHEMA_PATH).read_text())
    document = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    document["config"]["converge-nps:backend"]["maxReplicas"] = 9
    document["config"]["converge-nps:sendgridApiKey"] = "SG.plaintext-committed-by-mistake"
    document["config"]["converge-nps:redis"]["memoryMB"] = 512
    messages = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(document)]
    assert any("9 is greater than the maximum of 5" in m for m in messages)
    assert any("is not of type 'object'" in m for m in messages)
    assert any("memoryMB" in m for m in messages)


def test_schema_holds_no_secret_value() -> None:
    text = (ROOT / SCHEMA_PATH).read_text()
    from tests.doubles import STAND_IN_SECRETS

    assert not any(value in text for value in STAND_IN_SECRETS.values())
