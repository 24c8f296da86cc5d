"""Bulk writes at the speed of the database: PostgreSQL `COPY … FROM STDIN` (psycopg's
`cursor.copy`), SQLite `executemany` on one prepared statement. For imports of millions of
rows already checked by their importer; always inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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


def fast_insert(model: type[models.Model], fields: Sequence[str],
                rows: Iterable[Sequence[Any]], constants: dict[str, Any] | None = None) -> int:
    """Insert `rows` (values of `fields`, by attribute name) into `model`'s table in one
    statement stream: COPY on PostgreSQL, executemany on SQLite. Every other column gets its
    model default (computed once), so a field added later needs no change here; `constants`
    gives the same value to every row (adapted once). No model
    `save()` runs: callers pass values already checked. Returns the number of rows."""
    meta = model._meta
    given = [meta.get_field(f) for f in fields]
    attnames = [f.attname for f in given]  # type: ignore[union-attr]
    constants = {meta.get_field(k).attname: v  # type: ignore[union-attr]
                 for k, v in (constants or {}).items()}
    rest = [f for f in meta.concrete_fields
            if f.attname not in attnames and not (f.primary_key and f.auto_created)]
    adapters = [_adapter(f) for f in given]  # type: ignore[arg-type]
    tail = tuple(f.get_db_prep_save(constants[f.attname], connection)
                 if f.attname in constants else _default(f) for f in rest)
    columns = [f.column for f in given] + [f.column for f in rest]  # type: ignore[union-attr]
    quoted = ", ".join(connection.ops.quote_name(str(c)) for c in columns)
    table = connection.ops.quote_name(meta.db_table)
    needs_adapt = any(adapters)

    def prepared() -> Iterable[tuple[Any, ...]]:
        for row in rows:
            if needs_adapt:
                row = tuple(v if a is None or v is None else a(v)
                            for a, v in zip(adapters, row, strict=True))
            yield (*row, *tail)

    count = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for values in prepared():
                    copy.write_row(values)
                    count += 1
        else:
            batch = list(prepared())
            marks = ", ".join(["%s"] * len(columns))
            # Table and column names come from the model, never from input.
            cur.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", batch)  # noqa: S608
            count = len(batch)
    return count


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` fresh primary keys for `model`, taken inside the current transaction."""
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                        "FROM generate_series(1, %s)", [table, n])
            return [r[0] for r in cur.fetchall()]
        # SQLite: the caller's transaction has written (ImportBatch), so it holds the write
        # lock; AUTOINCREMENT never reuses an id, hence the sequence as well as the maximum.
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        top = cur.fetchone()[0]
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        start = max(top, row[0] if row else 0) + 1
    return list(range(start, start + n))
