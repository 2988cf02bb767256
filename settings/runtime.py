"""Stack settings inside a running Pulumi program or policy pack (the engine or the offline runner)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import pulumi
from pulumi.runtime import config as runtime_config

from settings.errors import StackConfigError
from settings.loader import load_stack_settings
from settings.model import StackSettings
from settings.sources import stack_file_name
from settings.stackfile import stack_file_lines


class StackConfigRunError(StackConfigError, pulumi.RunError):
    """A `StackConfigError` the engine shows as its message alone (a RunError), without a traceback."""


_AS_OF: ContextVar[dt.date | None] = ContextVar("converge_as_of", default=None)


def stack_settings() -> StackSettings:
    """Validate the current stack's config before any resource is registered.

    A bad config ends the program with one message (no traceback) naming every bad key.
    """
    stack = pulumi.get_stack()
    config = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = {*runtime_config.get_config_secret_keys_env(), *filter(runtime_config.is_config_secret, config)}
    try:
        return load_stack_settings(stack, config, os.environ, secret_keys=secret_keys)
    except StackConfigError:
        pass
    # Refused: validate again with the stack file's line numbers for the message. The engine hands the
    # program its config already parsed, so the file (beside Pulumi.yaml, in the project root the engine or
    # the offline runner names) is read only when there is something to point at.
    lines = stack_file_lines(Path(pulumi.get_root_directory() or ".") / stack_file_name(stack))
    try:
        return load_stack_settings(stack, config, os.environ, secret_keys=secret_keys, lines=lines)
    except StackConfigError as error:
        raise StackConfigRunError(error.stack, error.problems) from None


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
