"""The policy pack over the real program of each stack: every stack passes, every policy catches its
violating variants (a changed stack config, a changed pack config or one changed resource), and
unknown values during preview never stop a policy."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel

from components import tokens
from components.values import Secret
from cost.model import Estimate, money
from cost.stack import estimate, sizes_from_settings
from cost.usage_limit import workspace_limit
from ops.report.pack import PackConfigError
from policies.converge_policies import POLICIES
from settings.stacks import ENVIRONMENT_BY_STACK, STACKS
from tests.cost.test_model import settings_of
from tests.policies.harness import CONFIG_DIR, Resources, all_unknown, judge, pack_config
from tests.seed import SEED_CONFIG

MANDATORY = [p.name for p in POLICIES if p.enforcement_level != EnforcementLevel.ADVISORY]


def model_estimate(stack: str, overrides: dict[str, Any] | None = None) -> Estimate:
    """What the cost model makes of the stack's settings: the figures the pack must arrive at from resources."""
    return estimate(sizes_from_settings(settings_of(stack, overrides)))


def test_every_stack_passes_every_policy_it_runs(stack: str, preview: bool) -> None:
    from ops.report.pack import reconcile

    judged = judge(stack, preview=preview)
    levels = {name: policy.level for name, policy in reconcile(POLICIES, pack_config(stack)).items()}
    verdicts = {p.name: judged.result.verdict(p.name) for p in POLICIES}
    expected = {name: "disabled" if levels[name] == "disabled" else "pass" for name in MANDATORY}
    # The cost table is always reported; the mocked project runs the seed's PostgreSQL major.
    assert verdicts == {**expected, "cost-estimate": "warn", "postgres-version": "pass"}
    assert not judged.result.remediations
    assert not judged.result.not_applicable


def test_the_cost_table_is_advisory_output_with_the_models_figures(stack: str) -> None:
    """The pack prices what the program registered; the cost model prices the stack's settings: they agree."""
    result = estimate(sizes_from_settings(settings_of(stack)))
    figures = (money(result.monthly_usd), money(result.min_usd), money(result.max_usd))
    [table] = judge(stack).messages("cost-estimate")
    assert re.search(r"^total\s+" + r"\s+".join(re.escape(f) for f in figures) + "$", table, re.MULTILINE), table
    assert f"budget {money(settings_of(stack).budget.monthly_usd)}/month" in table
    assert "prices as of" in table


# Prod at the seed's sizes and budget: the spending variants force their violation with these, whatever
# Pulumi.prod.yaml says today.
SEED_PROD = SEED_CONFIG["prod"]
# The seed's prod (budget $285) with every replica it may run: the figures the spending-cap variants expect.
SEED_PROD_AT_MAX_USD = model_estimate("prod", SEED_PROD).max_usd
SEED_EVENT_AT_FIVE_USD = model_estimate(
    "prod",
    {
        **SEED_PROD,
        "converge-nps:eventMode": True,
        "converge-nps:backend": {**SEED_PROD["converge-nps:backend"], "eventReplicas": 5},
    },
).monthly_usd


def test_the_cost_table_never_blocks_even_over_budget() -> None:
    judged = judge("prod", overrides={**SEED_PROD, "converge-nps:budget": {"monthlyUsd": 50}})
    [table] = judged.messages("cost-estimate")
    over = model_estimate("prod").max_usd - 50
    assert f"at maximum replicas the stack would cost {money(over)} more than its budget" in table
    assert all(d.level == "advisory" for d in judged.result.of("cost-estimate"))
    assert judged.result.verdict("spending-cap") == "fail"


# --- violating variants ------------------------------------------------------------------------------

# Prod in event mode with five event replicas all month: over the budget, whatever else the stack runs.
EVENT_MODE_AT_FIVE = {
    "converge-nps:eventMode": True,
    "converge-nps:backend": {
        "minReplicas": 2,
        "maxReplicas": 5,
        "eventReplicas": 5,
        "vcpuPerReplica": 2,
        "memoryGbPerReplica": 1,
        "publicDomain": "api.converge-nps.com",
    },
}
EVENT_AT_FIVE_USD = model_estimate("prod", EVENT_MODE_AT_FIVE).monthly_usd
PROD_AT_MAX_USD = model_estimate("prod").max_usd
PROD_WORKSPACE_LIMIT = workspace_limit(settings_of("prod"))
PROD_RAILWAY_MAX_USD = PROD_WORKSPACE_LIMIT.railway_max_by_stack["prod"]
WORKSPACE_BUDGETS_USD = sum(PROD_WORKSPACE_LIMIT.budget_by_stack.values())

