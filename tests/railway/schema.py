"""Railway's official SDL, loaded once for the contract tests and the fake server."""

from __future__ import annotations

from functools import cache

import graphql
from graphql.type.validate import validate_schema

from tests.specs import SPECS_DIR

SDL = SPECS_DIR / "railway-public-api.graphql"

# The one way the published SDL breaks graphql-core's schema rules (an interface field implemented by a
# deprecated field). It says nothing about the operations we send, so it is tolerated by name and any
# other schema error still fails.
KNOWN_SCHEMA_QUIRKS = frozenset(
    {"Interface field Node.id is not deprecated, so implementation field Team.id must not be deprecated."}
)


@cache
def railway_schema() -> graphql.GraphQLSchema:
    schema = graphql.build_schema(SDL.read_text())
    problems = {error.message for error in validate_schema(schema)} - KNOWN_SCHEMA_QUIRKS
    if problems:
        raise AssertionError(f"the Railway SDL has new schema errors: {sorted(problems)}")
    # Checked above; what graphql-core would otherwise refuse to validate documents against.
    schema._validation_errors = []
    return schema
