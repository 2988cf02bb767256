"""The project's stacks and the environment each deploys, in one place (the tools that take a
`--stack`, the offline runner and the tests all read it here)."""

from __future__ import annotations

from typing import Final

from settings.seed import ENVIRONMENT_BY_STACK, PRODUCTION_ENVIRONMENT

STACKS: Final = tuple(ENVIRONMENT_BY_STACK)
PRODUCTION_STACK: Final = next(stack for stack, env in ENVIRONMENT_BY_STACK.items() if env == PRODUCTION_ENVIRONMENT)
