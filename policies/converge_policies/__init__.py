"""The policies of the converge-nps pack, one per module; `POLICIES` is the pack in its order."""

from pulumi_policy import EnforcementLevel, Policy

from policies.converge_policies import (
    cost_table,
    database_backups,
    non_root,
    postgres_version,
    production_gate,
    redis_persistence,
    redis_version,
    replicas,
    secrets,
    spending,
    stack_outputs,
    tls,
    tls_endpoints,
)

# The pack's level for a policy that names none (every policy here names its own).
PACK_ENFORCEMENT_LEVEL = EnforcementLevel.MANDATORY

POLICIES: list[Policy] = [
    tls.POLICY,
    tls_endpoints.POLICY,
    non_root.POLICY,
    spending.POLICY,
    cost_table.POLICY,
    replicas.POLICY,
    secrets.POLICY,
    stack_outputs.POLICY,
    production_gate.POLICY,
    redis_persistence.POLICY,
    redis_version.POLICY,
    database_backups.POLICY,
    postgres_version.POLICY,
]

__all__ = ["PACK_ENFORCEMENT_LEVEL", "POLICIES"]
