"""Application secrets: generated JWT keys that rotate on a schedule, and the operator-supplied API keys."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_random as random

from components import tokens
from components.app_secrets.contract import SECRET_OUTPUTS
from components.app_secrets.rotation import Rotation
from settings.seed import SECRET_BITS


@dataclass
class AppSecretsArgs:
    rotation: Rotation
    sendgrid_api_key: pulumi.Input[str]
    smartsheet_api_key: pulumi.Input[str]
    slack_webhook_url: pulumi.Input[str] | None = None


class AppSecrets(pulumi.ComponentResource):
    """JWT_SECRET and JWT_REFRESH_SECRET (256 random bits each, a new generation every rotation) and the
    API keys set with `pulumi config set --secret`. Every output is a Pulumi secret.

    Rotation needs no one to remember it: the day a generation took over is a keeper of its RandomBytes,
    so the first `pulumi up` on or after a rotation replaces the keys (and, through the backend's
    variables, redeploys the service with them). When rotations fall is `rotation.py`'s rule.

    Each purpose has two keys that take turns: a rotation replaces the one holding the generation before
    the previous, so the previous generation's key is still there, and during the overlap it is exported
    as `jwt_secret_previous` / `jwt_refresh_secret_previous` (None otherwise).
    """

    jwt_secret: pulumi.Output[str]
    jwt_refresh_secret: pulumi.Output[str]
    jwt_secret_previous: pulumi.Output[str] | None
    jwt_refresh_secret_previous: pulumi.Output[str] | None
    sendgrid_api_key: pulumi.Output[str]
    smartsheet_api_key: pulumi.Output[str]
    slack_webhook_url: pulumi.Output[str] | None

    def __init__(self, name: str, args: AppSecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.APP_SECRETS, name, None, opts)
        rotation = args.rotation

        def jwt_key(purpose: str, generation: int, started: str) -> pulumi.Output[str]:
            # Odd generations keep the name the single key had before keys took turns (generation 3 was in
            # use then), so the change replaced no key in use.
            slot = f"{name}-{purpose}" if generation % 2 else f"{name}-{purpose}-even"
            key = random.RandomBytes(
                slot,
                length=SECRET_BITS // 8,
                keepers={"rotationWindowStart": started},
                opts=pulumi.ResourceOptions(
                    parent=self, additional_secret_outputs=list(SECRET_OUTPUTS[tokens.RANDOM_BYTES])
                ),
            )
            return pulumi.Output.secret(key.hex)

        def generations(purpose: str) -> tuple[pulumi.Output[str], pulumi.Output[str] | None]:
            current = jwt_key(purpose, rotation.generation, rotation.started.isoformat())
            if rotation.previous_started is None:
                return current, None
            previous = jwt_key(purpose, rotation.generation - 1, rotation.previous_started.isoformat())
            return current, previous if rotation.overlapping else None

        self.jwt_secret, self.jwt_secret_previous = generations("jwt")
        self.jwt_refresh_secret, self.jwt_refresh_secret_previous = generations("jwt-refresh")
        self.sendgrid_api_key = pulumi.Output.secret(args.sendgrid_api_key)
        self.smartsheet_api_key = pulumi.Output.secret(args.smartsheet_api_key)
        self.slack_webhook_url = (
            pulumi.Output.secret(args.slack_webhook_url) if args.slack_webhook_url is not None else None
        )
        self.rotates_on = rotation.next_rotation.isoformat()
        until = rotation.previous_until
        self.previous_valid_until = until.isoformat() if until is not None and rotation.overlapping else None
        self.register_outputs({"rotatesOn": self.rotates_on, "previousValidUntil": self.previous_valid_until})
