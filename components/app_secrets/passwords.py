"""Passwords this project generates for the services it creates (Redis, the Supabase database)."""

from __future__ import annotations

import pulumi
import pulumi_random as random

# Letters and digits only: the passwords go into connection URLs and shells; 40 of them are ~238 bits.
PASSWORD_LENGTH = 40


def generated_password(name: str, parent: pulumi.Resource) -> random.RandomPassword:
    """A password kept secret in the state (its `result` is an additional secret output)."""
    return random.RandomPassword(
        name,
        length=PASSWORD_LENGTH,
        special=False,
        opts=pulumi.ResourceOptions(parent=parent, additional_secret_outputs=["result"]),
    )