ROOT_DOCKERFILE = 'FROM node:20.18.1-alpine3.20 AS runtime\nWORKDIR /app\nUSER root\nCMD ["node"]\n'
NO_USER_DOCKERFILE = 'FROM node:20.18.1-alpine3.20 AS runtime\nWORKDIR /app\nCMD ["node"]\n'
UID0_DOCKERFILE = "FROM node:20.18.1-alpine3.20 AS build\nUSER node\nFROM build AS runtime\nUSER 0:0\n"


def _set(type_: str, name: str | None, key: str, value: Any) -> Callable[[Resources], None]:
    def change(resources: Resources) -> None:
        resources.set(type_, name, key, value)

    return change


def _drop(type_: str, name: str | None = None) -> Callable[[Resources], None]:
    def change(resources: Resources) -> None:
        resources.drop(type_, name)

    return change


def _add_property(type_: str, name: str, key: str, value: Any) -> Callable[[Resources], None]:
    return _set(type_, name, key, value)


def _unsecret(type_: str, name: str, key: str) -> Callable[[Resources], None]:
    def change(resources: Resources) -> None:
        resource = resources.one(type_, name)
        for props in (resource.inputs, resource.outputs):
            if isinstance(props.get(key), Secret):
                props[key] = props[key].value

    return change


def _no_secret_outputs(type_: str, name: str) -> Callable[[Resources], None]:
    def change(resources: Resources) -> None:
        resources.one(type_, name).additional_secret_outputs = ()

    return change


def _domain_on_redis(resources: Resources) -> None:
    backend = resources.one(tokens.RAILWAY_SERVICE, "backend")
    redis = resources.one(tokens.RAILWAY_SERVICE, "redis")
    domain = resources.one(tokens.RAILWAY_CUSTOM_DOMAIN)
    domain.dependencies = tuple(redis.urn if d == backend.urn else d for d in domain.dependencies)


def _redis_command(old: str, new: str) -> Callable[[Resources], None]:
    def change(resources: Resources) -> None:
        redis = resources.one(tokens.RAILWAY_SERVICE, "redis")
        command = redis.inputs["startCommand"]
        assert old in command
        resources.set(tokens.RAILWAY_SERVICE, "redis", "startCommand", command.replace(old, new))

    return change


def _component_output(type_: str, key: str, value: Any) -> Callable[[Resources], None]:
    def change(resources: Resources) -> None:
        resources.one(type_).outputs[key] = value

    return change


def _stack_output(name: str, value: Any) -> Callable[[Resources], None]:
    def change(resources: Resources) -> None:
        resources.one(tokens.STACK).outputs[name] = value

    return change


BACKEND_COMPONENT = tokens.BACKEND_SERVICE
DB_URL_NO_TLS = "postgresql://postgres.ref:pw@aws-0-us-west-1.pooler.supabase.com:6543/postgres"

