"""Databases of their own for the hardening scenarios, and the processes that run against them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.data import ROOT


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def server_url(name: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def admin_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
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
