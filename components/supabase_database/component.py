"""The stack's Supabase PostgreSQL database: a project in the stack's organization, configured and checked.

Built on the dynamic providers in `providers/supabase` (the Management API has no usable Pulumi
provider). Nothing on the development machines can reach Supabase: this is tested against the
official OpenAPI spec and a local fake of the API, and the first real `pulumi up` is the first time
the real API answers.

What the API cannot manage is guarded instead of managed:
- plan: per organization, not settable by the API. The stack declares it (`database.plan`, checked
  against the seed per environment by the settings model), and the project resource compares it with
  the organization's plan before creating anything and on every refresh;
- backup retention: comes with the plan (none on Free, 7 days on Pro). The backups resource fails when
  a plan that promises daily backups shows them off;
- PostgreSQL major version: chosen by Supabase for new projects (its current major). The stack's
  `database.postgresMajorVersion` is the minimum the project resource accepts; the version the project
  runs is an output (`postgresVersion` in the stack output `database`), and an advisory policy reports
  a major other than the seed's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import pulumi

from components import tokens
from components.app_secrets.passwords import generated_password
from providers.supabase import (
    ApiKeysArgs,
    BackupsArgs,
    ComputeArgs,
    NetworkRestrictionsArgs,
    PoolerArgs,
    ProjectArgs,
    RowLevelSecurityArgs,
    SslEnforcementArgs,
    SupabaseApiKeys,
    SupabaseBackups,
    SupabaseCompute,
    SupabaseNetworkRestrictions,
    SupabasePooler,
    SupabaseProject,
    SupabaseRowLevelSecurity,
    SupabaseSslEnforcement,
)

# Supavisor, the shared pooler, listens on one host with two ports: 6543 pools per transaction (the
# application's DATABASE_URL), 5432 per session (migrations: prepared statements, advisory locks, DDL).
TRANSACTION_PORT = 6543
SESSION_PORT = 5432


@dataclass
class SupabaseDatabaseArgs:
    project_name: pulumi.Input[str]
    organization: pulumi.Input[str]
    plan: str
    region: pulumi.Input[str]
    compute_size: pulumi.Input[str]
    postgres_major_version: pulumi.Input[int]
    pool_mode: pulumi.Input[str]
    default_pool_size: pulumi.Input[int]
    # Daily backup retention the plan gives (settings: `database.backup_retention_days`); 0 means none.
    backup_retention_days: int
    rls_schemas: Sequence[str] = ("public",)
    # Empty: no network restriction (no resource is declared).
    allowed_cidrs: Sequence[str] = ()
    # Protect the project from `pulumi destroy` and replacement (production).
    protect: bool = False


def postgres_url(user: str, password: str, host: str, port: int, database: str) -> str:
    """A libpq URL with TLS required; user and password percent-encoded."""
    return (
        f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/"
        f"{quote(database, safe='')}?sslmode=require"
    )


class SupabaseDatabase(pulumi.ComponentResource):
    """A Supabase project with compute size, pooler, SSL enforcement, network restrictions (when CIDRs are
    listed), RLS on every table of the app's schemas, and the operator's read-only data (API keys, backups).

    `database_url` (pooled, transaction mode, port 6543) is the application's DATABASE_URL; `direct_url`
    is for migrations: a session-mode connection (port 5432) on the same pooler host, because the
    project's own host (`db.<ref>.supabase.co`) has only an IPv6 address without the paid IPv4 add-on,
    and GitHub-hosted runners have no IPv6. Both are secrets.
    """

    project_ref: pulumi.Output[str]
    region: pulumi.Output[str]
    database_url: pulumi.Output[str]
    direct_url: pulumi.Output[str]
    anon_key: pulumi.Output[str]
    service_role_key: pulumi.Output[str]

    def __init__(self, name: str, args: SupabaseDatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.SUPABASE_DATABASE, name, None, opts)

        def after(*resources: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, depends_on=list(resources))

        password = generated_password(f"{name}-db-password", parent=self)
        project = SupabaseProject(
            f"{name}-project",
            ProjectArgs(
                name=args.project_name,
                organization_slug=args.organization,
                region=args.region,
                db_pass=password.result,
                plan=args.plan,
                postgres_major_version=args.postgres_major_version,
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        ref = project.ref
        # Settings that restart the database run one after another, each once the previous one settled.
        compute = SupabaseCompute(
            f"{name}-compute", ComputeArgs(project_ref=ref, size=args.compute_size), opts=after(project)
        )
        ssl = SupabaseSslEnforcement(
            f"{name}-ssl", SslEnforcementArgs(project_ref=ref, enforced=True), opts=after(compute)
        )
        last: pulumi.Resource = ssl
        if args.allowed_cidrs:
            last = SupabaseNetworkRestrictions(
                f"{name}-network",
                NetworkRestrictionsArgs(project_ref=ref, allowed_cidrs=list(args.allowed_cidrs)),
                opts=after(ssl),
            )
        pooler = SupabasePooler(
            f"{name}-pooler",
            PoolerArgs(project_ref=ref, pool_mode=args.pool_mode, default_pool_size=args.default_pool_size),
            opts=after(last),
        )
        SupabaseRowLevelSecurity(
            f"{name}-rls", RowLevelSecurityArgs(project_ref=ref, schemas=list(args.rls_schemas)), opts=after(pooler)
        )
        keys = SupabaseApiKeys(f"{name}-api-keys", ApiKeysArgs(project_ref=ref), opts=after(project))
        backups = SupabaseBackups(
            f"{name}-backups",
            BackupsArgs(project_ref=ref, retention_days=args.backup_retention_days),
            opts=after(project),
        )

        def url(port: int) -> pulumi.Output[str]:
            return pulumi.Output.secret(
                pulumi.Output.all(pooler.db_user, password.result, pooler.db_host, pooler.db_name).apply(
                    lambda parts: postgres_url(parts[0], parts[1], parts[2], port, parts[3])
                )
            )

        self.project_ref = ref
        self.region = project.region
        self.plan = args.plan
        self.backup_retention_days = args.backup_retention_days
        self.database_url = url(TRANSACTION_PORT)
        self.direct_url = url(SESSION_PORT)
        self.anon_key = pulumi.Output.secret(keys.anon_key)
        self.service_role_key = pulumi.Output.secret(keys.service_role_key)
        self.compute_size = compute.size
        self.postgres_version = project.postgres_version
        self.postgres_major = project.postgres_major
        self.backups = {
            "retentionDays": args.backup_retention_days,
            "walgEnabled": backups.walg_enabled,
            "pitrEnabled": backups.pitr_enabled,
            "lastBackupAt": backups.last_backup_at,
        }
        self.register_outputs(
            {
                "projectRef": self.project_ref,
                "region": self.region,
                "plan": self.plan,
                "computeSize": self.compute_size,
                "postgresVersion": self.postgres_version,
                "backups": self.backups,
                "databaseUrl": self.database_url,
                "directUrl": self.direct_url,
            }
        )
