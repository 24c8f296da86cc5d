"""Bulk writes at the speed of the database: PostgreSQL `COPY … FROM STDIN` (psycopg's
`cursor.copy`), SQLite `executemany` on one prepared statement. For imports of millions of
rows already checked by their importer; always inside the caller's transaction."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat
from typing import Any

from django.db import connection, models


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a Python value of `field` is handed to the driver (None: as it is)."""
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_save(v, connection)
    return None


def _default(field: models.Field[Any, Any]) -> Any:
    return field.get_db_prep_save(field.get_default(), connection)


def fast_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    constants: dict[str, Any] | None = None,
) -> int:
    """Insert `rows` (values of `fields`, by attribute name) into `model`'s table in one
    statement stream: COPY on PostgreSQL, executemany on SQLite. Every other column gets its
    model default (computed once), so a field added later needs no change here; `constants`
    gives the same value to every row (adapted once). No model
    `save()` runs: callers pass values already checked. Returns the number of rows."""
    return fast_insert_columns(model, fields, list(zip(*rows, strict=True)), constants)


def fast_insert_columns(
    model: type[models.Model],
    fields: Sequence[str],
    columns: Sequence[Sequence[Any]],
    constants: dict[str, Any] | None = None,
) -> int:
    """`fast_insert` of values given column by column (one sequence per field, all of the
    same length): the rows are zipped in C, no Python loop over the cells."""
    meta = model._meta
    given = [meta.get_field(f) for f in fields]
    attnames = [f.attname for f in given]  # type: ignore[union-attr]
    constants = {
        meta.get_field(k).attname: v  # type: ignore[union-attr]
        for k, v in (constants or {}).items()
    }
    rest = [
        f
        for f in meta.concrete_fields
        if f.attname not in attnames and not (f.primary_key and f.auto_created)
    ]
    adapters = [_adapter(f) for f in given]  # type: ignore[arg-type]
    tail = tuple(
        f.get_db_prep_save(constants[f.attname], connection)
        if f.attname in constants
        else _default(f)
        for f in rest
    )
    names = [f.column for f in given] + [f.column for f in rest]  # type: ignore[union-attr]
    quoted = ", ".join(connection.ops.quote_name(str(c)) for c in names)
    table = connection.ops.quote_name(meta.db_table)
    if not columns or not len(columns[0]):
        return 0
    values: list[Sequence[Any]] = list(columns)
    for i, adapt in enumerate(adapters):
        if adapt is not None:
            values[i] = [v if v is None else adapt(v) for v in values[i]]
    n = len(values[0])
    prepared = zip(*values, *(repeat(v, n) for v in tail), strict=True)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            # Table and column names come from the model, never from input.
            cur.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", list(prepared))  # noqa: S608
    return n


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` fresh primary keys for `model`, taken inside the current transaction."""
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return [r[0] for r in cur.fetchall()]
        # SQLite: the caller's transaction has written (ImportBatch), so it holds the write
        # lock; AUTOINCREMENT never reuses an id, hence the sequence as well as the maximum.
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        top = cur.fetchone()[0]
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        start = max(top, row[0] if row else 0) + 1
    return list(range(start, start + n))


@contextmanager
def indexes_deferred(model_list: Sequence[type[models.Model]]) -> Iterator[None]:
    """Drop the secondary indexes (and on PostgreSQL the unique and foreign-key
    constraints) of the models' tables, and build them again after the block: one sort per
    index instead of a B-tree insert per row, one join per foreign key instead of a
    deferred trigger per row. Inside the caller's transaction, so an error or a `kill -9`
    rolls the drop back with the rows; the definitions are read from the database's own
    catalogue and replayed as they were, so a rebuilt unique constraint checks what the
    original checked. The primary keys stay (rows go in in key order).

    PostgreSQL holds an exclusive lock on the tables until the commit (readers of those
    tables wait), hence only for imports at least as large as the table they fill."""
    statements: list[str] = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # A table with deferred checks still pending (a row written earlier in this
            # transaction) cannot be altered: run those checks now, then defer again.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for model in model_list:
            table = model._meta.db_table
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cur.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND (contype = 'f' OR contype = 'u' "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' "
                    "AND r.conindid = pg_constraint.conindid)) "
                    "ORDER BY contype DESC",
                    [table],
                )  # unique ('u') before foreign keys
                constraints = cur.fetchall()
                cur.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                    "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
                    "i.indexrelid AND c.conrelid = i.indrelid)",
                    [table],
                )
                indexes = cur.fetchall()
                for name, _definition in constraints:
                    cur.execute(
                        f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}"
                    )
                for name, _definition in indexes:
                    cur.execute(f"DROP INDEX {name}")  # regclass text: quoted as needed
                statements += [definition for _name, definition in indexes]
                statements += [
                    f"ALTER TABLE {quoted} ADD CONSTRAINT "
                    f"{connection.ops.quote_name(name)} {definition}"
                    for name, definition in constraints
                ]
            else:  # SQLite: the indexes of CREATE INDEX (a UNIQUE in the table stays)
                cur.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
                for name, definition in cur.fetchall():
                    cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                    statements.append(definition)
    yield
    with connection.cursor() as cur:
        for statement in statements:  # read from the catalogue above, never from input
            cur.execute(statement)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a bulk import (also a decorator). Parsing
    a million rows allocates millions of objects that all stay alive until the write, and
    every automatic collection walks all of them again: at a million memorial rows the checks
    took twice the CPU with the collector on. Reference counting still frees what the import
    drops; the collector is switched back on afterwards (if it was on), error or not."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
