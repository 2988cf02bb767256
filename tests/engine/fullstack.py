"""The real Converge-NPS program under the real engine: a scratch copy of the project, its stacks, and the local
fake Railway and Supabase servers its dynamic providers talk to.

The committed `Pulumi.<stack>.yaml` files are never touched: `scratch_project()` copies the tracked files (as they are
in the working tree) into a temporary directory and links the virtualenv, and `init_stack()` lets `pulumi stack init`
and `pulumi config set --secret` write the encryption salt and the four required secrets into the copy's stack file.
The secrets are the stand-in values of `tests/doubles.py` (no real credential).

`Fakes` runs the fake Railway GraphQL API (tests/railway/fake_railway.py) and the fake Supabase Management API
(tests/supabase/fake_api.py) on 127.0.0.1 in this process; `Fakes.env()` points the providers (which run in the
engine's dynamic-provider host, a subprocess) at them with test tokens.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from settings.documents import project_config
from settings.sources import PROJECT
from tests.doubles import STAND_IN_SECRETS
from tests.engine.harness import REPO, VENV, Engine, Result
from tests.railway import fake_railway
from tests.railway.fake_railway import FakeRailway
from tests.railway.schema import railway_schema
from tests.sentry import fake_api as fake_sentry
from tests.sentry.fake_api import FakeSentry
from tests.supabase import fake_api
from tests.supabase.fake_api import FakeSupabase
from tests.uptimerobot import fake_api as fake_uptimerobot
from tests.uptimerobot.fake_api import FakeUptimeRobot

# What `pulumi config set --secret` must provide before any stack runs (settings: required secrets).
# The secrets `Pulumi.yaml` declares required: the CLI refuses to run without them.
REQUIRED_SECRETS = tuple(
    key.removeprefix(f"{PROJECT}:") for key, declared in project_config().items() if declared.get("secret")
)
# The Supabase organizations the stack files name, with the plan each really has.
SUPABASE_ORGANIZATIONS = {"converge-nps-free": "free", "converge-nps": "pro"}
# The Sentry organization and team the stack files name (organization, team).
SENTRY_TEAMS = (("converge-nps", "converge-nps"),)


def scratch_project(dest: Path) -> Path:
    """Copy the repository's tracked files (working-tree contents) to `dest`, with `.venv` linked to ours."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if not source.is_file():  # deleted in the working tree
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    # Pulumi.yaml and policies/PulumiPolicy.yaml name the virtualenv relative to the project (`.venv`, `../.venv`).
    (dest / ".venv").symlink_to(VENV)
    return dest


# Stand-ins for what Railway pulls the private backend image with (docs/railway.md, Credentials).
REGISTRY_USERNAME = "converge-nps-deploy"
REGISTRY_PASSWORD = "ghp_stand-in-read-packages-token-0123456789"


def stand_in_secrets() -> dict[str, str]:
    """The required secrets with the stand-in values the offline harness uses."""
    return {key: STAND_IN_SECRETS[f"{PROJECT}:{key}"] for key in REQUIRED_SECRETS}


def init_stack(engine: Engine, project: Path, stack: str, *, env: Mapping[str, str] | None = None) -> None:
    """`pulumi stack init` (passphrase secrets) and the required secrets, written into the copy's stack file,
    with the stand-in credentials Railway pulls the private backend image with."""
    engine.init_stack(project, stack, env=env)
    args = ["config", "set-all", "--stack", stack]
    for key, value in {**stand_in_secrets(), "registryPassword": REGISTRY_PASSWORD}.items():
        args += ["--secret", f"{PROJECT}:{key}={value}"]
    engine.pulumi(args, cwd=project, env=env)
    registry_user = [
        "config",
        "set",
        "--stack",
        stack,
        "--path",
        f"{PROJECT}:image.registryUsername",
        REGISTRY_USERNAME,
    ]
    engine.pulumi(registry_user, cwd=project, env=env)


def policy_args(project: Path, stack: str, config: Path | None = None) -> list[str]:
    """The policy pack and its config for `stack`, as README/CI run it."""
    config = config or project / "policies" / "config" / f"{stack}.json"
    return ["--policy-pack", str(project / "policies"), "--policy-pack-config", str(config)]


def stack_config(project: Path, stack: str) -> dict[str, Any]:
    """The copy's `Pulumi.<stack>.yaml` as a document (salt and secure values included)."""
    document = yaml.safe_load((project / f"Pulumi.{stack}.yaml").read_text())
    assert isinstance(document, dict)
    return document


def write_config_variant(project: Path, stack: str, changes: Mapping[str, Any], dest: Path) -> Path:
    """A copy of the stack's config file with `changes` (`namespace:key` -> value, merged one level into
    objects) for `pulumi preview --config-file`: same salt and secrets, a few values changed."""
    document = stack_config(project, stack)
    config = document["config"]
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    dest.write_text(yaml.safe_dump(document, sort_keys=False))
    return dest


