"""Pulumi dynamic providers over the Supabase Management API (see docs/supabase.md).

One kind per module, each with its own type token `pulumi-python:dynamic/supabase:<Kind>`, its args
dataclass and its resource class: Project, Compute, Pooler, SslEnforcement, NetworkRestrictions,
RowLevelSecurity, ApiKeys, Backups. Credentials come from `SUPABASE_ACCESS_TOKEN` when a provider
method runs, and the client (`client.py`) is imported there too: declaring resources imports no HTTP
library. Nothing here can reach Supabase from the development machines, so the tests check requests
against the official spec and a local fake API.
"""

from providers.supabase.api_keys import ApiKeysArgs, SupabaseApiKeys
from providers.supabase.backups import BackupsArgs, SupabaseBackups
from providers.supabase.compute import ComputeArgs, SupabaseCompute
from providers.supabase.network_restrictions import NetworkRestrictionsArgs, SupabaseNetworkRestrictions
from providers.supabase.pooler import PoolerArgs, SupabasePooler
from providers.supabase.project import ProjectArgs, SupabaseProject
from providers.supabase.row_level_security import RowLevelSecurityArgs, SupabaseRowLevelSecurity
from providers.supabase.ssl_enforcement import SslEnforcementArgs, SupabaseSslEnforcement

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
