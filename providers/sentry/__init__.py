"""Pulumi dynamic providers over Sentry's public API (see docs/monitoring-providers.md).

One kind per module, each with its own type token `pulumi-python:dynamic/sentry:<Kind>`, its args
dataclass and its resource class: Project, ClientKey, Alert. The token comes from `SENTRY_AUTH_TOKEN`
when a provider method runs, and the client (`client.py`) is imported there too: declaring resources
imports no HTTP library.
"""

from providers.sentry.alert import AlertArgs, SentryAlert
from providers.sentry.client_key import ClientKeyArgs, SentryClientKey
from providers.sentry.project import ProjectArgs, SentryProject

__all__ = ["AlertArgs", "ClientKeyArgs", "ProjectArgs", "SentryAlert", "SentryClientKey", "SentryProject"]
