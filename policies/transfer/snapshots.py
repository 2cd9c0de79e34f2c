"""Reads that all see one moment of the database while editors and reviewers keep saving.

`consistent_reads()` opens a second connection to the same database and starts one read-only transaction on it:
REPEATABLE READ on PostgreSQL; on SQLite a DEFERRED transaction, which in WAL mode reads one snapshot without
taking the write lock (the app's own connections use IMMEDIATE transactions, which would queue every editor
behind a long export). `SnapshotRouter` sends the block's reads there and its writes to the default connection,
so the code inside needs no `using()`. A caller already inside a transaction reads through it instead: its
transaction is the snapshot it asked for, and a second connection would not see its uncommitted rows.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

_active_alias: ContextVar[str | None] = ContextVar("snapshot_alias", default=None)
_numbers = itertools.count(1)


@contextmanager
def consistent_reads() -> Iterator[None]:
    """Every read in the block sees the database as it was when the block's first read ran."""
    default = connections[DEFAULT_DB_ALIAS]
    in_memory = isinstance(default, SQLiteDatabaseWrapper) and default.is_in_memory_db()
    if _active_alias.get() is not None or default.in_atomic_block or in_memory:
        yield
        return
    alias = f"snapshot_{next(_numbers)}"
    snapshot = default.copy(alias)
    if default.vendor == "sqlite":
        snapshot.settings_dict.setdefault("OPTIONS", {})["transaction_mode"] = "DEFERRED"
    # Known to this thread only, and not in settings.DATABASES: a connection that lives as long as the block.
    connections[alias] = snapshot
    token = _active_alias.set(alias)
    try:
        with transaction.atomic(using=alias):
            if default.vendor == "postgresql":
                with snapshot.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    finally:
        _active_alias.reset(token)
        snapshot.close()
        del connections[alias]


def reading_consistently(function: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: the function's reads all come from one snapshot (see `consistent_reads`)."""

    @functools.wraps(function)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with consistent_reads():
            return function(*args, **kwargs)

    return wrapped


class SnapshotRouter:
    """Inside `consistent_reads()`: reads from the snapshot, writes to the default database."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return _active_alias.get()

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        # Said explicitly: Django would otherwise write an object to the connection it was read from.
        return DEFAULT_DB_ALIAS if _active_alias.get() is not None else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        alias = _active_alias.get()
        if alias is not None and {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, alias, None}:
            return True
        return None
