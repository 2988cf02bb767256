"""Fixtures for the deploy steps: the backup tests' throwaway PostgreSQL and S3, shared rather than copied."""

from __future__ import annotations

import pytest

from tests.backup.conftest import app_template, aws_env, make_db, pg_server, s3, source_db

__all__ = ["app_template", "aws_env", "make_db", "pg_server", "s3", "source_db"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "pg_server" in getattr(item, "fixturenames", ()) and "tests/deploy/" in str(item.path):
            item.add_marker(pytest.mark.postgres)
