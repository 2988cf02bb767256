"""Violating stacks fail the real engine's preview with each policy's own message.

One changed value per policy, in the dev stack (two previews prove all nine mandatory policies):

- a new dev stack previewed with a changed stack file (`pulumi preview --config-file`) and a changed pack config,
  each value passing the settings' validation but violating one policy (where the stack file cannot express a
  violation, because settings reject it first, the pack config is changed instead);
- a deployed dev stack with a custom API domain whose TLS certificate Railway then fails to issue (the fake API says
  so; `pulumi refresh` brings it into the state): tls-endpoints, whose checks only a deployed stack can fail through
  config, and tls-in-transit, whose Redis URL is known only once the Redis password exists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components import tokens
from settings.sources import PROJECT
from tests.engine.fullstack import (
    FullStack,
    PolicyResult,
    mandatory,
    policy_args,
    policy_results,
    running_fakes,
    write_config_variant,
)

pytestmark = pytest.mark.engine

FAILED_CERTIFICATE = "CERTIFICATE_STATUS_TYPE_ISSUE_FAILED"
DEV_API_DOMAIN = "api.dev.converge-nps.com"


def pack_config(project: Path, stack: str, changes: dict[str, dict[str, Any]], dest: Path) -> Path:
    """The stack's committed pack config with some policies' entries changed (merged per policy)."""
    config = json.loads((project / "policies" / "config" / f"{stack}.json").read_text())
    for policy, values in changes.items():
        entry = config.get(policy, {})
        config[policy] = {**({"enforcementLevel": entry} if isinstance(entry, str) else entry), **values}
    dest.write_text(json.dumps(config, indent=2))
    return dest


def assert_fails_with(results: list[PolicyResult], expected: dict[str, str]) -> None:
    """Exactly the `expected` policies fail (mandatory), each with its message among its violations."""
    failing = mandatory(results)
    assert {r.policy for r in failing} == set(expected), failing
    for policy, message in expected.items():
        messages = [r.message for r in failing if r.policy == policy]
        assert any(message in m for m in messages), (policy, messages)


# The stack-file changes: values the settings accept.
STACK_CHANGES: dict[str, Any] = {
    # An image this project does not build and the pack's allow-list does not name.
    f"{PROJECT}:redis": {"image": "bitnami/redis:7.4.1"},
}
# The pack-config changes, for policies the settings keep the stack file from violating (the plan and the
# deploy branch are seed rules there). replica-limits and redis-persistence take their limits from the
# seed and the Redis component's own start command, which no accepted stack file or pack config breaks:
# their violating variants change the registered resources instead (tests/policies/test_pack.py).
PACK_CHANGES: dict[str, dict[str, Any]] = {
    # Dev leaves the workspace's usage limit to prod; told it must set one, it has none.
    "spending-cap": {"hardLimit": "required"},
    "database-backups": {"enforcementLevel": "mandatory"},
    "production-deploy-gate": {"environments": ["development"], "branch": "develop"},
    # A stricter list of credential outputs than the program marks secret.
    "sensitive-values-are-secrets": {"secretOutputs": {tokens.SUPABASE_PROJECT: ["databaseHost"]}},
}
EXPECTED = {
    "non-root-containers": "service 'redis' runs bitnami/redis:7.4.1, which this project does not build and "
    "`externalImages` does not list",
    "redis-version": "service 'redis' runs bitnami/redis:7.4.1: Redis 7.4.1 is older than",
    "spending-cap": "no Railway usage limit is declared",
    "database-backups": "Supabase project 'database-project' is on the 'free' plan, which keeps 0 days of daily "
    "backups; this stack needs at least 7",
    "production-deploy-gate": "GitHub environment 'development' has no required reviewers",
    "sensitive-values-are-secrets": f"{tokens.SUPABASE_PROJECT} 'database-project' produces credentials "
    "in databaseHost, which are not in additionalSecretOutputs",
}


def test_violating_config_fails_the_preview_with_each_policys_message(fullstack: FullStack, tmp_path: Path) -> None:
    engine, project, fakes = fullstack.engine, fullstack.project, fullstack.fakes
    stack_file = write_config_variant(project, "dev", STACK_CHANGES, tmp_path / "Pulumi.dev.yaml")
    pack = pack_config(project, "dev", PACK_CHANGES, tmp_path / "dev.json")
    mark = fakes.mark()

    preview = engine.pulumi(
        ["preview", "--stack", "dev", "--config-file", str(stack_file), *policy_args(project, "dev", pack)],
        cwd=project,
        env=fakes.env(),
        check=False,
    )

    assert preview.returncode != 0
    assert_fails_with(policy_results(preview.output), EXPECTED)
    assert fakes.calls_since(mark) == ([], [])
    # The committed stack file is untouched: the variant was a copy.
    assert "bitnami" not in (project / "Pulumi.dev.yaml").read_text()


def test_a_credential_in_a_plain_key_stops_the_preview_without_echoing_it(fullstack: FullStack, tmp_path: Path) -> None:
    """A password pasted into a key that is not secret (here the front end's URL, which becomes a stack output)
    never reaches a resource, an output or the pack: the program refuses the stack file first, naming the key
    and the command that stores the value encrypted, and the value appears nowhere in what the engine prints.
    (A plaintext credential among the outputs is judged by `secret-stack-outputs`, tests/policies.)"""
    engine, project, fakes = fullstack.engine, fullstack.project, fullstack.fakes
    password = "Zq8vX2kLmN4pR7sT"
    changes = {f"{PROJECT}:frontendUrl": f"https://admin:{password}@dev.converge-nps.com"}
    stack_file = write_config_variant(project, "dev", changes, tmp_path / "Pulumi.dev.yaml")
    mark = fakes.mark()
    preview = engine.pulumi(
        ["preview", "--stack", "dev", "--config-file", str(stack_file), *policy_args(project, "dev")],
        cwd=project,
        env=fakes.env(),
        check=False,
    )
    assert preview.returncode != 0
    assert f"{PROJECT}:frontendUrl" in preview.output and "--secret" in preview.output
    assert password not in preview.output
    assert fakes.calls_since(mark) == ([], [])


def test_failed_certificate_and_a_public_redis_url_fail_a_deployed_stack(fullstack: FullStack, tmp_path: Path) -> None:
    engine, project = fullstack.engine, fullstack.project
    # The shared dev stack, deployed and destroyed here: a stack of another name is bound to no environment.
    stack = "dev"
    # One stack-file change: the API on a custom domain, whose certificate Railway issues after DNS is set up.
    variant = write_config_variant(
        project, stack, {f"{PROJECT}:backend": {"publicDomain": DEV_API_DOMAIN}}, tmp_path / "Pulumi.dev.yaml"
    )
    config = ["--config-file", str(variant)]
    with running_fakes() as fakes:
        env = fakes.env()
        try:
            engine.pulumi(
                ["up", "--stack", stack, "--yes", "--skip-preview", *config, *policy_args(project, "dev")],
                cwd=project,
                env=env,
            )
            (domain,) = fakes.railway.custom_domains.values()
            assert domain["domain"] == DEV_API_DOMAIN
            # Railway gives up on the certificate (the DNS records were never created); a refresh records it.
            with fakes.railway.lock:
                domain["status"]["certificateStatus"] = FAILED_CERTIFICATE
            engine.pulumi(["refresh", "--stack", stack, "--yes", "--skip-preview", *config], cwd=project, env=env)

            # One pack-config change: Railway's private network no longer counts as private.
            pack = pack_config(
                project, "dev", {"tls-in-transit": {"privateHosts": ["localhost", "127.0.0.1"]}}, tmp_path / "dev.json"
            )
            preview = engine.pulumi(
                ["preview", "--stack", stack, *config, *policy_args(project, "dev", pack)],
                cwd=project,
                env=env,
                check=False,
            )
            assert preview.returncode != 0
            assert_fails_with(
                policy_results(preview.output),
                {
                    "tls-endpoints": f"Railway could not issue a TLS certificate for {DEV_API_DOMAIN}",
                    "tls-in-transit": "redis://redis.railway.internal is plaintext Redis outside the private network",
                },
            )
        finally:
            # Cleaned up even after a failure, without hiding it: checked below only when the test got there.
            destroy = engine.pulumi(
                ["destroy", "--stack", stack, "--yes", "--skip-preview", *config], cwd=project, env=env, check=False
            )
        assert destroy.returncode == 0 and fakes.railway.projects == {}
        assert fakes.violations() == []
