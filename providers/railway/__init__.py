"""Pulumi dynamic providers for Railway over its public GraphQL API (see docs/railway.md).

One kind per module, each with its own type token `pulumi-python:dynamic/railway:<Kind>`, its args
dataclass and its resource class. Declaring resources imports no HTTP library: the client
(`client.py`) is imported inside provider methods.
"""

from providers.railway.custom_domain import CustomDomainArgs, RailwayCustomDomain
from providers.railway.deployment import DeploymentArgs, RailwayDeployment
from providers.railway.environment import EnvironmentArgs, RailwayEnvironment
from providers.railway.observability_dashboard import ObservabilityDashboardArgs, RailwayObservabilityDashboard
from providers.railway.project import ProjectArgs, RailwayProject
from providers.railway.project_token import ProjectTokenArgs, RailwayProjectToken
from providers.railway.service import RailwayService, ServiceArgs
from providers.railway.service_domain import RailwayServiceDomain, ServiceDomainArgs
from providers.railway.service_limits import RailwayServiceLimits, ServiceLimitsArgs
from providers.railway.usage_limit import RailwayUsageLimit, UsageLimitArgs
from providers.railway.variables import RailwayVariables, VariablesArgs
from providers.railway.volume import RailwayVolume, VolumeArgs

__all__ = [
    "CustomDomainArgs",
    "DeploymentArgs",
    "EnvironmentArgs",
    "ObservabilityDashboardArgs",
    "ProjectArgs",
    "ProjectTokenArgs",
    "RailwayCustomDomain",
    "RailwayDeployment",
    "RailwayEnvironment",
    "RailwayObservabilityDashboard",
    "RailwayProject",
    "RailwayProjectToken",
    "RailwayService",
    "RailwayServiceDomain",
    "RailwayServiceLimits",
    "RailwayUsageLimit",
    "RailwayVariables",
    "RailwayVolume",
    "ServiceArgs",
    "ServiceDomainArgs",
    "ServiceLimitsArgs",
    "UsageLimitArgs",
    "VariablesArgs",
    "VolumeArgs",
]
