"""The official Supabase Management API spec, loaded tolerantly, and request/response validation with
openapi-core.

The file is never edited (shared/specs/README.md). Its three known defects are patched in memory:
`V1CreateProjectBody` carries a non-standard `hideDefinitions` key, and two boolean query parameters
have string defaults ("true"/"false"). The patched spec must then pass openapi-core's own spec
validation, so nothing else is silently tolerated.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any
from urllib.parse import urlencode

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from tests.specs import SPECS_DIR

SPEC_PATH = SPECS_DIR / "supabase-management-api.openapi.json"
HOST = "https://api.supabase.com"

# (JSON path, what is wrong, the fix) for each known quirk.
_STRING_DEFAULTS = (
    ("/v1/branches/{branch_id_or_ref}", "delete"),
    ("/v1/projects/{ref}/custom-hostname", "delete"),
)


@functools.cache
def raw_spec() -> dict[str, Any]:
    with SPEC_PATH.open() as handle:
        spec: dict[str, Any] = json.load(handle)
    return spec


def patched_spec() -> dict[str, Any]:
    spec = copy.deepcopy(raw_spec())
    body = spec["components"]["schemas"]["V1CreateProjectBody"]
    assert "hideDefinitions" in body, "quirk gone: V1CreateProjectBody.hideDefinitions (update the loader)"
    del body["hideDefinitions"]
    for path, method in _STRING_DEFAULTS:
        patched = 0
        for parameter in spec["paths"][path][method].get("parameters", []):
            schema = parameter.get("schema", {})
            if schema.get("type") == "boolean" and isinstance(schema.get("default"), str):
                schema["default"] = schema["default"] == "true"
                patched += 1
        assert patched == 1, f"quirk gone: string default of a boolean in {method.upper()} {path}"
    return spec


@functools.cache
def openapi() -> OpenAPI:
    """The patched spec; OpenAPI.from_dict validates the spec itself, so any further defect fails here."""
    return OpenAPI.from_dict(patched_spec())


def mock_request(method: str, path: str, query: dict[str, str] | None = None, body: Any = None) -> MockRequest:
    data = json.dumps(body) if body is not None else None
    return MockRequest(
        HOST,
        method.lower(),
        path,
        args=query or {},
        data=data,
        content_type="application/json" if data is not None else None,
    )


def validate_request(method: str, path: str, query: dict[str, str] | None = None, body: Any = None) -> None:
    """Raise an openapi-core error if the request does not match the spec (path, method, query, body)."""
    openapi().validate_request(mock_request(method, path, query, body))


def validate_response(
    method: str, path: str, status: int, body: Any, query: dict[str, str] | None = None, request_body: Any = None
) -> None:
    """Raise if a response body does not match the spec's schema for that operation and status."""
    response = MockResponse(
        json.dumps(body).encode() if body is not None else b"",
        status_code=status,
        content_type="application/json",
    )
    openapi().validate_response(mock_request(method, path, query, request_body), response)


def operation(method: str, path_template: str) -> dict[str, Any]:
    result: dict[str, Any] = raw_spec()["paths"][path_template][method.lower()]
    return result


def query_string(query: dict[str, str]) -> str:
    return urlencode(query)
