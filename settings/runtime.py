"""Stack settings inside a running Pulumi program (the engine or the test mocks)."""

from __future__ import annotations

import datetime as dt
import os

import pulumi
from pulumi.runtime import config as runtime_config

from settings.loader import StackConfigError, load_stack_settings
from settings.model import StackSettings


def stack_settings() -> StackSettings:
    """Validate the current stack's config before any resource is registered.

    A bad config ends the program with one message (no traceback) naming every bad key.
    """
    config = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    try:
        return load_stack_settings(pulumi.get_stack(), config, os.environ)
    except StackConfigError as error:
        raise pulumi.RunError(str(error)) from None


def today() -> dt.date:
    """The UTC date that picks the secret-rotation window (tests pin it)."""
    return dt.datetime.now(dt.UTC).date()
