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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.models import AuditAction, User
from vetbridge.core.bulk import fast_insert, fast_insert_columns, indexes_deferred, reserve_ids
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


@dataclass(slots=True)
class PeopleChunk:
    """People already checked, column by column: the form the write path consumes, and the
    one the import pipeline sends from its checking process (lists of plain values pickle
    ten times faster than objects). Spellings and statuses are rows of their own, each
    naming its person by position in the chunk (`name_of`, `status_of`). A date may be a
    `datetime.date` or its ISO text (both databases take either)."""

    external_id: list[str | None] = field(default_factory=list)
    birth_date: list[Any] = field(default_factory=list)
    sex: list[str] = field(default_factory=list)
    region_id: list[int | None] = field(default_factory=list)
    lifecycle: list[str] = field(default_factory=list)
    lifecycle_date: list[Any] = field(default_factory=list)
    name_of: list[int] = field(default_factory=list)
    surname: list[str] = field(default_factory=list)
    given_name: list[str] = field(default_factory=list)
    patronymic: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    script: list[str] = field(default_factory=list)
    is_preferred: list[bool] = field(default_factory=list)
    status_of: list[int] = field(default_factory=list)
    status_kind: list[str] = field(default_factory=list)
    status_group: list[int | None] = field(default_factory=list)
    status_from: list[Any] = field(default_factory=list)
    status_document: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.external_id)

    def add_spelling(self, at: int, name: NameSpelling) -> None:
        self.name_of.append(at)
        self.surname.append(name.surname)
        self.given_name.append(name.given_name)
        self.patronymic.append(name.patronymic)
        self.language.append(name.language)
        self.script.append(name.script)
        self.is_preferred.append(name.is_preferred)

    def add_status(
        self, at: int, kind: str, group: int | None, valid_from: Any, document: str
    ) -> None:
        self.status_of.append(at)
        self.status_kind.append(kind)
        self.status_group.append(group)
        self.status_from.append(valid_from)
        self.status_document.append(document)

    @classmethod
    def of(cls, people: Sequence[NewPerson]) -> PeopleChunk:
        out = cls(
            external_id=[p.external_id for p in people],
            birth_date=[p.birth_date for p in people],
            sex=[p.sex for p in people],
            region_id=[p.region_id for p in people],
            lifecycle=[p.lifecycle for p in people],
            lifecycle_date=[p.lifecycle_date for p in people],
        )
        for at, p in enumerate(people):
            for name in p.names:
                out.add_spelling(at, name)
            if p.status:
                s = p.status
                out.add_status(at, s.kind, s.disability_group, s.valid_from, s.document_type)
        return out

    def without(self, dropped: set[int]) -> PeopleChunk:
        """The chunk less the people at the positions `dropped` (and their rows)."""
        keep = [i for i in range(len(self)) if i not in dropped]
        at = {old: new for new, old in enumerate(keep)}
        names = [j for j, i in enumerate(self.name_of) if i in at]
        statuses = [j for j, i in enumerate(self.status_of) if i in at]

        def pick(values: list[Any], positions: list[int]) -> list[Any]:
            return [values[j] for j in positions]

        return PeopleChunk(
            **{f: pick(getattr(self, f), keep) for f in _PERSON_COLUMNS},
            name_of=[at[self.name_of[j]] for j in names],
            **{f: pick(getattr(self, f), names) for f in _NAME_COLUMNS},
            status_of=[at[self.status_of[j]] for j in statuses],
            **{f: pick(getattr(self, f), statuses) for f in _STATUS_COLUMNS},
        )


_PERSON_COLUMNS = ("external_id", "birth_date", "sex", "region_id", "lifecycle", "lifecycle_date")
_NAME_COLUMNS = ("surname", "given_name", "patronymic", "language", "script", "is_preferred")
_STATUS_COLUMNS = ("status_kind", "status_group", "status_from", "status_document")


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

    def of_spelling(self, surname: str, given_name: str, patronymic: str) -> set[str]:
        out: set[str] = set()
        count = 0
        for part in (surname, given_name, patronymic):
            if part:
                skels, n = self.of_part(part)
                out.update(skels)
                count += n
        if count > MAX_TOKENS:  # the joined spelling is cut at MAX_TOKENS tokens
            from vetbridge.names.index import skeletons_of

            out = skeletons_of([" ".join(p for p in (surname, given_name, patronymic) if p)])
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
    size = chunk or CHUNK
    return people_register_chunks(
        actor=actor,
        kind=kind,
        data=data,
        source=source,
        chunks=(
            PeopleChunk.of(people[start : start + size]) for start in range(0, len(people), size)
        ),
        expected=len(people),
        audit_changes=lambda: audit_changes or {},
        progress=progress,
        defer_indexes=defer_indexes,
    )


