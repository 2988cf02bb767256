"""The stand-in provider plugins (test doubles for random, github and docker) behave like the real providers in what
the program relies on: output names, secrecy, id shapes, replace-vs-update, and stable values across refresh."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.engine.harness import Engine, write_floor_program

pytestmark = pytest.mark.engine

PROGRAM = textwrap.dedent("""\
    import pulumi
    import pulumi_docker as docker
    import pulumi_github as github
    import pulumi_random as random

    rotation = pulumi.Config().get("rotation") or "1"
    password = random.RandomPassword(
        "password", length=24, min_special=2, override_special="!#", keepers={"r": rotation}
    )
    ident = random.RandomId("id", byte_length=8, prefix="p-")
    name = random.RandomString("name", length=10, special=False)
    env = github.RepositoryEnvironment("env", repository="converge", environment="dev", wait_timer=int(rotation))
    policy = github.RepositoryEnvironmentDeploymentPolicy(
        "policy", repository="converge", environment=env.environment, branch_pattern="main"
    )
    secret = github.ActionsEnvironmentSecret(
        "secret", repository="converge", environment=env.environment, secret_name="JWT", plaintext_value=password.result
    )
    variable = github.ActionsEnvironmentVariable(
        "variable", repository="converge", environment=env.environment, variable_name="API_URL", value="https://api"
    )
    image = docker.Image(
        "image", image_name="ghcr.io/org/backend:v1", build=docker.DockerBuildArgs(context=".", platform="linux/amd64")
    )
    remote = docker.RemoteImage("remote", name="redis:7")
    registry = docker.RegistryImage("registry", name="ghcr.io/org/backend:v1")
    for key, value in {
        "password": password.result, "bcrypt": password.bcrypt_hash, "id_hex": ident.hex, "id_dec": ident.dec,
        "name": name.result, "env": env.id, "policy": policy.id, "secret": secret.id, "variable": variable.id,
        "repo_digest": image.repo_digest, "base": image.base_image_name, "image_id": remote.image_id,
        "remote_digest": remote.repo_digest, "registry_digest": registry.sha256_digest,
    }.items():
        pulumi.export(key, value)
    """)


@pytest.fixture
def project(engine: Engine, tmp_path: Path) -> Path:
    directory = write_floor_program(tmp_path / "program")  # for Pulumi.yaml and the venv
    (directory / "__main__.py").write_text(PROGRAM)
    engine.init_stack(directory, "doubles")
    return directory


def _steps(engine: Engine, project: Path, stack: str = "doubles") -> dict[str, str]:
    """Resource name -> planned operation of a preview (unchanged resources other than the stack are left out)."""
    preview = engine.pulumi(["preview", "--stack", stack, "--json"], cwd=project).json()
    return {s["urn"].split("::")[-1]: s["op"] for s in preview["steps"]}  # type: ignore[index]


def test_outputs_ids_secrets_and_diffs(engine: Engine, project: Path) -> None:
    engine.pulumi(["up", "--stack", "doubles", "--yes", "--skip-preview"], cwd=project)
    out = engine.pulumi(["stack", "output", "--stack", "doubles", "--json", "--show-secrets"], cwd=project).json()
    assert isinstance(out, dict)
    assert len(out["password"]) == 24 and sum(c in "!#" for c in out["password"]) >= 2
    assert out["bcrypt"].startswith("$2a$10$")
    assert out["id_hex"].startswith("p-") and len(out["id_hex"]) == 2 + 16
    assert out["id_dec"] == "p-" + str(int(out["id_hex"][2:], 16))
    assert out["name"].isalnum() and len(out["name"]) == 10
    assert out["env"] == "converge:dev"
    assert out["policy"].startswith("converge:dev:") and out["policy"].split(":")[2].isdigit()
    assert out["secret"] == "converge:dev:JWT"
    assert out["variable"] == "converge:dev:API_URL"
    assert out["repo_digest"].startswith("ghcr.io/org/backend@sha256:")
    assert out["base"] == "ghcr.io/org/backend:v1"
    assert out["image_id"].startswith("sha256:") and out["remote_digest"].startswith("redis@sha256:")
    assert out["registry_digest"].startswith("sha256:")

    state = engine.pulumi(["stack", "export", "--stack", "doubles"], cwd=project).stdout
    for secret in (out["password"], out["bcrypt"]):
        assert secret not in state
    resources = {r["urn"].split("::")[-1]: r for r in json.loads(state)["deployment"]["resources"]}
    assert resources["password"]["id"] == "none"
    assert "ciphertext" in resources["secret"]["inputs"]["plaintextValue"]

    # refresh reads the same values back; nothing to do afterwards
    engine.pulumi(["refresh", "--stack", "doubles", "--yes", "--skip-preview"], cwd=project)
    assert set(_steps(engine, project).values()) == {"same"}

    # a keepers change replaces the password and updates what depends on it; wait_timer updates in place
    engine.pulumi(["config", "set", "--stack", "doubles", "rotation", "2"], cwd=project)
    changes = {name: op for name, op in _steps(engine, project).items() if op != "same"}
    assert changes == {"password": "replace", "env": "update", "secret": "update"}

    engine.pulumi(["destroy", "--stack", "doubles", "--yes", "--skip-preview"], cwd=project)


def test_random_bytes_length_change_replaces(engine: Engine, tmp_path: Path) -> None:
    project = write_floor_program(tmp_path / "program", length=16)
    engine.init_stack(project, "bytes")
    engine.pulumi(["up", "--stack", "bytes", "--yes", "--skip-preview"], cwd=project)
    write_floor_program(project, length=24)
    steps = _steps(engine, project, "bytes")
    assert steps["floor"] == "replace"
    engine.pulumi(["destroy", "--stack", "bytes", "--yes", "--skip-preview"], cwd=project)


LOOKUPS = textwrap.dedent("""\
    import pulumi
    import pulumi_github as github

    mode = pulumi.Config().get("mode") or "lookups"
    if mode == "lookups":
        devops = github.get_team(slug="devops", summary_only=True)
        platform = github.get_team_output(slug="platform")
        user = github.get_user(username="octocat")
        pulumi.export("devops", {"id": devops.id, "slug": devops.slug, "summaryOnly": devops.summary_only})
        pulumi.export("platform", {"id": platform.id, "slug": platform.slug})
        pulumi.export("user", {"id": user.id, "login": user.login, "username": user.username})
    elif mode == "missing":
        github.get_team(slug="")
    else:
        github.get_repository(full_name="converge-nps/converge-nps")
    """)


def test_github_team_and_user_lookups(engine: Engine, tmp_path: Path) -> None:
    """getTeam/getUser (prod's reviewer team is looked up by slug) answer a stable numeric id per name, under the
    real data sources' output names; a missing argument or a function the double lacks fails the program."""
    project = write_floor_program(tmp_path / "program")
    (project / "__main__.py").write_text(LOOKUPS)
    engine.init_stack(project, "lookups")
    engine.pulumi(["up", "--stack", "lookups", "--yes", "--skip-preview"], cwd=project)
    first = engine.pulumi(["stack", "output", "--stack", "lookups", "--json"], cwd=project).json()
    assert isinstance(first, dict)
    devops, platform, user = first["devops"], first["platform"], first["user"]
    assert (devops["slug"], devops["summaryOnly"], platform["slug"]) == ("devops", True, "platform")
    assert (user["login"], user["username"]) == ("octocat", "octocat")
    ids = [devops["id"], platform["id"], user["id"]]
    assert all(isinstance(i, str) and i.isdigit() and int(i) > 0 for i in ids), ids  # decimal strings, as GitHub's
    assert len(set(ids)) == 3

    # The same names give the same ids in another run (a stable reviewer list: no diff on the next up).
    preview = engine.pulumi(["preview", "--stack", "lookups", "--json", "--expect-no-changes"], cwd=project)
    assert preview.json()["changeSummary"] == {"same": 1}  # type: ignore[index]
    engine.pulumi(["up", "--stack", "lookups", "--yes", "--skip-preview"], cwd=project)
    assert engine.pulumi(["stack", "output", "--stack", "lookups", "--json"], cwd=project).json() == first

    engine.pulumi(["config", "set", "--stack", "lookups", "mode", "missing"], cwd=project)
    missing = engine.pulumi(["preview", "--stack", "lookups"], cwd=project, check=False)
    assert missing.returncode != 0
    assert 'getTeam:getTeam failed: Missing required argument: "slug"' in missing.output, missing.output
    engine.pulumi(["config", "set", "--stack", "lookups", "mode", "other"], cwd=project)
    other = engine.pulumi(["preview", "--stack", "lookups"], cwd=project, check=False)
    assert other.returncode != 0
    assert "does not implement function github:index/getRepository:getRepository" in other.output, other.output
    engine.pulumi(["destroy", "--stack", "lookups", "--yes", "--skip-preview"], cwd=project)
