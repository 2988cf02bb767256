"""Stack settings inside a running Pulumi program or policy pack (the engine or the offline runner)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import pulumi
from pulumi.runtime import config as runtime_config

from settings.loader import StackConfigError, load_stack_settings
from settings.model import StackSettings

_AS_OF: ContextVar[dt.date | None] = ContextVar("converge_as_of", default=None)


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
    """The UTC date that picks the secret-rotation window: today, or the date of an `as_of` run."""
    return _AS_OF.get() or dt.datetime.now(dt.UTC).date()


@contextmanager
def as_of(date: dt.date) -> Iterator[None]:
    """Run the program as of `date` (an offline run: the report, the tests)."""
    token = _AS_OF.set(date)
    try:
        yield
    finally:
        _AS_OF.reset(token)
