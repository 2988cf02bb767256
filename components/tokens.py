"""Every type token this project registers or judges, in one place.

The program's components register the `converge:index:*` tokens; the policy pack, the cost model, the
offline runner and the report recognise resources by these names. Railway, Supabase, UptimeRobot and Sentry
resources come from this project's dynamic providers (`providers/<module>`), whose tokens are
`pulumi-python:dynamic/<module>:<Kind>`; the others are pulumi-random's, pulumi-github's and pulumi-docker's.
"""

from __future__ import annotations

from typing import Final

# Components (components/<module>/): one name per component across class, module and token.
COMPONENT_PREFIX: Final = "converge:index:"
APP_SECRETS: Final = COMPONENT_PREFIX + "AppSecrets"
BACKEND_IMAGE: Final = COMPONENT_PREFIX + "BackendImage"
BACKEND_SERVICE: Final = COMPONENT_PREFIX + "BackendService"
ERROR_TRACKING: Final = COMPONENT_PREFIX + "ErrorTracking"
GITHUB_ENVIRONMENT: Final = COMPONENT_PREFIX + "GitHubEnvironment"
OBSERVABILITY_DASHBOARD: Final = COMPONENT_PREFIX + "ObservabilityDashboard"
RAILWAY_PROJECT: Final = COMPONENT_PREFIX + "RailwayProject"
REDIS_CACHE: Final = COMPONENT_PREFIX + "RedisCache"
SUPABASE_DATABASE: Final = COMPONENT_PREFIX + "SupabaseDatabase"
UPTIME_MONITOR: Final = COMPONENT_PREFIX + "UptimeMonitor"
WATCHDOG_SERVICE: Final = COMPONENT_PREFIX + "WatchdogService"

# The stack itself: a stack policy gets it with the stack's outputs as its properties.
STACK: Final = "pulumi:pulumi:Stack"

RANDOM_BYTES: Final = "random:index/randomBytes:RandomBytes"
RANDOM_PASSWORD: Final = "random:index/randomPassword:RandomPassword"  # noqa: S105 - a type token
DOCKER_IMAGE: Final = "docker:index/image:Image"
GITHUB_REPOSITORY_ENVIRONMENT: Final = "github:index/repositoryEnvironment:RepositoryEnvironment"
GITHUB_DEPLOYMENT_POLICY: Final = (
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
)
GITHUB_ENVIRONMENT_SECRET: Final = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"  # noqa: S105
GITHUB_ENVIRONMENT_VARIABLE: Final = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
GITHUB_ACTIONS_VARIABLE: Final = "github:index/actionsVariable:ActionsVariable"
GITHUB_GET_TEAM: Final = "github:index/getTeam:getTeam"
GITHUB_GET_USER: Final = "github:index/getUser:getUser"

# Dynamic providers' resources: `pulumi-python:dynamic/<module>:<Kind>`.
DYNAMIC_PREFIX: Final = "pulumi-python:dynamic/"
_RAILWAY: Final = DYNAMIC_PREFIX + "railway:"
RAILWAY_PROJECT_RESOURCE: Final = _RAILWAY + "Project"
RAILWAY_ENVIRONMENT: Final = _RAILWAY + "Environment"
RAILWAY_SERVICE: Final = _RAILWAY + "Service"
RAILWAY_SERVICE_LIMITS: Final = _RAILWAY + "ServiceLimits"
RAILWAY_VARIABLES: Final = _RAILWAY + "Variables"
RAILWAY_VOLUME: Final = _RAILWAY + "Volume"
RAILWAY_USAGE_LIMIT: Final = _RAILWAY + "UsageLimit"
RAILWAY_CUSTOM_DOMAIN: Final = _RAILWAY + "CustomDomain"
RAILWAY_SERVICE_DOMAIN: Final = _RAILWAY + "ServiceDomain"
RAILWAY_PROJECT_TOKEN: Final = _RAILWAY + "ProjectToken"
RAILWAY_DEPLOYMENT: Final = _RAILWAY + "Deployment"
RAILWAY_OBSERVABILITY_DASHBOARD: Final = _RAILWAY + "ObservabilityDashboard"

_SUPABASE: Final = DYNAMIC_PREFIX + "supabase:"
SUPABASE_PROJECT: Final = _SUPABASE + "Project"
SUPABASE_COMPUTE: Final = _SUPABASE + "Compute"
SUPABASE_POOLER: Final = _SUPABASE + "Pooler"
SUPABASE_SSL_ENFORCEMENT: Final = _SUPABASE + "SslEnforcement"
SUPABASE_NETWORK_RESTRICTIONS: Final = _SUPABASE + "NetworkRestrictions"
SUPABASE_ROW_LEVEL_SECURITY: Final = _SUPABASE + "RowLevelSecurity"
SUPABASE_API_KEYS: Final = _SUPABASE + "ApiKeys"
SUPABASE_BACKUPS: Final = _SUPABASE + "Backups"

_UPTIMEROBOT: Final = DYNAMIC_PREFIX + "uptimerobot:"
UPTIMEROBOT_MONITOR: Final = _UPTIMEROBOT + "Monitor"
UPTIMEROBOT_ALERT_CONTACT: Final = _UPTIMEROBOT + "AlertContact"

_SENTRY: Final = DYNAMIC_PREFIX + "sentry:"
SENTRY_PROJECT: Final = _SENTRY + "Project"
SENTRY_CLIENT_KEY: Final = _SENTRY + "ClientKey"
SENTRY_ALERT: Final = _SENTRY + "Alert"
