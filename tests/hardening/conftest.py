"""Fixtures for the hardening tests: databases of their own for scenarios that need real processes and files.

pytest-django's SQLite test database lives in memory, where locking, WAL and crashes cannot be seen, so these
tests give each scenario a fresh migrated database of the kind the suite runs on: a file for SQLite, a new
database on the same server for PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.conftest import ROOT
from tests.reviews.conftest import editor, other_editor, reviewer, superuser  # noqa: F401 - fixtures


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _server_url(name: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _admin_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(_server_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


class ScenarioDatabase:
    """A database of its own, migrated, and the environment that points a process at it."""

    def __init__(self, url: str, path: Path | None) -> None:
        self.url = url
        self.path = path
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
        }

    def popen(self, *args: str, **kwargs: Any) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=self.env, text=True, stdout=subprocess.PIPE, **kwargs
        )

    def run(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env, text=True, capture_output=True, timeout=timeout
        )

    def manage(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return self.run("manage.py", *args, timeout=timeout)

    def scenario(self, name: str, *args: str, timeout: float = 180) -> dict[str, Any]:
        """Run a scenario of `tests.hardening.scenarios` and return the facts it printed last."""
        done = self.run("-m", "tests.hardening.scenarios", name, *args, timeout=timeout)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def scenario_db(tmp_path: Path) -> Iterator[ScenarioDatabase]:
    if on_postgresql():
        name = f"hardening_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        _admin_execute(f'CREATE DATABASE "{name}"')
        database = ScenarioDatabase(_server_url(name), None)
    else:
        path = tmp_path / "scenario.sqlite3"
        database = ScenarioDatabase(f"sqlite:///{path}", path)
    try:
        migrated = database.manage("migrate", "--no-input", "-v0")
        assert migrated.returncode == 0, migrated.stderr
        yield database
    finally:
        if on_postgresql():
            _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def other_scenario_db(tmp_path: Path) -> Iterator[ScenarioDatabase]:
    """A second, empty database of the same kind (to restore a backup into)."""
    if on_postgresql():
        name = f"hardening_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        _admin_execute(f'CREATE DATABASE "{name}"')
        try:
            yield ScenarioDatabase(_server_url(name), None)
        finally:
            _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "restored.sqlite3"
        yield ScenarioDatabase(f"sqlite:///{path}", path)
