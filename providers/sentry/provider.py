"""The Sentry side of the provider core: every Sentry kind's provider makes its client here, and every
Sentry object belongs to one organization."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from providers.core.provider import Provider

if TYPE_CHECKING:
    from providers.sentry.client import SentryClient


class SentryProvider(Provider):
    replace_on: ClassVar[tuple[str, ...]] = ("organization",)

    def client(self) -> SentryClient:
        """A client for the base URL and `SENTRY_AUTH_TOKEN` in the environment right now."""
        from providers.sentry.client import SentryClient

        return SentryClient.from_environment()