VARIANTS = [
    # tls-in-transit
    pytest.param(
        "tls-in-transit",
        "prod",
        {"change": _set(tokens.GITHUB_ENVIRONMENT_VARIABLE, "production-vite_ws_url", "value", "ws://api.example.com")},
        "ws://api.example.com is plaintext; use wss://",
        id="tls-websocket-url-ws",
    ),
    pytest.param(
        "tls-in-transit",
        "staging",
        {
            "change": _set(
                tokens.RAILWAY_VARIABLES,
                "backend-variables",
                "variables",
                {"FRONTEND_URL": "http://staging.example.com"},
            )
        },
        "http://staging.example.com is plaintext; use https://",
        id="tls-frontend-url-http",
    ),
    pytest.param(
        "tls-in-transit",
        "prod",
        {
            "change": _set(
                tokens.GITHUB_ENVIRONMENT_SECRET, "production-database_url", "plaintextValue", Secret(DB_URL_NO_TLS)
            )
        },
        "postgresql://aws-0-us-west-1.pooler.supabase.com has no sslmode; add sslmode=require",
        id="tls-database-url-without-sslmode",
    ),
    pytest.param(
        "tls-in-transit",
        "prod",
        {
            "change": _set(
                tokens.RAILWAY_VARIABLES,
                "backend-variables",
                "secrets",
                Secret(
                    {
                        "REDIS_URL": "redis://default:pw@redis.example.com:6379",
                        "DATABASE_URL": DB_URL_NO_TLS + "?sslmode=prefer",
                    }
                ),
            )
        },
        "redis://redis.example.com is plaintext Redis outside the private network",
        id="tls-public-redis-url",
    ),
    pytest.param(
        "tls-in-transit",
        "prod",
        {"change": _set(tokens.SUPABASE_SSL_ENFORCEMENT, "database-ssl", "enforced", False)},
        "Supabase SSL enforcement is off",
        id="tls-ssl-enforcement-off",
    ),
    pytest.param(
        "tls-in-transit",
        "prod",
        {"change": _add_property(tokens.RAILWAY_CUSTOM_DOMAIN, "backend-domain", "minTlsVersion", "TLSv1.2")},
        "minTlsVersion: minimum TLS version 'TLSv1.2' is below TLS 1.3",
        id="tls-minimum-version-1.2",
    ),
    # tls-endpoints
    pytest.param(
        "tls-endpoints",
        "prod",
        {"change": _drop(tokens.RAILWAY_CUSTOM_DOMAIN)},
        "backend service 'backend' has no public domain",
        id="endpoints-backend-without-domain",
    ),
    pytest.param(
        "tls-endpoints",
        "dev",
        {"change": _drop(tokens.RAILWAY_SERVICE_DOMAIN)},
        "backend service 'backend' has no public domain",
        id="endpoints-dev-backend-without-generated-domain",
    ),
    pytest.param(
        "tls-endpoints",
        "prod",
        {
            "preview": False,
            "change": _set(
                tokens.RAILWAY_CUSTOM_DOMAIN,
                "backend-domain",
                "certificateStatus",
                "CERTIFICATE_STATUS_TYPE_ISSUE_FAILED",
            ),
        },
        "Railway could not issue a TLS certificate for api.converge-nps.com",
        id="endpoints-certificate-failed",
    ),
    pytest.param(
        "tls-in-transit",
        "prod",
        {
            "change": _set(
                tokens.GITHUB_ENVIRONMENT_SECRET,
                "production-database_url",
                "plaintextValue",
                Secret(DB_URL_NO_TLS + "?sslmode=verify-full&ssl_min_protocol_version=TLSv1.1"),
            )
        },
        "allows TLSv1.1; ssl_min_protocol_version must be TLSv1.3 or above",
        id="tls-database-url-tls-1.1",
    ),
    pytest.param(
        "tls-endpoints",
        "prod",
        {"change": _domain_on_redis},
        "Redis service 'redis' has a public domain (backend-domain)",
        id="endpoints-redis-exposed",
    ),
    pytest.param(
        "tls-endpoints",
        "staging",
        {"change": _drop(tokens.SUPABASE_SSL_ENFORCEMENT)},
        "Supabase project 'database-project' has no SslEnforcement resource",
        id="endpoints-no-ssl-enforcement",
    ),
    # non-root-containers
    pytest.param(
        "non-root-containers",
        "prod",
        {"dockerfile": ROOT_DOCKERFILE},
        "stage runtime: USER root (line 3) is root",
        id="nonroot-user-root",
    ),
    pytest.param(
        "non-root-containers",
        "dev",
        {"dockerfile": NO_USER_DOCKERFILE},
        "stage runtime sets no USER, so it runs as the base image's user (root for node:20.18.1-alpine3.20)",
        id="nonroot-no-user",
    ),
    pytest.param(
        "non-root-containers",
        "staging",
        {"dockerfile": UID0_DOCKERFILE},
        "stage runtime: USER 0:0 (line 4) is root",
        id="nonroot-uid-0",
    ),
    pytest.param(
        "non-root-containers",
        "prod",
        {"dockerfile": "FROM node:20.18.1-alpine3.20 AS runtime\nUSER ${APP_UID:-10001}\n"},
        "stage runtime: USER ${APP_UID:-10001} (line 2) cannot be resolved without building ($APP_UID is not set in "
        "the Dockerfile and may come from the base image); give the variable a value in the Dockerfile",
        id="nonroot-user-from-the-base-images-environment",
    ),
    pytest.param(
        "non-root-containers",
        "prod",
        {"overrides": {"converge-nps:redis": {"memoryMb": 512, "vcpu": 0.25, "image": "bitnami/redis:8.10.1"}}},
        "runs bitnami/redis:8.10.1, which this project does not build and `externalImages` does not list",
        id="nonroot-redis-image-not-allowlisted",
    ),
    pytest.param(
        "non-root-containers",
        "dev",
        {"config": {"non-root-containers": {"externalImages": []}}},
        "which this project does not build and `externalImages` does not list",
        id="nonroot-allowlist-removed",
    ),
    pytest.param(
        "non-root-containers",
        "prod",
        {"preview": False, "built_dockerfile": ROOT_DOCKERFILE},
        "service 'backend' runs ghcr.io/converge-nps/backend, which would run as root",
        id="nonroot-deployed-image-from-root-dockerfile",
    ),
    pytest.param(
        "non-root-containers",
        "prod",
        {"change": _redis_command("exec docker-entrypoint.sh redis-server", "exec redis-server")},
        "as root: its start command execs `redis-server`, and Railway's start command replaces the image's "
        "ENTRYPOINT (docker-entrypoint.sh), which is what drops root",
        id="nonroot-redis-start-command-bypasses-the-entrypoint",
    ),
    pytest.param(
        "non-root-containers",
        "staging",
        {
            "change": _redis_command(
                "exec docker-entrypoint.sh redis-server", "docker-entrypoint.sh id; exec redis-server"
            )
        },
        "its start command is not one simple command, so nothing shows it runs docker-entrypoint.sh",
        id="nonroot-redis-start-command-is-a-script",
    ),
    # spending-cap
    pytest.param(
        "spending-cap",
        "prod",
        {
            "overrides": {
                **SEED_PROD,
                "converge-nps:eventMode": True,
                "converge-nps:backend": {**SEED_PROD["converge-nps:backend"], "eventReplicas": 5},
            }
        },
        f"estimated {money(SEED_EVENT_AT_FIVE_USD)}/month as deployed exceeds the budget of $285.00 by "
        f"{money(SEED_EVENT_AT_FIVE_USD - 285)}",
        id="spending-event-mode-at-five-replicas",
    ),
    pytest.param(
        "spending-cap",
        "prod",
        {"overrides": SEED_PROD, "config": {"spending-cap": {"estimateAt": "max"}}},
        f"estimated {money(SEED_PROD_AT_MAX_USD)}/month at maximum replicas exceeds the budget of $285.00 by "
        f"{money(SEED_PROD_AT_MAX_USD - 285)}",
        id="spending-strict-maximum",
    ),
    pytest.param(
        "spending-cap",
        "prod",
        {"overrides": {"converge-nps:railway": {"setUsageLimit": False}}},
        "no Railway usage limit is declared",
        id="spending-no-hard-limit",
    ),
    pytest.param(
        "spending-cap",
        "prod",
        {"change": _set(tokens.RAILWAY_USAGE_LIMIT, None, "hardLimitDollars", 400)},
        f"Railway hard limit $400.00 is above the {money(WORKSPACE_BUDGETS_USD)} it must cap "
        "(the budgets of prod, dev, staging",
        id="spending-hard-limit-above-workspace-budgets",
    ),
    pytest.param(
        "spending-cap",
        "prod",
        {"change": _set(tokens.RAILWAY_USAGE_LIMIT, None, "hardLimitDollars", 250)},
        f"Railway hard limit $250.00 is below production's {money(PROD_RAILWAY_MAX_USD)}/month Railway spend "
        "at maximum replicas",
        id="spending-hard-limit-below-production-at-maximum",
    ),
    pytest.param(
        "spending-cap",
        "staging",
        {
            "overrides": {"converge-nps:railway": {"setUsageLimit": True}},
            "config": {"spending-cap": {"hardLimit": "required"}},
            "change": _set(tokens.RAILWAY_USAGE_LIMIT, None, "hardLimitDollars", 100),
        },
        f"Railway hard limit $100.00 is below production's {money(PROD_RAILWAY_MAX_USD)}/month Railway spend "
        "at maximum replicas",
        id="spending-limit-set-by-another-stack-below-production",
    ),
    pytest.param(
        "spending-cap",
        "prod",
        {"change": _set(tokens.RAILWAY_USAGE_LIMIT, None, "softLimitDollars", 400)},
        f"Railway soft limit $400.00 is above the hard limit {money(PROD_WORKSPACE_LIMIT.hard_usd)}",
        id="spending-soft-above-hard",
    ),
    pytest.param(
        "spending-cap",
        "prod",
        {"change": _set(tokens.RAILWAY_USAGE_LIMIT, None, "hardLimitDollars", None)},
        "has no hard limit, only an alert",
        id="spending-alert-only",
    ),
    # replica-limits
    pytest.param(
        "replica-limits",
        "prod",
        {"change": _set(tokens.RAILWAY_SERVICE, "backend", "numReplicas", 6)},
        "service 'backend' runs 6 replicas; the cap is 5",
        id="replicas-six",
    ),
    pytest.param(
        "replica-limits",
        "prod",
        {"change": _set(tokens.RAILWAY_SERVICE, "backend", "numReplicas", 1)},
        "service 'backend' runs 1 replica(s); this stack needs at least 2",
        id="replicas-prod-one",
    ),
    pytest.param(
        "replica-limits",
        "staging",
        {"change": _set(tokens.RAILWAY_SERVICE, "watchdog", "numReplicas", 2)},
        "watchdog service 'watchdog' runs 2 replicas; it must run 1",
        id="replicas-two-watchdogs",
    ),
    pytest.param(
        "replica-limits",
        "prod",
        {"change": _component_output(BACKEND_COMPONENT, "maxReplicas", 8)},
        "service 'backend' may scale to 8 replicas; the cap is 5",
        id="replicas-scaling-bound-above-cap",
    ),
    pytest.param(
        "replica-limits",
        "staging",
        {"change": _set(tokens.RAILWAY_SERVICE, "redis", "numReplicas", 2)},
        "service 'redis' has a volume and 2 replicas",
        id="replicas-redis-with-volume",
    ),
    pytest.param(
        "replica-limits",
        "prod",
        {"change": _component_output(BACKEND_COMPONENT, "minReplicas", 1)},
        "service 'backend' may scale down to 1 replica(s); this stack needs at least 2",
        id="replicas-scaling-bound-below-production-minimum",
    ),
    # sensitive-values-are-secrets (validation half)
    pytest.param(
        "sensitive-values-are-secrets",
        "prod",
        {"change": _no_secret_outputs(tokens.RANDOM_PASSWORD, "redis-password")},
        "produces credentials in result, bcryptHash, which are not in additionalSecretOutputs",
        id="secrets-password-output-not-secret",
    ),
    pytest.param(
        "sensitive-values-are-secrets",
        "staging",
        {"change": _no_secret_outputs(tokens.SUPABASE_API_KEYS, "database-api-keys")},
        "produces credentials in serviceRoleKey",
        id="secrets-service-role-key-output",
    ),
    pytest.param(
        "sensitive-values-are-secrets",
        "dev",
        {"change": _set(tokens.GITHUB_ENVIRONMENT_VARIABLE, "development-vite_ws_url", "variableName", "SENTRY_DSN")},
        "puts the credential 'SENTRY_DSN' in a plaintext variable",
        id="secrets-credential-in-actions-variable",
    ),
    # secret-stack-outputs
    pytest.param(
        "secret-stack-outputs",
        "staging",
        {"change": _stack_output("railway", {"token": "ghp_" + "A1b2C3d4E5f6G7h8I9j0" * 2})},
        "stack output 'railway.token' holds a GitHub token in plaintext",
        id="stack-output-token-in-plaintext",
    ),
    # production-deploy-gate
    pytest.param(
        "production-deploy-gate",
        "prod",
        {"change": _set(tokens.GITHUB_REPOSITORY_ENVIRONMENT, "production", "reviewers", None)},
        "GitHub environment 'production' has no required reviewers",
        id="gate-no-reviewers",
    ),
    pytest.param(
        "production-deploy-gate",
        "prod",
        {"change": _set(tokens.GITHUB_REPOSITORY_ENVIRONMENT, "production", "canAdminsBypass", True)},
        "lets admins bypass its reviewers",
        id="gate-admin-bypass",
    ),
    pytest.param(
        "production-deploy-gate",
        "prod",
        {"change": _set(tokens.GITHUB_DEPLOYMENT_POLICY, "production-branch", "branchPattern", "release/*")},
        "allows deployments from branch pattern 'release/*'; only 'main' may deploy",
        id="gate-wildcard-branch",
    ),
    pytest.param(
        "production-deploy-gate",
        "prod",
        {
            "change": _set(
                tokens.GITHUB_REPOSITORY_ENVIRONMENT,
                "production",
                "deploymentBranchPolicy",
                {"protectedBranches": True, "customBranchPolicies": False},
            )
        },
        "does not restrict deployments to custom branch policies",
        id="gate-any-protected-branch",
    ),
    pytest.param(
        "production-deploy-gate",
        "prod",
        {"change": _drop(tokens.GITHUB_DEPLOYMENT_POLICY, "production-branch")},
        "has no deployment branch policy for 'main'",
        id="gate-no-branch-policy",
    ),
    # redis-version
    pytest.param(
        "redis-version",
        "prod",
        {"overrides": {"converge-nps:redis": {"memoryMb": 512, "vcpu": 0.25, "image": "redis:7.4.1-alpine"}}},
        "service 'redis' runs redis:7.4.1-alpine: Redis 7.4.1 is older than",
        id="redis-version-unpatched",
    ),
    # redis-persistence
    pytest.param(
        "redis-persistence",
        "prod",
        {"change": _redis_command("--appendonly yes", "--appendonly no")},
        "Redis service 'redis': it does not end up with `--appendonly yes`",
        id="redis-aof-off",
    ),
    pytest.param(
        "redis-persistence",
        "prod",
        {"change": _redis_command("--appendonly yes", "--appendonly yes --appendonly no")},
        "it does not end up with `--appendonly yes` (the last --appendonly wins)",
        id="redis-aof-turned-off-by-a-later-flag",
    ),
    pytest.param(
        "redis-persistence",
        "staging",
        {"change": _drop(tokens.RAILWAY_VOLUME)},
        "it writes its RDB and AOF files to /data (its --dir), where no volume is mounted",
        id="redis-no-volume",
    ),
    pytest.param(
        "redis-persistence",
        "prod",
        {"change": _redis_command("--dir /data", "--dir /var/lib/redis")},
        "it writes its RDB and AOF files to /var/lib/redis (its --dir), where no volume is mounted",
        id="redis-dir-off-the-volume",
    ),
    pytest.param(
        "redis-persistence",
        "prod",
        {"change": _redis_command("--dir /data", "--dir /data --dir cache")},
        "to /data/cache (its --dir), where no volume is mounted",
        id="redis-relative-dir-off-the-volume",
    ),
    pytest.param(
        "redis-persistence",
        "prod",
        {"change": _redis_command('--save "3600 1 300 100 60 10000"', '--save ""')},
        "its `--save` flags leave no RDB snapshot points",
        id="redis-rdb-off",
    ),
    pytest.param(
        "redis-persistence",
        "prod",
        {"change": _redis_command("--appendonly yes", "--appendonly yes --save")},
        "its `--save` flags leave no RDB snapshot points",
        id="redis-rdb-off-by-a-bare-save",
    ),
    pytest.param(
        "redis-persistence",
        "prod",
        {"change": _redis_command("--appendonly yes", "--appendonly sometimes")},
        "redis-server would refuse to start: --appendonly sometimes: must be yes or no",
        id="redis-invalid-flag",
    ),
    pytest.param(
        "redis-persistence",
        "dev",
        {"config": {"redis-persistence": "mandatory"}, "change": _drop(tokens.RAILWAY_VOLUME)},
        "where no volume is mounted",
        id="redis-enforced-in-dev-by-config",
    ),
    # database-backups
    pytest.param(
        "database-backups",
        "prod",
        {"change": _set(tokens.SUPABASE_PROJECT, "database-project", "plan", "free")},
        "is on the 'free' plan, which keeps 0 days of daily backups; this stack needs at least 7",
        id="backups-free-plan",
    ),
    pytest.param(
        "database-backups",
        "prod",
        {"change": _drop(tokens.SUPABASE_BACKUPS)},
        "has no Backups resource",
        id="backups-not-checked",
    ),
    pytest.param(
        "database-backups",
        "prod",
        {"change": _set(tokens.SUPABASE_BACKUPS, "database-backups", "retentionDays", 3)},
        "expects 3 days of backups; at least 7 needed",
        id="backups-short-retention",
    ),
    pytest.param(
        "database-backups",
        "dev",
        {"config": {"database-backups": "mandatory"}},
        "is on the 'free' plan, which keeps 0 days of daily backups",
        id="backups-enforced-for-free-dev-by-config",
    ),
]


