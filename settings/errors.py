"""The one error a stack's configuration fails with, whichever check refused it."""

from __future__ import annotations

from dataclasses import dataclass

from settings.sources import NAMESPACE, stack_file_name


@dataclass(frozen=True)
class Problem:
    """One thing wrong: the key (None for the file as a whole), what is wrong and how to fix it, where."""

    key: str | None
    message: str
    origin: str
    line: int | None = None

    @property
    def where(self) -> str:
        return self.origin if self.line is None else f"{self.origin}:{self.line}"

    def __str__(self) -> str:
        return f"{self.where}: " + (f"{self.key}: {self.message}" if self.key else self.message)


class StackConfigError(Exception):
    """The stack's configuration is invalid; the message lists every problem with its file (and line)."""

    def __init__(self, stack: str, problems: list[Problem]) -> None:
        self.stack = stack
        self.problems = problems
        file = stack_file_name(stack)
        lines = [f"invalid configuration for stack {stack!r} ({file}):"]
        lines += [f"  - {problem}" for problem in problems]
        if any(problem.key for problem in problems):
            lines.append(
                f"Fix them in {file} (`pulumi config set --path {NAMESPACE}:<key> <value> -s {stack}`; "
                "secrets with `--secret`)."
            )
        else:
            lines.append(f"Fix {file} at the line named: Pulumi cannot read it either.")
        super().__init__("\n".join(lines))

    @property
    def keys(self) -> set[str]:
        return {problem.key for problem in self.problems if problem.key}
