"""Typed stack settings of the Converge-NPS Pulumi program."""

from settings.errors import Problem, StackConfigError
from settings.loader import load_stack_settings
from settings.model import StackSettings
from settings.sources import NAMESPACE, PROJECT
from settings.stackfile import parse_stack_file, read_stack_file

__all__ = [
    "NAMESPACE",
    "PROJECT",
    "Problem",
    "StackConfigError",
    "StackSettings",
    "load_stack_settings",
    "parse_stack_file",
    "read_stack_file",
]
