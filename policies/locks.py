"""Locks that keep two imports, or two exports, from running at the same time, across processes.

On PostgreSQL a session advisory lock, taken on a connection of its own so that the caller's transactions (and
their rollbacks) never touch it; on SQLite an `fcntl` lock on a file next to the database. Either way the
operating system or the server drops the lock when its holder dies, so a killed run never leaves one behind.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.utils.translation import gettext

RETRY_SECONDS = 0.1


class LockBusy(Exception):
    """Another run holds the lock; nothing was done."""

    def __init__(self, name: str) -> None:
        if name == "import":
            message = gettext("Another import is running; nothing was done. Try again when it has finished.")
        elif name == "export":
            message = gettext("Another export is running; nothing was done. Try again when it has finished.")
        else:
            message = gettext("Another %(name)s is running; nothing was done. Try again when it has finished.") % {
                "name": name
            }
        super().__init__(message)
        self.name = name


@contextmanager
def exclusive(name: str, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the lock `name` for the block; raise LockBusy if it is still held by someone else after `wait` s."""
    connection = connections[DEFAULT_DB_ALIAS]
    holder = _postgresql_lock if connection.vendor == "postgresql" else _file_lock
    with holder(name, wait):
        yield


def exclusively(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: the function runs holding the lock `name`, or raises LockBusy at once."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def locked(*args: Any, **kwargs: Any) -> Any:
            with exclusive(name):
                return function(*args, **kwargs)

        return locked

    return decorate


def serialize_transaction(name: str) -> None:
    """Make the current transaction wait until no other one that said `name` is still open.

    For work that writes rows of several records (the stored warnings): run one at a time, such transactions
    cannot deadlock on each other. On SQLite every write transaction already runs alone (IMMEDIATE).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"policy-review-desk:{name}".encode()).digest()[:8], "big", signed=True)


def _retry(attempt: Callable[[], bool], name: str, wait: float) -> None:
    deadline = time.monotonic() + wait
    while not attempt():
        if time.monotonic() >= deadline:
            raise LockBusy(name)
        time.sleep(RETRY_SECONDS)


@contextmanager
def _postgresql_lock(name: str, wait: float) -> Iterator[None]:
    # A connection of its own: closing it is what releases the lock, whatever state the caller's is in.
    lock_connection = connections[DEFAULT_DB_ALIAS].copy()
    key = _key(name)
    try:
        lock_connection.set_autocommit(True)

        def attempt() -> bool:
            with lock_connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
                return bool(cursor.fetchone()[0])

        _retry(attempt, name, wait)
        yield
    finally:
        lock_connection.close()


@contextmanager
def _file_lock(name: str, wait: float) -> Iterator[None]:
    path = lock_path(name)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:

        def attempt() -> bool:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        _retry(attempt, name, wait)
        yield
    finally:
        os.close(descriptor)


def lock_path(name: str) -> Path:
    """The lock file: beside the SQLite database, so every process using that database finds the same one."""
    connection = connections[DEFAULT_DB_ALIAS]
    database = str(connection.settings_dict["NAME"])
    if isinstance(connection, SQLiteDatabaseWrapper) and connection.is_in_memory_db():
        # One process owns an in-memory database; the lock still keeps its threads apart.
        return Path(tempfile.gettempdir(), f"policy-review-desk-{os.getpid()}-{name}.lock")
    return Path(f"{database}.{name}.lock")
