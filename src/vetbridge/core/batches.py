"""Transactions of long imports, so that an import never blocks sign-in.

PostgreSQL locks rows: one transaction for a whole import keeps it all-or-nothing (even
when the process is killed) while sign-in and every other writer go on. SQLite has one
write lock for the whole database: an import holding it for minutes would make every
sign-in (session, last login, audit row) wait and then fail. There each chunk of an
import commits in its own short transaction, so other writers get the lock between
chunks; a failure undoes the chunks already committed (`undo_on_failure`). See
docs/decisions/sqlite-concurrency.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.db import connection, transaction


def whole_import_in_one_transaction() -> bool:
    return connection.vendor != "sqlite"


def import_transaction() -> Any:
    """The transaction around a whole import (none on SQLite: each chunk has its own)."""
    return transaction.atomic() if whole_import_in_one_transaction() else nullcontext()


@contextmanager
def undo_on_failure(created: list[int], undo: Callable[[list[int]], None]) -> Iterator[None]:
    """On SQLite, if the import fails after some chunks committed, `undo` what they wrote
    (in its own transaction); PostgreSQL's rollback already did."""
    try:
        yield
    except BaseException:
        if created and not whole_import_in_one_transaction():
            with transaction.atomic():
                undo(list(created))
        raise
