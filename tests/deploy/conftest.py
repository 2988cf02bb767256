"""Fixtures for the deploy steps: the backup tests' throwaway PostgreSQL and S3, shared rather than copied."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backup.conftest import app_template, aws_env, make_db, pg_server, s3, source_db

__all__ = ["app_template", "aws_env", "make_db", "pg_server", "s3", "source_db"]

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests here that start PostgreSQL are marked `postgres`, as in tests/backup."""
    for item in items:
        if HERE in item.path.parents and "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
