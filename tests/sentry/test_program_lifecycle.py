"""The real program's Sentry resources run through their providers against the fake API (the rest of the
program stays mocked): a first up, a no-change up, a refresh and a destroy."""

from __future__ import annotations

from components import tokens
from components.values import plain
from tests.doubles import run_stack
from tests.providers.engine import Engine, program_engine
from tests.sentry.conftest import ORGANIZATION
from tests.sentry.fake_api import FakeSentry

SENTRY = tokens.DYNAMIC_PREFIX + "sentry:"


def test_prod_up_twice_refresh_and_destroy(fake: FakeSentry) -> None:
    engine = Engine()
    with program_engine(engine, SENTRY):
        first = run_stack("prod")
        writes = len(fake.writes())
        run_stack("prod")
    assert len(fake.writes()) == writes, "a second up with nothing changed writes nothing"

    slugs = {"converge-nps-production-backend", "converge-nps-production-frontend"}
    assert {slug for _org, slug in fake.projects} == slugs
    assert first.outputs["sentryProjects"] == {
        "backend": "converge-nps-production-backend",
        "frontend": "converge-nps-production-frontend",
    }
    (workflow,) = fake.workflows.values()
    assert sorted(workflow["detectorIds"]) == sorted(fake.error_detector(slug) for slug in slugs)
    # The backend runs with the DSN Sentry made for its project.
    variables = first.one(tokens.RAILWAY_VARIABLES, "backend-variables")
    backend_dsn = plain(variables.inputs["secrets"])["SENTRY_DSN"]
    assert backend_dsn == fake.keys[ORGANIZATION, "converge-nps-production-backend"][1]["dsn"]["public"]

    engine.refresh()
    assert len(engine.ids) == 5
    engine.destroy()
    assert fake.projects == {} and fake.workflows == {}