@pytest.mark.parametrize(("policy", "stack", "variant", "message"), VARIANTS)
def test_violating_variant_fails_with_the_policys_message(
    policy: str, stack: str, variant: dict[str, Any], message: str, tmp_path: Path
) -> None:
    variant = dict(variant)
    config = variant.pop("config", None)
    if "dockerfile" in variant:
        dockerfile = tmp_path / "Dockerfile"
        dockerfile.write_text(variant.pop("dockerfile"))
        variant["overrides"] = {
            "converge-nps:image": {"repository": "ghcr.io/converge-nps/backend", "dockerfile": str(dockerfile)}
        }
    if "built_dockerfile" in variant:
        dockerfile = tmp_path / "Dockerfile"
        dockerfile.write_text(variant.pop("built_dockerfile"))
        config = {
            "non-root-containers": {
                "builtImages": {"ghcr.io/converge-nps/backend": {"dockerfile": str(dockerfile), "target": "runtime"}}
            }
        }
        # The built image itself stays the real one; only what the deployed repository maps to changes.
    judged = judge(stack, config=config, **variant)
    assert judged.result.verdict(policy) == "fail", judged.result.diagnostics
    messages = judged.messages(policy)
    assert any(message in text for text in messages), messages
    assert all(d.level == "mandatory" for d in judged.result.of(policy))


