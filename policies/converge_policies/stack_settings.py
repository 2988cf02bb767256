"""The settings of the stack the pack judges: the same `StackSettings` the program ran with.

How the pack knows the stack: the engine starts a policy pack with the stack's name, project and
config in its environment (PULUMI_STACK, PULUMI_PROJECT, PULUMI_CONFIG with secrets decrypted; see
constructEnv in the SDK's analyzer_plugin.go), and pulumi-policy loads them into the Pulumi runtime
before every Analyze and AnalyzeStack. So `settings.runtime.stack_settings()` gives the pack exactly
what it gives the program: the same loader, the same validation, CI's per-run overrides included.

Why not the alternatives: the stack resource's outputs (`budgetMonthlyUsd`) are the judged program's
own word, so a program could raise its budget by exporting another number; and the stack name in the
resources' URNs plus `Pulumi.<stack>.yaml` read from disk would miss config set any other way, and
could not be validated without the secrets the file holds encrypted (the committed files hold none).
"""

from __future__ import annotations

from settings import runtime
from settings.model import StackSettings


def stack_settings() -> StackSettings:
    return runtime.stack_settings()
