"""The official Sentry API spec (dereferenced OpenAPI 3.0.1, never edited), request and response
validation with openapi-core, and the smallest answer each response schema allows (which the fake API
fills in with what it knows)."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from werkzeug.datastructures import ImmutableMultiDict

from tests.specs import SPECS_DIR

SPEC_PATH = SPECS_DIR / "sentry-api.openapi.json"
# The spec's server: the organization's data-storage region (`us` or `de`).
HOST = "https://us.sentry.io"


@functools.cache
def raw_spec() -> dict[str, Any]:
    with SPEC_PATH.open() as handle:
        spec: dict[str, Any] = json.load(handle)
    return spec


@functools.cache
def openapi() -> OpenAPI:
    """The spec as published; OpenAPI.from_dict validates the spec itself first."""
    return OpenAPI.from_dict(raw_spec())


def mock_request(
    method: str,
    path: str,
    query: Mapping[str, str] | None = None,
    body: Any = None,
    authorization: str = "Bearer stand-in",
) -> MockRequest:
    data = json.dumps(body) if body is not None else None
    return MockRequest(
        HOST,
        method.lower(),
        path,
        args=ImmutableMultiDict(list((query or {}).items())),
        headers={"Authorization": authorization},
        data=data,
        content_type="application/json" if data is not None else None,
    )


def validate_request(
    method: str,
    path: str,
    query: Mapping[str, str] | None = None,
    body: Any = None,
    authorization: str = "Bearer stand-in",
) -> None:
    """Raise an openapi-core error if the request does not match the spec (path, method, query, body, the
    bearer token it requires)."""
    openapi().validate_request(mock_request(method, path, query, body, authorization))


def validate_response(
    method: str, path: str, status: int, body: Any, query: Mapping[str, str] | None = None, request_body: Any = None
) -> None:
    """Raise if a response does not match the spec's schema for that operation and status."""
    response = MockResponse(
        json.dumps(body).encode() if body is not None else b"",
        status_code=status,
        content_type="application/json",
    )
    openapi().validate_response(mock_request(method, path, query, request_body), response)


def response_schema(method: str, path_template: str, status: int) -> dict[str, Any]:
    operation = raw_spec()["paths"][path_template][method.lower()]
    schema: dict[str, Any] = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    return schema


def smallest(schema: Mapping[str, Any]) -> Any:
    """The smallest value `schema` allows: required properties only, empty lists, zeros, nulls."""
    if schema.get("nullable"):
        return None
    for combinator in ("allOf", "anyOf", "oneOf"):
        if combinator in schema:
            return smallest(schema[combinator][0])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {name: smallest(properties.get(name, {})) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "string":
        return "2026-11-27T00:00:00Z" if schema.get("format") == "date-time" else ""
    if kind in ("integer", "number"):
        return 0
    if kind == "boolean":
        return False
    return {}