def test_every_policy_has_a_violating_variant() -> None:
    covered = {param.values[0] for param in VARIANTS}
    assert covered == set(MANDATORY)


# --- the remediation half of sensitive-values-are-secrets --------------------------------------------


def test_plaintext_credentials_are_made_secret_by_remediation() -> None:
    def change(resources: Resources) -> None:
        resources.set(
            tokens.RAILWAY_VARIABLES,
            "backend-variables",
            "variables",
            {"NODE_ENV": "production", "MAPS_API_KEY": "AIza-plaintext", "FRONTEND_URL": "https://converge-nps.com"},
        )
        _unsecret(tokens.SUPABASE_PROJECT, "database-project", "dbPass")(resources)

    judged = judge("prod", preview=False, change=change)
    changed = {(r.name, r.changed) for r in judged.result.remediations}
    assert changed == {("backend-variables", ("variables",)), ("database-project", ("dbPass",))}
    assert judged.result.verdict("sensitive-values-are-secrets") == "remediated"
    urn = next(r.urn for r in judged.resources if r.name == "backend-variables")
    remediated = judged.result.props[urn]["variables"]
    secret_sig = "1b47061264138c4ac30d75fd1eb44270"
    assert remediated["MAPS_API_KEY"]["4dabf18193072939515e22adb298388d"] == secret_sig
    assert remediated["MAPS_API_KEY"]["value"] == "AIza-plaintext"
    assert remediated["NODE_ENV"] == "production"  # only the credential is wrapped


