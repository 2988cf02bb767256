"""What the policy pack and the cost model read of a SupabaseDatabase's resources, each name once.

These are the Supabase provider's property names (providers/supabase); when the provider renames a
property, the name changes here and nowhere else.
"""

from __future__ import annotations

from typing import Final

# pulumi-python:dynamic/supabase:Project
PROJECT_PLAN: Final = "plan"
PROJECT_ORGANIZATION: Final = "organizationSlug"
PROJECT_DB_PASSWORD: Final = "dbPass"  # noqa: S105 - a property name
PROJECT_POSTGRES_MINIMUM_MAJOR: Final = "postgresMajorVersion"
PROJECT_POSTGRES_MAJOR: Final = "postgresMajor"
# pulumi-python:dynamic/supabase:Compute
COMPUTE_SIZE: Final = "size"
# The Management API names sizes `ci_micro`, ...; the settings and the price table without the prefix.
COMPUTE_SIZE_PREFIX: Final = "ci_"
# pulumi-python:dynamic/supabase:SslEnforcement
SSL_ENFORCED: Final = "enforced"
# pulumi-python:dynamic/supabase:Backups
BACKUPS_RETENTION_DAYS: Final = "retentionDays"
# pulumi-python:dynamic/supabase:ApiKeys
API_SERVICE_ROLE_KEY: Final = "serviceRoleKey"
