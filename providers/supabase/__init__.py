"""Pulumi dynamic providers over the Supabase Management API.

Each kind of object has its own type token, `pulumi-python:dynamic/supabase:<Kind>`: Project, Compute,
Pooler, SslEnforcement, NetworkRestrictions, RowLevelSecurity, ApiKeys, Backups. Credentials come from
`SUPABASE_ACCESS_TOKEN` when a provider method runs; nothing here can reach Supabase from the
development machines, so the tests check requests against the official spec and a local fake API.
"""

from providers.supabase.config import (
    ComputeArgs,
    NetworkRestrictionsArgs,
    PoolerArgs,
    SslEnforcementArgs,
    SupabaseCompute,
    SupabaseNetworkRestrictions,
    SupabasePooler,
    SupabaseSslEnforcement,
)
from providers.supabase.info import ApiKeysArgs, BackupsArgs, SupabaseApiKeys, SupabaseBackups
from providers.supabase.project import ProjectArgs, SupabaseProject
from providers.supabase.rls import RowLevelSecurityArgs, SupabaseRowLevelSecurity

__all__ = [
    "ApiKeysArgs",
    "BackupsArgs",
    "ComputeArgs",
    "NetworkRestrictionsArgs",
    "PoolerArgs",
    "ProjectArgs",
    "RowLevelSecurityArgs",
    "SslEnforcementArgs",
    "SupabaseApiKeys",
    "SupabaseBackups",
    "SupabaseCompute",
    "SupabaseNetworkRestrictions",
    "SupabasePooler",
    "SupabaseProject",
    "SupabaseRowLevelSecurity",
    "SupabaseSslEnforcement",
]