def test_remediation_leaves_already_secret_values_alone(stack: str) -> None:
    assert not judge(stack, preview=False).result.remediations


def test_a_map_of_secrets_counts_as_secret(stack: str) -> None:
    """What the real engine hands a policy for a dynamic provider's secret map: after the provider's
    Check, secrecy sits on each value, not on the map (seen with `pulumi preview --policy-pack`)."""

    def per_value(resources: Resources) -> None:
        for resource in resources.items:
            if resource.type == tokens.RAILWAY_VARIABLES:
                secrets = resource.inputs["secrets"]
                assert isinstance(secrets, Secret)
                if isinstance(secrets.value, dict):
                    resource.inputs["secrets"] = {name: Secret(value) for name, value in secrets.value.items()}

    judged = judge(stack, preview=False, change=per_value)
    assert not judged.result.remediations
    leaked = judge(
        stack,
        preview=False,
        change=lambda resources: (
            per_value(resources),
            resources.one(tokens.RAILWAY_VARIABLES, "backend-variables").inputs["secrets"].update(JWT_SECRET="plain"),
        ),
    )
    assert [(r.name, r.changed) for r in leaked.result.remediations] == [("backend-variables", ("secrets",))]


# --- unknown values ----------------------------------------------------------------------------------


def test_every_value_unknown_stops_no_policy(stack: str) -> None:
    """A preview where nothing is known yet: no policy raises, none gives up with the SDK's
    "can't run policy during preview" note, and none reports a violation it cannot see."""

    def everything_unknown(resources: Resources) -> None:
        for resource in resources.items:
            resource.inputs = all_unknown(resource.inputs)
            resource.outputs = all_unknown(resource.outputs)

    judged = judge(stack, change=everything_unknown)
    problems = [d for d in judged.result.diagnostics if d.policy != "cost-estimate"]
    assert problems == []
    assert not any("can't run" in d.detail for d in judged.result.diagnostics)