@dataclass(frozen=True)
class PolicyResult:
    """One entry of the `Policies:` section a preview or update prints."""

    level: str  # mandatory, advisory, remediate
    policy: str
    resource: str  # "type: name", or the stack
    message: str


_POLICY_ENTRY = re.compile(r"^(\s+)- \[(\w+)\]\s+(\S+)\s+\((.*)\)$")


def policy_results(output: str) -> list[PolicyResult]:
    """The policy entries of a CLI run's text output: level, policy, resource and message (the lines after the
    policy's description). The `--json` output does not carry them, so the text is parsed; with `--diff` the CLI
    prints them in another layout, which this does not read."""
    lines = output.splitlines()
    try:
        start = lines.index("Policies:")
    except ValueError:
        return []
    results: list[PolicyResult] = []
    entry: list[str] = []
    header: re.Match[str] | None = None

    def close() -> None:
        if header is not None:
            # entry[0] is the policy's description, the rest its message
            results.append(PolicyResult(header[2], header[3], header[4], "\n".join(entry[1:])))

    for line in lines[start + 1 :]:
        if not line.strip():
            break
        if match := _POLICY_ENTRY.match(line):
            close()
            header, entry = match, []
        elif header is not None and len(line) - len(line.lstrip()) > len(header[1]):
            entry.append(line.strip())
    close()
    return results


def mandatory(results: list[PolicyResult]) -> list[PolicyResult]:
    return [r for r in results if r.level == "mandatory"]


def summary(result: Result) -> dict[str, int]:
    """The change summary of a `--json` preview."""
    document = result.json()
    assert isinstance(document, dict)
    return dict(document["changeSummary"])


@dataclass
class Fakes:
    """The fake Railway, Supabase, UptimeRobot and Sentry APIs, served on 127.0.0.1 by this process."""

    railway: FakeRailway
    railway_url: str
    supabase: FakeSupabase
    uptimerobot: FakeUptimeRobot
    sentry: FakeSentry

    def env(self) -> dict[str, str]:
        return {
            "RAILWAY_API_URL": self.railway_url,
            "RAILWAY_TOKEN": fake_railway.TOKEN,
            "RAILWAY_API_TIMEOUT_SECONDS": "10",
            # The fake finishes a deployment after three status checks.
            "RAILWAY_POLL_INTERVAL": "0.05",
            "SUPABASE_API_URL": self.supabase.url,
            "SUPABASE_ACCESS_TOKEN": fake_api.TOKEN,
            # The fake brings a project up after two status polls: poll fast, give up late.
            "SUPABASE_POLL_INTERVAL": "0.05",
            "SUPABASE_WAIT_TIMEOUT": "60",
            "SUPABASE_RETRY_BASE_DELAY": "0.05",
            "UPTIMEROBOT_API_URL": self.uptimerobot.url,
            "UPTIMEROBOT_API_KEY": fake_uptimerobot.KEY,
            "SENTRY_API_URL": self.sentry.url,
            "SENTRY_AUTH_TOKEN": fake_sentry.TOKEN,
        }

    def mark(self) -> tuple[int, int]:
        """Positions in both request logs, for `calls_since`."""
        return len(self.railway.calls()), len(self.supabase.calls)

    def calls_since(self, mark: tuple[int, int]) -> tuple[list[fake_railway.Request], list[fake_api.Call]]:
        with self.supabase.lock:
            supabase = list(self.supabase.calls[mark[1] :])
        return self.railway.calls(since=mark[0]), supabase

    def mutations_since(self, mark: tuple[int, int]) -> list[str]:
        """Every request since `mark` that can change something, as `railway <operation>` / `supabase <METHOD path>`."""
        railway, supabase = self.calls_since(mark)
        return [f"railway {r.operation}" for r in railway if r.mutation] + [
            f"supabase {c.method} {c.path}" for c in supabase if c.writes
        ]

    def violations(self) -> list[str]:
        return [
            *self.railway.violations,
            *self.supabase.violations,
            *self.uptimerobot.violations,
            *self.sentry.violations,
        ]


@dataclass(frozen=True)
class FullStack:
    """A scratch project of the real program, the engine that runs it, and the fakes its providers talk to."""

    engine: Engine
    project: Path
    fakes: Fakes


@contextmanager
def running_fakes() -> Iterator[Fakes]:
    railway_schema()  # parsed once per process (about a second), before any request can time out on it
    with ExitStack() as stack:
        railway = FakeRailway(stall_seconds=1.0)
        url = stack.enter_context(fake_railway.serve(railway))
        supabase = stack.enter_context(fake_api.running())
        for slug, plan in SUPABASE_ORGANIZATIONS.items():
            supabase.add_organization(slug, plan)
        uptimerobot = stack.enter_context(fake_uptimerobot.running())
        sentry = stack.enter_context(fake_sentry.running())
        for organization, team in SENTRY_TEAMS:
            sentry.add_team(organization, team)
        yield Fakes(railway=railway, railway_url=url, supabase=supabase, uptimerobot=uptimerobot, sentry=sentry)
