"""An alert contact (`newAlertContact`): where UptimeRobot sends a monitor's alerts, an e-mail address or a
Slack incoming webhook.

Its type cannot be changed (`editAlertContact` takes a name and a value only): a new kind is a new contact.
A Slack contact's value is the webhook URL, a credential: its provider stores the value as a secret output,
and no message ever shows a value. An e-mail address is configuration, stored as given. An e-mail contact
stays "not activated" until someone follows the link UptimeRobot mails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CreateResult, ReadResult, UpdateResult

from providers.core.properties import is_unknown, properties
from providers.core.provider import Resource, create_or_adopt
from providers.uptimerobot.provider import CONTACT_TYPES, UptimeRobotProvider

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_SLACK_WEBHOOK = "https://hooks.slack.com/"


class AlertContactProvider(UptimeRobotProvider):
    inputs = ("kind", "friendlyName", "value")
    replace_on = ("kind",)
    outputs = ("contactId", "status")

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        kind, value = news.get("kind"), news.get("value")
        if kind not in CONTACT_TYPES:
            return [CheckFailure("kind", f"{kind!r} is not one of {sorted(CONTACT_TYPES)}")]
        if is_unknown(value):
            return []
        # The value is not echoed: a Slack webhook URL is a credential.
        if kind == "email" and not (isinstance(value, str) and _EMAIL.match(value)):
            return [CheckFailure("value", "an e-mail contact needs an e-mail address")]
        if kind == "slack" and not (isinstance(value, str) and value.startswith(_SLACK_WEBHOOK)):
            return [CheckFailure("value", f"a Slack contact needs an incoming webhook URL ({_SLACK_WEBHOOK}...)")]
        return []

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        contact_type = CONTACT_TYPES[props["kind"]]

        def find() -> dict[str, Any] | None:
            found = client.find_alert_contacts(props["friendlyName"], contact_type)
            return found[0] if found else None

        def create() -> dict[str, Any]:
            contact_id = client.new_alert_contact(
                friendly_name=props["friendlyName"], contact_type=contact_type, value=props["value"]
            )
            return client.get_alert_contact(contact_id)

        contact, _origin = create_or_adopt(find, create, what="alert contact")
        contact_id = str(contact["id"])
        if contact.get("value") != props["value"]:
            client.edit_alert_contact(contact_id, friendly_name=props["friendlyName"], value=props["value"])
            contact = client.get_alert_contact(contact_id)
        return CreateResult(contact_id, self.observed(props["kind"], contact))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, self.observed(props["kind"], self.client().get_alert_contact(id_)))

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        client.edit_alert_contact(id_, friendly_name=news["friendlyName"], value=news["value"])
        return UpdateResult(self.observed(news["kind"], client.get_alert_contact(id_)))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client().delete_alert_contact(id_)

    @staticmethod
    def observed(kind: str, contact: dict[str, Any]) -> dict[str, Any]:
        return {
            "kind": kind,
            "friendlyName": contact.get("friendly_name"),
            "value": contact.get("value"),
            "contactId": str(contact["id"]),
            "status": contact.get("status"),
        }


class SlackAlertContactProvider(AlertContactProvider):
    secret_outputs = ("value",)


@dataclass
class AlertContactArgs:
    kind: str  # "email" or "slack"
    friendly_name: pulumi.Input[str]
    value: pulumi.Input[str]


class UptimeRobotAlertContact(Resource, module="uptimerobot", name="AlertContact"):
    """An UptimeRobot alert contact (`pulumi-python:dynamic/uptimerobot:AlertContact`)."""

    contact_id: pulumi.Output[str]
    status: pulumi.Output[int]

    def __init__(self, name: str, args: AlertContactArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        provider = SlackAlertContactProvider() if args.kind == "slack" else AlertContactProvider()
        super().__init__(provider, name, properties(args), opts)
