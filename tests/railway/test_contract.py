"""Every GraphQL document the providers can send, and the variables they build, against Railway's SDL.

The fake server re-checks every request of every behaviour test the same way (and the suite fails on
any violation), so these tests pin the contract itself and show that the check bites: a wrong field
name, input field, enum value or a missing required input must fail.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import graphql
import pytest
from graphql.execution.values import get_variable_values

from providers.core.errors import ApiError
from providers.railway import documents as ops
from providers.railway.client import connect
from tests.railway.fake_railway import FakeRailway
from tests.railway.schema import KNOWN_SCHEMA_QUIRKS, SDL, railway_schema

PROVIDERS = Path(ops.__file__).parent


def errors(operation: ops.Operation | str, variables: dict[str, Any] | None = None) -> list[str]:
    """Validation errors of a document, and of `variables` coerced against its declarations."""
    schema = railway_schema()
    document = graphql.parse(operation.document if isinstance(operation, ops.Operation) else operation)
    found = [error.message for error in graphql.validate(schema, document)]
    if found or variables is None:
        return found
    definition = document.definitions[0]
    assert isinstance(definition, graphql.OperationDefinitionNode)
    coerced = get_variable_values(schema, definition.variable_definitions, variables)
    return [error.message for error in coerced] if isinstance(coerced, list) else []


def test_the_sdl_is_the_official_one_with_its_single_known_quirk() -> None:
    from graphql.type.validate import validate_schema

    assert SDL.name == "railway-public-api.graphql"
    fresh = graphql.build_schema(SDL.read_text())
    assert {error.message for error in validate_schema(fresh)} == KNOWN_SCHEMA_QUIRKS
    assert len(railway_schema().type_map) > 600


@pytest.mark.parametrize("operation", ops.ALL, ids=lambda op: op.name)
def test_every_document_validates_against_the_sdl(operation: ops.Operation) -> None:
    assert errors(operation) == []
    document = graphql.parse(operation.document)
    assert len(document.definitions) == 1, "one operation per document"
    definition = document.definitions[0]
    assert isinstance(definition, graphql.OperationDefinitionNode)
    assert definition.name is not None and definition.name.value == operation.name
    assert operation.mutation == (definition.operation == graphql.OperationType.MUTATION)


def test_every_document_is_used_by_a_provider_and_nothing_else_is_sent() -> None:
    # The providers send only documents from `documents` (no inline GraphQL), and every document
    # there is used, so "every document the client can send" is exactly `ops.ALL`.
    sources = "".join(path.read_text() for path in PROVIDERS.glob("*.py") if path.name != "documents.py")
    constants = {name for name, value in vars(ops).items() if isinstance(value, ops.Operation)}
    assert {name for name in constants if f"ops.{name}" not in sources} == set()
    assert not re.search(r"\b(query|mutation)\s+\w+\s*[({]", sources)


def test_operation_names_are_unique_and_prefixed() -> None:
    assert len(ops.BY_NAME) == len(ops.ALL) == 44
    assert all(name.startswith("Railway") for name in ops.BY_NAME)


@pytest.mark.parametrize("operation", ops.ALL, ids=lambda op: op.name)
def test_a_wrong_field_name_fails(operation: ops.Operation) -> None:
    # Misspell the root field (e.g. serviceCreate -> serviceCreat): the schema must reject it.
    document = graphql.parse(operation.document)
    definition = document.definitions[0]
    assert isinstance(definition, graphql.OperationDefinitionNode)
    root = definition.selection_set.selections[0]
    assert isinstance(root, graphql.FieldNode)
    broken = re.sub(rf"\b{root.name.value}\(", f"{root.name.value[:-1]}(", operation.document, count=1)
    if broken == operation.document:
        broken = operation.document.replace(f"{root.name.value}", f"{root.name.value[:-1]}", 1)
    assert any("Cannot query field" in message for message in errors(broken))


def test_a_wrong_nested_field_fails() -> None:
    assert any(
        "Cannot query field 'startCmd'" in m
        for m in errors(ops.SERVICE_INSTANCES.document.replace("startCommand", "startCmd"))
    )


VALID_VARIABLES: dict[str, dict[str, Any]] = {
    "RailwayServiceInstanceUpdate": {
        "serviceId": "svc",
        "environmentId": "env",
        "input": {
            "multiRegionConfig": {"us-west2": {"numReplicas": 2}, "europe-west4": None},
            "healthcheckPath": "/health",
            "healthcheckTimeout": 60,
            "restartPolicyType": "ON_FAILURE",
            "restartPolicyMaxRetries": 10,
            "startCommand": "sh -c 'exec redis-server'",
            "source": {"image": "redis:7.4.1-alpine"},
        },
    },
    "RailwayServiceLimitsUpdate": {"input": {"environmentId": "e", "serviceId": "s", "vCPUs": 2.0, "memoryGB": 1.0}},
    "RailwayUsageLimitSet": {"input": {"customerId": "c", "softLimitDollars": 228, "hardLimitDollars": 285}},
    "RailwayVariablesUpsert": {
        "input": {
            "projectId": "p",
            "environmentId": "e",
            "serviceId": "s",
            "variables": {"NODE_ENV": "production"},
            "replace": False,
            "skipDeploys": True,
        }
    },
}


@pytest.mark.parametrize("name", sorted(VALID_VARIABLES))
def test_the_variables_providers_build_coerce(name: str) -> None:
    assert errors(ops.BY_NAME[name], VALID_VARIABLES[name]) == []


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        (
            "RailwayServiceInstanceUpdate",
            {"replicas": 2},
            "'ServiceInstanceUpdateInput' not to include unknown field 'replicas'",
        ),
        (
            "RailwayServiceInstanceUpdate",
            {"restartPolicyType": "ON_FAIL"},
            "Value 'ON_FAIL' does not exist in 'RestartPolicyType' enum",
        ),
        ("RailwayServiceInstanceUpdate", {"numReplicas": 2.5}, "Int cannot represent non-integer value: 2.5"),
        (
            "RailwayServiceLimitsUpdate",
            {"vcpus": 2.0},
            "'ServiceInstanceLimitsUpdateInput' not to include unknown field 'vcpus'",
        ),
        ("RailwayUsageLimitSet", {"softLimitDollars": 228.5}, "Int cannot represent non-integer value: 228.5"),
    ],
)
def test_a_wrong_variable_fails(name: str, change: dict[str, Any], expected: str) -> None:
    variables = {**VALID_VARIABLES[name], "input": {**VALID_VARIABLES[name]["input"], **change}}
    assert any(expected in message for message in errors(ops.BY_NAME[name], variables))


def test_a_missing_required_input_fails() -> None:
    variables = {"input": {"environmentId": "e", "serviceId": "s", "name": "x"}}  # no projectId
    assert any("projectId" in message for message in errors(ops.VARIABLE_DELETE, variables))


def test_the_fake_server_rejects_what_the_schema_rejects(fake: FakeRailway) -> None:
    bad = ops.Operation(name="RailwayProject", document=ops.PROJECT.document.replace("workspaceId", "teamSlug"))
    with pytest.raises(ApiError, match="HTTP 400"):
        connect().execute(bad, {"id": "prj-1"})
    assert fake.violations and "Cannot query field 'teamSlug'" in fake.violations[0]
    fake.violations.clear()
