"""Type tokens of the resources the policies judge, and what the policies know about each.

Railway and Supabase resources are this project's dynamic providers (providers/railway,
providers/supabase): `pulumi-python:dynamic/<module>:<Kind>`. Their property names are the ones the
providers register: camelCase for Railway, snake_case for Supabase.
"""

from __future__ import annotations

RANDOM_BYTES = "random:index/randomBytes:RandomBytes"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"  # noqa: S105 - a type token
DOCKER_IMAGE = "docker:index/image:Image"
GITHUB_ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
GITHUB_DEPLOYMENT_POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
GITHUB_ENVIRONMENT_SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"  # noqa: S105
GITHUB_ENVIRONMENT_VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
GITHUB_ACTIONS_VARIABLE = "github:index/actionsVariable:ActionsVariable"

_RAILWAY = "pulumi-python:dynamic/railway:"
RAILWAY_PROJECT = _RAILWAY + "Project"
RAILWAY_ENVIRONMENT = _RAILWAY + "Environment"
RAILWAY_SERVICE = _RAILWAY + "Service"
RAILWAY_SERVICE_LIMITS = _RAILWAY + "ServiceLimits"
RAILWAY_VARIABLES = _RAILWAY + "Variables"
RAILWAY_VOLUME = _RAILWAY + "Volume"
RAILWAY_USAGE_LIMIT = _RAILWAY + "UsageLimit"
RAILWAY_CUSTOM_DOMAIN = _RAILWAY + "CustomDomain"
RAILWAY_SERVICE_DOMAIN = _RAILWAY + "ServiceDomain"
RAILWAY_PROJECT_TOKEN = _RAILWAY + "ProjectToken"
RAILWAY_DEPLOYMENT = _RAILWAY + "Deployment"

_SUPABASE = "pulumi-python:dynamic/supabase:"
SUPABASE_PROJECT = _SUPABASE + "Project"
SUPABASE_COMPUTE = _SUPABASE + "Compute"
SUPABASE_POOLER = _SUPABASE + "Pooler"
SUPABASE_SSL_ENFORCEMENT = _SUPABASE + "SslEnforcement"
SUPABASE_NETWORK_RESTRICTIONS = _SUPABASE + "NetworkRestrictions"
SUPABASE_ROW_LEVEL_SECURITY = _SUPABASE + "RowLevelSecurity"
SUPABASE_API_KEYS = _SUPABASE + "ApiKeys"
SUPABASE_BACKUPS = _SUPABASE + "Backups"

# Outputs that carry credentials (sensitive-values-are-secrets wants them in additionalSecretOutputs).
SECRET_OUTPUTS: dict[str, list[str]] = {
    RAILWAY_PROJECT_TOKEN: ["token"],
    SUPABASE_PROJECT: ["dbPass"],
    SUPABASE_API_KEYS: ["serviceRoleKey"],
}

# Inputs that are credentials whatever their name.
ALWAYS_SENSITIVE: dict[str, tuple[str, ...]] = {
    RAILWAY_VARIABLES: ("secrets",),
    SUPABASE_PROJECT: ("dbPass",),
}

# Resources holding a single (name, value) pair whose value is a credential when the name says so.
NAMED_VALUES: dict[str, tuple[str, str]] = {}
