"""Fixtures for the extension-pack tests: one database per app schema, built once per module.

Tests work on connections inside a transaction that is rolled back, so they never see each other.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ext_apps import AppDatabases, TxFactory


@pytest.fixture(scope="module")
def apps(pg_superuser_dsn: str) -> Iterator[AppDatabases]:
    """This module's app databases, built on first use."""
    databases = AppDatabases(pg_superuser_dsn)
    try:
        yield databases
    finally:
        databases.drop_all()


@pytest.fixture
def tx() -> Iterator[TxFactory]:
    """Open connections on app databases, each inside a transaction rolled back after the test."""
    factory = TxFactory()
    try:
        yield factory
    finally:
        factory.close()