def bulk_path(expected: int) -> bool:
    """Whether an import of about `expected` people rebuilds the indexes instead of
    maintaining them: at least `BULK_MIN` people and at least as many as the registry holds
    (a first national load, a large list into a small registry)."""
    return expected >= BULK_MIN and expected >= Person.objects.count()


def people_register_chunks(
    *,
    actor: User | None,
    kind: str,
    data: bytes,
    source: str,
    chunks: Iterable[PeopleChunk],
    expected: int,
    audit_changes: Callable[[], dict[str, Any]] | None = None,
    progress: Callable[[int], None] | None = None,
    defer_indexes: bool | None = None,
) -> Registered:
    """`people_register_bulk` over people that arrive chunk by chunk (the import pipeline
    writes each chunk while the next is checked in another process). `expected` (about the
    number of people, e.g. the file's line count) decides the index rebuild; ids are taken
    chunk by chunk inside the transaction. The chunks may stop the import by raising: the
    transaction rolls back and nothing is stored. `audit_changes()` is called once every
    chunk is written (the report is complete then). The file is stored privately once the
    rows are written, before the commit."""
    digest = hashlib.sha256(data).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            source=source[:200],
            sha256=digest,
            file=f"imports/{digest}.csv",
            size=len(data),
            created_by=actor,
            created_at=now,
        )
        if defer_indexes is None:
            defer_indexes = bulk_path(expected)
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
                    ids = _write(batch, chunks, source[:120], now, progress)
            else:
                ids = _write(batch, chunks, source[:120], now, progress)
        finally:
            if sqlite:
                with connection.cursor() as cur:
                    cur.execute(f"PRAGMA cache_size = {int(old_cache)}")
        digest, name = store_import_file(data=data)
        batch.file = name
        batch.rows = len(ids)
        batch.first_person_id = ids[0] if ids else None
        batch.last_person_id = ids[-1] if ids else None
        batch.save(update_fields=["file", "rows", "first_person_id", "last_person_id"])
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
                **(audit_changes() if audit_changes else {}),
            },
        )
    return Registered(batch, ids)


def _write(
    batch: ImportBatch,
    chunks: Iterable[PeopleChunk],
    source: str,
    now: dt.datetime,
    progress: Callable[[int], None] | None,
) -> list[int]:
    skels = _Skeletons()
    ids: list[int] = []
    for part in chunks:
        if not len(part):
            continue
        part_ids = reserve_ids(Person, len(part))
        ids += part_ids
        fast_insert_columns(
            Person,
            ("id", "external_id", "birth_date", "sex", "region", "lifecycle", "lifecycle_date"),
            [
                part_ids,
                part.external_id,
                part.birth_date,
                part.sex,
                part.region_id,
                part.lifecycle,
                part.lifecycle_date,
            ],
            constants={"import_batch": batch.pk, "created_at": now, "updated_at": now},
        )
        name_pids = [part_ids[i] for i in part.name_of]
        fast_insert_columns(
            PersonName,
            ("person", "surname", "given_name", "patronymic", "language", "script", "is_preferred"),
            [
                name_pids,
                part.surname,
                part.given_name,
                part.patronymic,
                part.language,
                part.script,
                part.is_preferred,
            ],
            constants={"source": source, "created_at": now},
        )
        fast_insert_columns(
            PersonStatus,
            ("person", "kind", "disability_group", "valid_from", "document_type"),
            [
                [part_ids[i] for i in part.status_of],
                part.status_kind,
                part.status_group,
                part.status_from,
                part.status_document,
            ],
            constants={"created_at": now},
        )
        of_spelling = skels.of_spelling
        tokens: list[tuple[str, int]] = []
        if part.name_of == list(range(len(part))):  # one spelling each: skeletons distinct
            for pid, sur, giv, pat in zip(
                name_pids, part.surname, part.given_name, part.patronymic, strict=True
            ):
                tokens += [(s, pid) for s in of_spelling(sur, giv, pat)]
        else:
            per_person: dict[int, set[str]] = {}
            for pid, sur, giv, pat in zip(
                name_pids, part.surname, part.given_name, part.patronymic, strict=True
            ):
                per_person.setdefault(pid, set()).update(of_spelling(sur, giv, pat))
            tokens = [(s, pid) for pid, found in per_person.items() for s in found]
        tokens.sort()  # in the order of the unique (skel, person) index: appends, not seeks
        fast_insert(NameToken, ("skel", "person"), tokens)
        if progress:
            progress(len(part))
    # The typo keys of the skeletons new to this import, once, in the unique index's order.
    fresh = skels.seen - _known_skeletons(skels.seen)
    fast_insert(NameKey, ("key", "skel"), sorted({(k, s) for s in fresh for k in stored_keys(s)}))
    return ids
