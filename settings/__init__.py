"""Typed stack settings of the Converge-NPS Pulumi program."""

from settings.loader import StackConfigError, load_stack_settings, read_stack_file
from settings.model import StackSettings
from settings.sources import NAMESPACE, PROJECT

__all__ = ["NAMESPACE", "PROJECT", "StackConfigError", "StackSettings", "load_stack_settings", "read_stack_file"]
