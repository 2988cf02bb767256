"""SupabaseDatabase under the real Pulumi engine, against the fake Management API on 127.0.0.1.

What only the engine shows: the pickled providers load in the dynamic-provider host, `diff` gets the
old outputs, numbers cross as floats, a no-change `up` sends nothing, and the state file (exported
without `--show-secrets`) holds no token, database password or API key in plaintext. Also counts the
API calls of a first `up`, a no-change `up` and a refresh.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.harness import REPO, VENV, Engine
from tests.supabase.conftest import ORG_PRO
from tests.supabase.fake_api import TOKEN, FakeSupabase, running

pytestmark = pytest.mark.engine
STACK = "supabase-engine"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.create(tmp_path_factory.mktemp("engine"))


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSupabase]:
    with running() as server:
        server.add_organization(ORG_PRO, "pro")
        yield server
        assert not server.violations, "\n".join(server.violations)


def write_program(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    # The program's own packages, as at the repository root: the providers are pickled by reference,
    # so the dynamic-provider host must import them from the program's directory.
    for package in ("components", "providers", "settings"):
        (directory / package).symlink_to(REPO / package)
    (directory / "Pulumi.yaml").write_text(
        textwrap.dedent(f"""\
            name: supabase-engine-test
            runtime:
              name: python
              options:
                toolchain: pip
                virtualenv: {VENV}
            """)
    )
    (directory / "__main__.py").write_text(
        textwrap.dedent("""\
            import pulumi

            from components.supabase_database.component import SupabaseDatabase, SupabaseDatabaseArgs

            database = SupabaseDatabase(
                "database",
                SupabaseDatabaseArgs(
                    project_name="converge-nps-production",
                    organization="converge-nps",
                    plan="pro",
                    region="us-west-1",
                    compute_size="micro",
                    postgres_major_version=15,
                    pool_mode="transaction",
                    default_pool_size=15,
                    backup_retention_days=7,
                    allowed_cidrs=["203.0.113.0/24"],
                ),
            )
            pulumi.export("projectRef", database.project_ref)
            pulumi.export("databaseUrl", database.database_url)
            pulumi.export("directUrl", database.direct_url)
            """)
    )
    return directory


def test_up_noop_refresh_and_state_under_the_engine(
    engine: Engine, fake: FakeSupabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_program(tmp_path / "program")
    env = {
        "SUPABASE_API_URL": fake.url,
        "SUPABASE_ACCESS_TOKEN": TOKEN,
        "SUPABASE_POLL_INTERVAL": "0.05",
        "SUPABASE_WAIT_TIMEOUT": "60",
        "SUPABASE_RETRY_BASE_DELAY": "0.05",
    }
    engine.init_stack(project, STACK)

    engine.pulumi(["up", "--yes", "--stack", STACK], cwd=project, env=env)
    first = list(fake.calls)
    supabase = fake.only_project()
    assert supabase.status == "ACTIVE_HEALTHY" and supabase.ssl_enforced and supabase.v4 == ["203.0.113.0/24"]

    fake.reset_calls()
    preview = engine.pulumi(["preview", "--stack", STACK, "--json"], cwd=project, env=env)
    assert set(json.loads(preview.stdout)["changeSummary"]) == {"same"}
    engine.pulumi(["up", "--yes", "--stack", STACK], cwd=project, env=env)
    assert fake.calls == [], "a no-change preview and up send no request at all"

    engine.pulumi(["refresh", "--yes", "--stack", STACK], cwd=project, env=env)
    refresh = list(fake.calls)
    assert not [c for c in refresh if c.writes]

    fake.reset_calls()
    engine.pulumi(["up", "--yes", "--stack", STACK], cwd=project, env=env)
    assert fake.writes() == [], "nothing drifted, so nothing is written after the refresh either"

    state = engine.pulumi(["stack", "export", "--stack", STACK], cwd=project, env=env).stdout
    for secret in (TOKEN, supabase.password, supabase.anon_key, supabase.service_role_key):
        assert secret not in state
    outputs = engine.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", STACK], cwd=project, env=env)
    urls = json.loads(outputs.stdout)
    assert (
        f":{supabase.password}@aws-0-us-west-1.pooler.supabase.com:6543/postgres?sslmode=require" in urls["databaseUrl"]
    )
    assert ":5432/postgres?sslmode=require" in urls["directUrl"]

    with capsys.disabled():
        print(
            f"\nengine, prod shape with network restrictions: first up {len(first)} calls "
            f"({len([c for c in first if c.writes])} writes); no-change up 0; refresh {len(refresh)} (0 writes)"
        )

    engine.pulumi(["destroy", "--yes", "--stack", STACK], cwd=project, env=env)
    assert supabase.status == "REMOVED" and supabase.v4 == ["0.0.0.0/0"]
