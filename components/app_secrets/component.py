"""Application secrets: generated JWT keys that rotate on a schedule, and the operator-supplied API keys."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pulumi
import pulumi_random as random

from components import tokens
from components.app_secrets.contract import SECRET_OUTPUTS
from settings.seed import SECRET_BITS


@dataclass(frozen=True)
class RotationWindow:
    """The rotation period `today` falls in: secrets made in it are replaced once it ends."""

    start: dt.date
    end: dt.date  # first day of the next window

    @classmethod
    def containing(cls, today: dt.date, anchor: dt.date, days: int) -> RotationWindow:
        elapsed = (today - anchor).days
        start = anchor + dt.timedelta(days=(elapsed // days) * days)
        return cls(start=start, end=start + dt.timedelta(days=days))


@dataclass
class AppSecretsArgs:
    rotation: RotationWindow
    sendgrid_api_key: pulumi.Input[str]
    smartsheet_api_key: pulumi.Input[str]
    slack_webhook_url: pulumi.Input[str] | None = None


class AppSecrets(pulumi.ComponentResource):
    """JWT_SECRET and JWT_REFRESH_SECRET (256 random bits each, new every rotation window) and the
    API keys set with `pulumi config set --secret`. Every output is a Pulumi secret.

    Rotation needs no one to remember it: the window's first day is a keeper of each RandomBytes,
    so the first `pulumi up` after a window ends replaces both keys (and, through the backend's
    variables, redeploys the service with them).
    """

    jwt_secret: pulumi.Output[str]
    jwt_refresh_secret: pulumi.Output[str]
    sendgrid_api_key: pulumi.Output[str]
    smartsheet_api_key: pulumi.Output[str]
    slack_webhook_url: pulumi.Output[str] | None

    def __init__(self, name: str, args: AppSecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.APP_SECRETS, name, None, opts)
        keepers = {"rotationWindowStart": args.rotation.start.isoformat()}

        def jwt_key(purpose: str) -> pulumi.Output[str]:
            key = random.RandomBytes(
                f"{name}-{purpose}",
                length=SECRET_BITS // 8,
                keepers=keepers,
                opts=pulumi.ResourceOptions(
                    parent=self, additional_secret_outputs=list(SECRET_OUTPUTS[tokens.RANDOM_BYTES])
                ),
            )
            return pulumi.Output.secret(key.hex)

        self.jwt_secret = jwt_key("jwt")
        self.jwt_refresh_secret = jwt_key("jwt-refresh")
        self.sendgrid_api_key = pulumi.Output.secret(args.sendgrid_api_key)
        self.smartsheet_api_key = pulumi.Output.secret(args.smartsheet_api_key)
        self.slack_webhook_url = (
            pulumi.Output.secret(args.slack_webhook_url) if args.slack_webhook_url is not None else None
        )
        self.rotates_on = args.rotation.end.isoformat()
        self.register_outputs({"rotatesOn": self.rotates_on})
