"""The committed stack files: each loads through the one stack-file path, so the seed's rules (validators in
settings/, tested in test_model.py) hold for it. What a stack file sizes is its own: no figure is pinned here."""

from __future__ import annotations

from typing import Any

import pytest

from offline.program import ROOT
from settings.loader import load_stack_settings
from settings.model import StackSettings
from settings.stackfile import parse_stack_file
from settings.stacks import STACKS
from tests.doubles import STAND_IN_SECRETS


def committed(stack: str) -> StackSettings:
    stack_file = parse_stack_file(ROOT / f"Pulumi.{stack}.yaml")
    config: dict[str, Any] = {**stack_file.config, **STAND_IN_SECRETS}
    return load_stack_settings(stack, config, {}, lines=stack_file.lines)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_is_valid(stack: str) -> None:
    settings_ = committed(stack)
    assert settings_.environment == {"dev": "development", "staging": "staging", "prod": "production"}[stack]
