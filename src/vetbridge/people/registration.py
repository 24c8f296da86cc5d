"""Bulk registration of people: the one write path of every list import (the registry's
`people import` and the memorial's list of the fallen).

A million rows in well under a minute, all or nothing:
- ids are reserved up front (PostgreSQL: from the sequence; SQLite: after the maximum, under
  the write lock the transaction already holds), so persons, spellings, statuses and the name
  index are written without reading anything back;
- rows go in with PostgreSQL `COPY … FROM STDIN` (psycopg's `cursor.copy`) or SQLite
  `executemany` on one prepared statement, in chunks inside the caller's transaction: a
  `kill -9` leaves nothing (the transaction never committed), and the same command run again
  starts from scratch;
- the name index (`NameToken`, `NameKey`) is computed in the same pass, from skeletons cached
  per distinct name part (surnames and given names repeat; full names do not);
- the audit keeps ONE entry per import, pointing to the `ImportBatch` (the file stored
  privately under its SHA-256, the id range); every created person carries `import_batch`.

No search runs per row: duplicates are found afterwards by the batch linkage job
(`people.linkage.scan_duplicates`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.models import AuditAction, User
from vetbridge.core.bulk import fast_insert, indexes_deferred, reserve_ids
from vetbridge.names.index import stored_keys
from vetbridge.names.skeleton import skeleton
from vetbridge.names.text import MAX_TOKENS, tokenize

from .models import (
    ImportBatch,
    Lifecycle,
    NameKey,
    NameToken,
    Person,
    PersonName,
    PersonStatus,
    Sex,
)

CHUNK = 50_000  # people per write round (and per progress step)
BULK_MIN = 20_000  # from this many people (and the registry's size), indexes are rebuilt
BULK_MODELS = (Person, PersonName, PersonStatus, NameToken, NameKey)


@dataclass(frozen=True, slots=True)
class NameSpelling:
    surname: str
    given_name: str = ""
    patronymic: str = ""
    language: str = "uk"
    script: str = "Cyrl"
    is_preferred: bool = True


@dataclass(frozen=True, slots=True)
class StatusGrant:
    kind: str
    valid_from: dt.date
    disability_group: int | None = None
    document_type: str = ""


@dataclass(frozen=True, slots=True)
class NewPerson:
    """One person to register, already checked by the importer."""

    external_id: str | None
    names: tuple[NameSpelling, ...]
    birth_date: dt.date | None = None
    sex: str = Sex.UNKNOWN
    region_id: int | None = None
    lifecycle: str = Lifecycle.ALIVE
    lifecycle_date: dt.date | None = None
    status: StatusGrant | None = None


@dataclass
class Registered:
    batch: ImportBatch
    ids: list[int]  # in the order of the people given


# ------------------------------------------------------------------ name index in bulk


class _Skeletons:
    """Skeletons of name parts, cached by part: a national list has ~10^5 distinct surnames
    and a few hundred given names and patronymics, so a million people cost ~10^5 skeleton
    computations. Same result as `names.index.skeletons_of` on the joined spelling.
    `seen` collects every skeleton of the spellings given (for `NameKey`)."""

    def __init__(self) -> None:
        self.parts: dict[str, tuple[tuple[str, ...], int]] = {}
        self.seen: set[str] = set()

    def of_part(self, part: str) -> tuple[tuple[str, ...], int]:
        got = self.parts.get(part)
        if got is None:
            tokens = tokenize(part)
            got = (tuple(skeleton(t.text) for t in tokens if not t.initial), len(tokens))
            self.parts[part] = got
        return got

    def of_spelling(self, name: NameSpelling) -> set[str]:
        out: set[str] = set()
        count = 0
        for part in (name.surname, name.given_name, name.patronymic):
            if part:
                skels, n = self.of_part(part)
                out.update(skels)
                count += n
        if count > MAX_TOKENS:  # the joined spelling is cut at MAX_TOKENS tokens
            from vetbridge.names.index import skeletons_of

            out = skeletons_of(
                [" ".join(p for p in (name.surname, name.given_name, name.patronymic) if p)]
            )
        self.seen |= out
        return out


def _known_skeletons(skels: set[str]) -> set[str]:
    """Skeletons already in `NameKey` (each is stored under itself as a key)."""
    known: set[str] = set()
    items = list(skels)
    for start in range(0, len(items), 900):
        chunk = items[start : start + 900]
        known.update(
            k for k, s in NameKey.objects.filter(key__in=chunk).values_list("key", "skel") if k == s
        )
    return known


# ------------------------------------------------------------------ the service


def store_import_file(*, data: bytes) -> tuple[str, str]:
    """Keep the imported file privately under its content hash; returns (sha256, name).
    Content-addressed: the same file imported again reuses the stored copy."""
    digest = hashlib.sha256(data).hexdigest()
    name = f"imports/{digest}.csv"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    return digest, name


def people_register_bulk(
    *,
    actor: User | None,
    kind: str,
    data: bytes,
    source: str,
    people: Sequence[NewPerson],
    audit_changes: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    chunk: int | None = None,
    defer_indexes: bool | None = None,
) -> Registered:
    """Register `people` (already checked) in one transaction: persons, spellings,
    statuses, name index, the `ImportBatch` with the stored file, and one audit entry.

    `defer_indexes` (by default: when the import is at least `BULK_MIN` people and at least
    as many as the registry holds) drops the secondary indexes and constraints of the
    tables written and builds them again before the commit (`core.bulk.indexes_deferred`)."""
    digest, name = store_import_file(data=data)
    now = timezone.now()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            source=source[:200],
            sha256=digest,
            file=name,
            size=len(data),
            created_by=actor,
            created_at=now,
        )
        ids = reserve_ids(Person, len(people))
        if defer_indexes is None:
            defer_indexes = len(people) >= BULK_MIN and len(people) >= Person.objects.count()
        sqlite = connection.vendor == "sqlite"
        with connection.cursor() as cur:
            if sqlite:  # a large page cache for the duration: B-tree inserts stay in memory
                cur.execute("PRAGMA cache_size")
                old_cache = cur.fetchone()[0]
                cur.execute("PRAGMA cache_size = -1000000")
            else:  # one commit: its durability wait need not hold the import (the WAL
                # still orders it; a crash loses at most this commit, never half of it)
                cur.execute("SET LOCAL synchronous_commit = off")
        try:
            if defer_indexes:
                with indexes_deferred(BULK_MODELS):
                    _write(batch, people, ids, source[:120], now, progress, chunk or CHUNK)
            else:
                _write(batch, people, ids, source[:120], now, progress, chunk or CHUNK)
        finally:
            if sqlite:
                with connection.cursor() as cur:
                    cur.execute(f"PRAGMA cache_size = {int(old_cache)}")
        batch.rows = len(ids)
        batch.first_person_id = ids[0] if ids else None
        batch.last_person_id = ids[-1] if ids else None
        batch.save(update_fields=["rows", "first_person_id", "last_person_id"])
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=batch,
            summary=source or "CSV",
            changes={
                "kind": kind,
                "sha256": digest,
                "file": name,
                "size": len(data),
                "created": len(ids),
                "first_person_id": batch.first_person_id,
                "last_person_id": batch.last_person_id,
                "trace": "people.Person.import_batch",
                **(audit_changes or {}),
            },
        )
    return Registered(batch, ids)


def _write(
    batch: ImportBatch,
    people: Sequence[NewPerson],
    ids: list[int],
    source: str,
    now: dt.datetime,
    progress: Callable[[int], None] | None,
    chunk: int,
) -> None:
    skels = _Skeletons()
    for start in range(0, len(people), chunk):
        part = people[start : start + chunk]
        part_ids = ids[start : start + chunk]
        fast_insert(
            Person,
            ("id", "external_id", "birth_date", "sex", "region", "lifecycle", "lifecycle_date"),
            [
                (
                    pid,
                    p.external_id,
                    p.birth_date,
                    p.sex,
                    p.region_id,
                    p.lifecycle,
                    p.lifecycle_date,
                )
                for pid, p in zip(part_ids, part, strict=True)
            ],
            constants={"import_batch": batch.pk, "created_at": now, "updated_at": now},
        )
        fast_insert(
            PersonName,
            ("person", "surname", "given_name", "patronymic", "language", "script", "is_preferred"),
            [
                (pid, n.surname, n.given_name, n.patronymic, n.language, n.script, n.is_preferred)
                for pid, p in zip(part_ids, part, strict=True)
                for n in p.names
            ],
            constants={"source": source, "created_at": now},
        )
        fast_insert(
            PersonStatus,
            ("person", "kind", "disability_group", "valid_from", "document_type"),
            [
                (
                    pid,
                    p.status.kind,
                    p.status.disability_group,
                    p.status.valid_from,
                    p.status.document_type,
                )
                for pid, p in zip(part_ids, part, strict=True)
                if p.status
            ],
            constants={"created_at": now},
        )
        tokens: list[tuple[str, int]] = []
        for pid, p in zip(part_ids, part, strict=True):
            if len(p.names) == 1:  # one spelling: its skeletons are distinct already
                tokens += [(s, pid) for s in skels.of_spelling(p.names[0])]
            else:
                tokens += [(s, pid) for s in set().union(*map(skels.of_spelling, p.names))]
        tokens.sort()  # in the order of the unique (skel, person) index: appends, not seeks
        fast_insert(NameToken, ("skel", "person"), tokens)
        if progress:
            progress(len(part))
    # The typo keys of the skeletons new to this import, once, in the unique index's order.
    fresh = skels.seen - _known_skeletons(skels.seen)
    fast_insert(NameKey, ("key", "skel"), sorted({(k, s) for s in fresh for k in stored_keys(s)}))
