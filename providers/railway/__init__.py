"""Pulumi dynamic providers for Railway over its public GraphQL API (see docs/railway.md).

One resource kind per class, each with its own type token `pulumi-python:dynamic/railway:<Kind>`.
"""

from providers.railway.domain import RailwayCustomDomain, RailwayServiceDomain
from providers.railway.project import RailwayEnvironment, RailwayProject, RailwayProjectToken, RailwayUsageLimit
from providers.railway.service import RailwayDeployment, RailwayService, RailwayServiceLimits, RailwayVariables
from providers.railway.volume import RailwayVolume

__all__ = [
    "RailwayCustomDomain",
    "RailwayDeployment",
    "RailwayEnvironment",
    "RailwayProject",
    "RailwayProjectToken",
    "RailwayService",
    "RailwayServiceDomain",
    "RailwayServiceLimits",
    "RailwayUsageLimit",
    "RailwayVariables",
    "RailwayVolume",
]
