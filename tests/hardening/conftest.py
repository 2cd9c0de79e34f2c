"""Fixtures for the hardening tests: databases of their own for scenarios that need real processes and files.

pytest-django's SQLite test database lives in memory, where locking, WAL and crashes cannot be seen, so these
tests give each scenario a fresh migrated database of the kind the suite runs on: a file for SQLite, a new
database on the same server for PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hardening.databases import ScenarioDatabase, admin_execute, on_postgresql, server_url


@pytest.fixture
def scenario_db(tmp_path: Path) -> Iterator[ScenarioDatabase]:
    if on_postgresql():
        name = f"hardening_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin_execute(f'CREATE DATABASE "{name}"')
        database = ScenarioDatabase(server_url(name), None)
    else:
        path = tmp_path / "scenario.sqlite3"
        database = ScenarioDatabase(f"sqlite:///{path}", path)
    try:
        migrated = database.manage("migrate", "--no-input", "-v0")
        assert migrated.returncode == 0, migrated.stderr
        yield database
    finally:
        if on_postgresql():
            admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def other_scenario_db(tmp_path: Path) -> Iterator[ScenarioDatabase]:
    """A second, empty database of the same kind (to restore a backup into)."""
    if on_postgresql():
        name = f"hardening_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin_execute(f'CREATE DATABASE "{name}"')
        try:
            yield ScenarioDatabase(server_url(name), None)
        finally:
            admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "restored.sqlite3"
        yield ScenarioDatabase(f"sqlite:///{path}", path)
