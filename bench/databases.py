"""Fresh, empty databases for one measurement: a SQLite file or a PostgreSQL database, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from bench.collection import bench_root

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgresql")


def postgres_server() -> str:
    """The server to create benchmark databases on: BENCH_POSTGRES_URL, else a PostgreSQL DATABASE_URL's."""
    url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES


def postgres_available() -> bool:
    import psycopg

    try:
        psycopg.connect(maintenance_dsn(), connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def maintenance_dsn() -> str:
    return _with_database(postgres_server(), "postgres").replace("postgres://", "postgresql://", 1)


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    """The DATABASE_URL of a new, empty database, removed when the block ends."""
    name = f"bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    if backend == "sqlite":
        path = bench_root() / f"{name}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm", ".import.lock", ".export.lock"):
                (bench_root() / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(maintenance_dsn(), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(postgres_server(), name)
    finally:
        with psycopg.connect(maintenance_dsn(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
