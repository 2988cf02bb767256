"""postgres-version on its own: a project on another major than the seed's is reported as advice, one on
the seed's major or not yet created is not."""

from __future__ import annotations

from components import tokens
from components.values import UNKNOWN
from tests.policies.harness import Resources, judge


def _major(value: object) -> object:
    def change(resources: Resources) -> None:
        resources.set(tokens.SUPABASE_PROJECT, "database-project", "postgresMajor", value)

    return change


def test_a_project_on_a_newer_major_is_reported_as_advice() -> None:
    judged = judge("prod", preview=False, change=_major(17))
    assert judged.result.verdict("postgres-version") == "warn"
    assert judged.messages("postgres-version") == [
        "Supabase project 'database-project' runs PostgreSQL 17, not the seed's 15: check the application, its "
        "migrations and the backup job's pg_dump against it."
    ]


def test_a_project_on_the_seeds_major_passes() -> None:
    assert judge("staging", preview=False, change=_major(15)).result.verdict("postgres-version") == "pass"


def test_a_version_not_known_yet_is_not_judged(stack: str, preview: bool) -> None:
    assert judge(stack, preview=preview).result.verdict("postgres-version") == "pass"
    assert judge("dev", change=_major(UNKNOWN)).result.verdict("postgres-version") == "pass"