def test_whole_properties_unknown_stop_no_policy() -> None:
    """Objects and lists unknown as a whole (the engine's typed sentinels, not only strings)."""
    from components.values import UNKNOWN

    def objects_unknown(resources: Resources) -> None:
        for resource in resources.items:
            for props in (resource.inputs, resource.outputs):
                for key in list(props):
                    if not key.startswith("__"):
                        props[key] = UNKNOWN

    judged = judge("prod", change=objects_unknown)
    assert [d.policy for d in judged.result.diagnostics] == ["cost-estimate"]


def test_preview_unknowns_are_judged_at_update(tmp_path: Path) -> None:
    """In preview the backend's image is the digest of an image not built yet: the service cannot be
    judged (the Image resource is). At update the digest is known and the service is checked against
    the Dockerfile its repository is built from."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(ROOT_DOCKERFILE)
    config = {"non-root-containers": {"builtImages": {"ghcr.io/converge-nps/backend": {"dockerfile": str(dockerfile)}}}}
    preview, update = judge("prod", preview=True, config=config), judge("prod", preview=False, config=config)
    image = {
        name: next(
            r.inputs["image"] for r in judged.resources if r.type == tokens.RAILWAY_SERVICE and r.name == "backend"
        )
        for name, judged in (("preview", preview), ("update", update))
    }
    assert type(image["preview"]).__name__ == "Unknown"
    assert str(image["update"]).startswith("ghcr.io/converge-nps/backend@sha256:")
    assert preview.result.verdict("non-root-containers") == "pass"
    assert update.result.verdict("non-root-containers") == "fail"


# --- the config files CI passes ----------------------------------------------------------------------


def test_the_pack_judges_against_the_budget_of_the_stack_settings() -> None:
    judged = judge("prod", overrides={**SEED_PROD, "converge-nps:budget": {"monthlyUsd": 120}})
    assert any("exceeds the budget of $120.00" in message for message in judged.messages("spending-cap"))
    [table] = judged.messages("cost-estimate")
    assert "budget $120.00/month" in table


def test_config_files_hold_only_this_packs_policies() -> None:
    assert sorted(path.stem for path in CONFIG_DIR.glob("*.json")) == sorted(STACKS)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"no-such-policy": "mandatory"}, "no-such-policy: not a policy of this pack"),
        ({"spending-cap": {"hardLimitCeilingUsd": -5}}, "spending-cap: hardLimitCeilingUsd"),
        ({"spending-cap": {"estimateAt": "median"}}, "'median' is not one of"),
        ({"tls-in-transit": "strict"}, "'strict' is not a valid enforcement level"),
        (
            {"non-root-containers": {"externalImages": [{"image": "redis:*", "reason": "fine"}]}},
            "non-root-containers: externalImages.0.reason",
        ),
    ],
)
def test_an_invalid_pack_config_is_refused_like_the_cli_does(config: dict[str, Any], message: str) -> None:
    from ops.report.pack import reconcile

    with pytest.raises(PackConfigError, match=message.replace(".", r"\.").replace("*", r"\*")):
        reconcile(POLICIES, config)


def test_all_sets_every_level_and_a_policy_entry_overrides_it() -> None:
    from ops.report.pack import reconcile

    config = {"all": "advisory", "tls-in-transit": "mandatory", "spending-cap": {"estimateAt": "max"}}
    levels = {name: c.level for name, c in reconcile(POLICIES, config).items()}
    assert levels["tls-in-transit"] == "mandatory"
    assert {level for name, level in levels.items() if name != "tls-in-transit"} == {"advisory"}


def test_a_disabled_policy_does_not_run() -> None:
    judged = judge(
        "prod", config={"replica-limits": "disabled"}, change=_set(tokens.RAILWAY_SERVICE, "backend", "numReplicas", 9)
    )
    assert judged.result.verdict("replica-limits") == "disabled"
    assert judged.result.of("replica-limits") == []


def test_the_environment_names_match_the_stacks() -> None:
    for stack in STACKS:
        run = judge(stack).run
        environments = {
            r.inputs["environment"] for r in run.resources if r.type == tokens.GITHUB_REPOSITORY_ENVIRONMENT
        }
        # The deploy environment, plus the scheduled-backup one where the stack has backups.
        environment = ENVIRONMENT_BY_STACK[stack]
        assert environments - {f"{environment}-backups"} == {environment}


def test_redis_refusals_never_quote_the_start_command() -> None:
    """A start command may carry a literal password; the messages name flags and programs only."""
    password = "literal-password-0123456789abcdef"

    def change(resources: Resources) -> None:
        redis = resources.one(tokens.RAILWAY_SERVICE, "redis")
        command = f"redis-server --requirepass {password} --appendonly no --save '' --dir /elsewhere"
        resources.set(tokens.RAILWAY_SERVICE, "redis", "startCommand", command)
        assert redis.inputs["startCommand"] == command

    judged = judge("prod", change=change)
    messages = judged.messages("redis-persistence") + judged.messages("non-root-containers")
    assert len(messages) == 4, messages
    assert all("fix" in text or "start it" in text or "mount" in text for text in messages)
    assert not any(password in text for text in messages)
