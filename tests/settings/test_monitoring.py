"""The monitoring settings (`uptime`, `sentry`): what they accept and the messages for what they refuse."""

from __future__ import annotations

import pytest

from settings.loader import load_stack_settings
from tests.settings.test_model import config, error_for


def test_the_uptime_interval_defaults_to_the_seeds_five_minutes() -> None:
    assert load_stack_settings("dev", config("dev"), {}).uptime.interval_seconds == 300


@pytest.mark.parametrize("address", ["alerts", "alerts@", "alerts@converge-nps", "a b@converge-nps.com"])
def test_the_alert_address_must_be_an_email_address(address: str) -> None:
    assert "converge-nps:uptime.alertEmail" in str(error_for("dev", **{"uptime.alertEmail": address}))


@pytest.mark.parametrize("slug", ["Converge", "converge nps", "-converge", ""])
def test_sentry_slugs_are_slugs(slug: str) -> None:
    assert "converge-nps:sentry.organization" in str(error_for("prod", **{"sentry.organization": slug}))


def test_sentry_slack_needs_both_the_integration_and_the_channel() -> None:
    error = error_for("prod", **{"sentry.slackIntegrationId": "123456"})
    assert "set both slackIntegrationId and slackChannel" in str(error)
    both = config("prod", **{"sentry.slackIntegrationId": "123456", "sentry.slackChannel": "#converge-alerts"})
    assert load_stack_settings("prod", both, {}).sentry.slack_channel == "#converge-alerts"


def test_the_sentry_dsns_are_no_settings_any_more() -> None:
    error = error_for("dev", sentryDsn="https://0123@o1.ingest.sentry.io/1")
    assert "converge-nps:sentryDsn: unknown key" in str(error)
