"""Typed stack settings of the Converge-NPS Pulumi program.

The package itself imports nothing: `settings.seed` and `settings.stacks` (plain constants) stay importable
by tools that run without pydantic, such as the backup job (ops/backup/requirements.txt).
"""
