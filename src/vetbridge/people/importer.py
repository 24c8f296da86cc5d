"""CSV import of people: every row checked, every rejection reported with its line and reason.

All-or-nothing by default: one bad row and nothing is written. With `keep_valid`, the good
rows are written and the bad ones reported. Either way the write is one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.accounts.audit import audit_entry, audit_record
from vetbridge.accounts.models import AuditAction, AuditLog, User
from vetbridge.core.batches import import_transaction, undo_on_failure
from vetbridge.core.exceptions import ApplicationError
from vetbridge.core.inputs import date_problem, row_text_errors

from . import name_index
from .duplicates import record_suspects
from .models import (
    Person,
    PersonName,
    PersonStatus,
    Script,
    Sex,
    StatusKind,
    clean_text,
    detect_script,
)

COLUMNS = ("external_id", "surname", "given_name", "patronymic", "birth_date", "sex", "status")
OPTIONAL_COLUMNS = ("status_from", "region")
SEX_ALIASES = {
    "m": Sex.MALE, "male": Sex.MALE, "h": Sex.MALE, "homme": Sex.MALE, "ч": Sex.MALE,
    "чол": Sex.MALE, "м": Sex.MALE,
    "f": Sex.FEMALE, "female": Sex.FEMALE, "femme": Sex.FEMALE, "ж": Sex.FEMALE,
    "жін": Sex.FEMALE,
    "u": Sex.UNKNOWN, "": Sex.UNKNOWN,
}


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


@dataclass
class ParsedRow:
    line: int
    person: dict[str, Any]
    name: dict[str, Any]
    status: dict[str, Any] | None


@dataclass
class ImportReport:
    total_rows: int = 0
    imported: int = 0
    committed: bool = False
    rejected: list[RowError] = field(default_factory=list)
    suspected_duplicates: int = 0
    # The people created by this import (their ids), once committed: the report links them.
    created_ids: list[int] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        """Rows refused (a row with three errors is one rejected row)."""
        return len({e.line for e in self.rejected})

    @property
    def error_count(self) -> int:
        return len(self.rejected)

    def as_dict(self) -> dict[str, Any]:
        return {"total_rows": self.total_rows, "imported": self.imported,
                "rejected_rows": self.rejected_rows, "errors": self.error_count,
                "committed": self.committed, "rejected": [r.as_dict() for r in self.rejected],
                "suspected_duplicates": self.suspected_duplicates}


def parse_date(value: str) -> dt.date:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a date, no time zone)
        except ValueError:
            continue
    raise ValueError(value)


def _parse_status(raw: str) -> tuple[str, int | None]:
    value = raw.strip().lower()
    group: int | None = None
    if ":" in value:
        value, _sep, group_text = value.partition(":")
        group = {"1": 1, "2": 2, "3": 3, "i": 1, "ii": 2, "iii": 3}.get(group_text.strip(), 0)
    if value not in StatusKind.values:
        raise ValueError("kind")
    if value == StatusKind.UA_WAR_DISABILITY and not group:
        raise ValueError("group")
    if value != StatusKind.UA_WAR_DISABILITY and group is not None:
        raise ValueError("group")
    return value, group


def _decode(data: bytes) -> str:
    # utf-8-sig drops a BOM when present; undecodable bytes are kept as surrogates so the
    # row that holds them can be named and rejected on its own.
    return data.decode("utf-8-sig", errors="surrogateescape")


def _has_surrogates(values: Iterable[str]) -> bool:
    return any("\udc80" <= ch <= "\udcff" for v in values for ch in v)


def csv_rows(data: bytes, columns: tuple[str, ...], optional: tuple[str, ...] = (),
             ) -> tuple[list[tuple[int, dict[str, str]]], list[RowError], int]:
    """File-level checks (size, binary, encoding, header) and the cleaned rows of a CSV:
    [(line, {column: text})], line-level errors, and the number of non-empty rows.
    Raises ApplicationError when the file as a whole cannot be read."""
    max_bytes = settings.VETBRIDGE_IMPORT_MAX_BYTES
    if len(data) > max_bytes:
        raise ApplicationError(_("The file is too large (%(size)s bytes; the limit is %(max)s).")
                               % {"size": len(data), "max": max_bytes})
    if b"\x00" in data[:4096]:
        raise ApplicationError(_("This is not a text CSV file (it contains binary data)."))
    text = _decode(data)
    if not text.strip():
        raise ApplicationError(_("The file is empty."))
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise ApplicationError(_("The CSV header cannot be read: %(err)s") % {"err": exc}) from exc
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns and c not in optional]
    if missing:
        raise ApplicationError(_("Missing column(s): %(cols)s. Expected: %(expected)s.")
                               % {"cols": ", ".join(missing), "expected": ", ".join(columns)})
    if unknown:
        raise ApplicationError(_("Unknown column(s): %(cols)s. Expected: %(expected)s.")
                               % {"cols": ", ".join(unknown), "expected": ", ".join(columns)})
    if len(set(header)) != len(header):
        raise ApplicationError(_("A column appears twice in the header."))
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    total = 0
    while True:
        line = reader.line_num + 1
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(line, "", _("malformed CSV: %(err)s") % {"err": exc}))
            total += 1
            break
        if not any(v.strip() for v in raw):
            continue
        total += 1
        line = reader.line_num
        if len(raw) != len(header):
            errors.append(RowError(line, "", _("expected %(n)s columns, found %(m)s")
                                   % {"n": len(header), "m": len(raw)}))
            continue
        if _has_surrogates(raw):
            errors.append(RowError(line, "", _("the line is not valid UTF-8 (mixed encodings?)")))
            continue
        refused = row_text_errors(dict(zip(header, raw, strict=True)))
        if refused:  # the input gate: control characters named by their column
            errors.extend(RowError(line, col, reason) for col, reason in refused.items())
            continue
        row = {k: clean_text(v) for k, v in zip(header, raw, strict=True)}
        for col in optional:
            row.setdefault(col, "")
        rows.append((line, row))
    return rows, errors, total


def identity_errors(line: int, row: dict[str, str], seen: dict[str, int],
                    name_columns: Iterable[str]) -> list[RowError]:
    """Checks every list import makes: an external id (required, at most 64 characters,
    not repeated in the file: `seen` maps the ids kept so far to their line), a surname,
    and names of at most 120 characters."""
    errors: list[RowError] = []
    ext = row["external_id"]
    if not ext:
        errors.append(RowError(line, "external_id", _("required")))
    elif len(ext) > 64:
        errors.append(RowError(line, "external_id", _("longer than 64 characters")))
    elif ext in seen:
        errors.append(RowError(line, "external_id", _("duplicate of line %(line)s")
                               % {"line": seen[ext]}))
    if not row["surname"]:
        errors.append(RowError(line, "surname", _("required")))
    for col in name_columns:
        if len(row[col]) > 120:
            errors.append(RowError(line, col, _("longer than 120 characters")))
    return errors


def date_cell(line: int, row: dict[str, str], column: str,
              errors: list[RowError]) -> dt.date | None:
    """The date in `column` (YYYY-MM-DD or DD.MM.YYYY), plausible (`core.inputs.date_problem`); a problem is
    appended to `errors` (and None returned when it is not a date)."""
    try:
        value = parse_date(row[column])
    except ValueError:
        errors.append(RowError(line, column, _(
            "not a date (use YYYY-MM-DD or DD.MM.YYYY): %(value)s") % {"value": row[column][:40]}))
        return None
    problem = date_problem(value)  # the plausible range shared with the API and the forms
    if problem:
        errors.append(RowError(line, column, problem))
    return value


def parse_people_csv(data: bytes, *, region_codes: dict[str, int] | None = None,
                     ) -> tuple[list[ParsedRow], list[RowError], int]:
    """Check the file and every row. Raises ApplicationError for a file-level problem."""
    raw_rows, errors, total = csv_rows(data, COLUMNS, OPTIONAL_COLUMNS)
    region_codes = region_codes or {}
    seen: dict[str, int] = {}
    rows: list[ParsedRow] = []
    today = timezone.localdate()
    for line, row in raw_rows:
        ext = row["external_id"]
        row_errors = identity_errors(line, row, seen, ("surname", "given_name", "patronymic"))
        birth: dt.date | None = None
        if row["birth_date"]:
            birth = date_cell(line, row, "birth_date", row_errors)
        sex = SEX_ALIASES.get(row["sex"].lower())
        if sex is None:
            row_errors.append(RowError(line, "sex", _("unknown value %(value)s (use M, F or U)")
                                       % {"value": row["sex"][:20]}))
        status: dict[str, Any] | None = None
        if row["status"]:
            try:
                kind, group = _parse_status(row["status"])
                status = {"kind": kind, "disability_group": group, "valid_from": today,
                          "document_type": _("imported list")}
            except ValueError as exc:
                reason = (_("war disability needs a group, e.g. ua_war_disability:2")
                          if str(exc) == "group" else
                          _("unknown status %(value)s (known: %(known)s)")
                          % {"value": row["status"][:40], "known": ", ".join(StatusKind.values)})
                row_errors.append(RowError(line, "status", reason))
            if status and row.get("status_from"):
                try:
                    status["valid_from"] = parse_date(row["status_from"])
                except ValueError:
                    row_errors.append(RowError(line, "status_from", _("not a date")))
                else:
                    problem = date_problem(status["valid_from"], not_before=birth)
                    if problem:
                        row_errors.append(RowError(line, "status_from", problem))
        region_id = None
        if row.get("region"):
            region_id = region_codes.get(row["region"].upper())
            if region_id is None:
                row_errors.append(RowError(line, "region", _("unknown region code %(value)s")
                                           % {"value": row["region"][:20]}))
        if row_errors:
            errors.extend(row_errors)
            continue
        seen[ext] = line
        full = " ".join(row[c] for c in ("surname", "given_name", "patronymic"))
        script = detect_script(full)
        rows.append(ParsedRow(
            line=line,
            person={"external_id": ext, "birth_date": birth, "sex": sex, "region_id": region_id},
            name={"surname": row["surname"], "given_name": row["given_name"],
                  "patronymic": row["patronymic"], "script": script,
                  "language": "uk" if script == Script.CYRILLIC else "en"},
            status=status,
        ))
    errors.sort(key=lambda e: e.line)
    return rows, errors, total


def people_import(*, actor: User | None, data: bytes, keep_valid: bool = False,
                  source: str = "", progress: Callable[[int], None] | None = None,
                  batch_size: int = 2000) -> ImportReport:
    from vetbridge.core.models import Region

    region_codes = dict(Region.objects.values_list("code", "id"))
    rows, errors, total = parse_people_csv(data, region_codes=region_codes)
    ids = [r.person["external_id"] for r in rows]
    existing: set[str | None] = set()
    for start in range(0, len(ids), 5000):
        existing.update(Person.objects.filter(external_id__in=ids[start:start + 5000])
                        .values_list("external_id", flat=True))
    if existing:
        errors.extend(RowError(r.line, "external_id", _("already in the registry"))
                      for r in rows if r.person["external_id"] in existing)
        errors.sort(key=lambda e: e.line)
        rows = [r for r in rows if r.person["external_id"] not in existing]
    report = ImportReport(total_rows=total, rejected=errors)
    if errors and not keep_valid:
        return report
    imported_ids: list[int] = []
    with undo_on_failure(imported_ids, partial(_undo_import, actor=actor, source=source)), \
            import_transaction():
        now = timezone.now()
        for start in range(0, len(rows), batch_size):
            with transaction.atomic():  # its own transaction on SQLite (core.batches)
                _import_chunk(rows[start:start + batch_size], actor=actor, source=source,
                              now=now, report=report, imported_ids=imported_ids)
            if progress:
                progress(min(batch_size, len(rows) - start))
        with transaction.atomic():
            audit_record(actor=actor, action=AuditAction.IMPORT, object_type="people.person",
                         summary=source or "CSV",
                         changes={"total_rows": report.total_rows,
                                  "imported": report.imported,
                                  "rejected": [r.as_dict() for r in report.rejected[:500]]})
        # Each newcomer against the registry (and the other newcomers): the review queue.
        for start in range(0, len(imported_ids), batch_size):
            with transaction.atomic():
                for person in Person.objects.filter(
                        pk__in=imported_ids[start:start + batch_size]).prefetch_related("names"):
                    report.suspected_duplicates += record_suspects(person)
    report.committed = True
    report.created_ids = imported_ids
    return report


def _undo_import(person_ids: list[int], *, actor: User | None, source: str) -> None:
    """An import that failed after some chunks committed (SQLite): remove those people."""
    Person.objects.filter(pk__in=person_ids).delete()
    audit_record(actor=actor, action=AuditAction.DELETE, object_type="people.person",
                 summary=f"import undone: {source or 'CSV'}",
                 changes={"undone_people": len(person_ids)})


def _import_chunk(chunk: list[Any], *, actor: User | None, source: str, now: dt.datetime,
                  report: ImportReport, imported_ids: list[int]) -> None:
    persons = Person.objects.bulk_create(
        [Person(**r.person, created_at=now, updated_at=now) for r in chunk])
    if not all(p.pk for p in persons):  # backends without RETURNING
        by_ext = dict(Person.objects.filter(
            external_id__in=[r.person["external_id"] for r in chunk])
            .values_list("external_id", "id"))
        for p in persons:
            p.pk = by_ext[p.external_id]
    PersonName.objects.bulk_create([
        PersonName(person=p, is_preferred=True, source=source[:120], **r.name)
        for p, r in zip(persons, chunk, strict=True)])
    PersonStatus.objects.bulk_create([
        PersonStatus(person=p, **r.status)
        for p, r in zip(persons, chunk, strict=True) if r.status])
    AuditLog.objects.bulk_create([
        audit_entry(actor=actor, action=AuditAction.CREATE, obj=p, person_id=p.pk,
                    summary=" ".join(v for v in (r.name["surname"],
                                                 r.name["given_name"]) if v),
                    changes={"fields": {k: [None, None if v is None else str(v)]
                                        for k, v in r.person.items()},
                             "import_line": r.line})
        for p, r in zip(persons, chunk, strict=True)])
    name_index.index_people([p.pk for p in persons])
    imported_ids += [p.pk for p in persons]
    report.imported += len(chunk)
