"""CSV import of people: every row checked, every rejection reported with its line and reason.

All-or-nothing by default: one bad row and nothing is written. With `keep_valid`, the good
rows are written and the bad ones reported. Either way the write is one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.accounts.models import User
from vetbridge.core.bulk import gc_paused
from vetbridge.core.exceptions import ApplicationError
from vetbridge.core.inputs import date_problem, row_text_errors

from .models import Person, Script, Sex, StatusKind, clean_text, detect_script_parts
from .registration import (
    NameSpelling,
    NewPerson,
    PeopleChunk,
    StatusGrant,
    bulk_path,
    people_register_bulk,
    people_register_chunks,
)

T = TypeVar("T")

COLUMNS = ("external_id", "surname", "given_name", "patronymic", "birth_date", "sex", "status")
OPTIONAL_COLUMNS = ("status_from", "region")
SEX_ALIASES = {
    "m": Sex.MALE,
    "male": Sex.MALE,
    "h": Sex.MALE,
    "homme": Sex.MALE,
    "ч": Sex.MALE,
    "чол": Sex.MALE,
    "м": Sex.MALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "femme": Sex.FEMALE,
    "ж": Sex.FEMALE,
    "жін": Sex.FEMALE,
    "u": Sex.UNKNOWN,
    "": Sex.UNKNOWN,
}


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


@dataclass
class ImportReport:
    total_rows: int = 0
    imported: int = 0
    committed: bool = False
    rejected: list[RowError] = field(default_factory=list)
    suspected_duplicates: int = 0
    batch_id: int | None = None
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
        return {
            "total_rows": self.total_rows,
            "imported": self.imported,
            "rejected_rows": self.rejected_rows,
            "errors": self.error_count,
            "committed": self.committed,
            "rejected": [r.as_dict() for r in self.rejected],
            "suspected_duplicates": self.suspected_duplicates,
            "batch": self.batch_id,
        }


def parse_date(value: str) -> dt.date:
    value = value.strip()
    if len(value) == 10 and value[4] == "-":  # YYYY-MM-DD, the fast path of big files
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a date, no time zone)
        except ValueError:
            continue
    raise ValueError(value)


_STATUS_KINDS = frozenset(StatusKind.values)


def _parse_status(raw: str) -> tuple[str, int | None]:
    value = raw.strip().lower()
    group: int | None = None
    if ":" in value:
        value, _sep, group_text = value.partition(":")
        group = {"1": 1, "2": 2, "3": 3, "i": 1, "ii": 2, "iii": 3}.get(group_text.strip(), 0)
    if value not in _STATUS_KINDS:
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


_SURROGATES = re.compile("[\udc80-\udcff]")
# Control characters other than tab and line breaks (which the CSV reader handles).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _has_surrogates(values: Iterable[str]) -> bool:
    return any(_SURROGATES.search(v) for v in values)


def csv_rows(
    data: bytes,
    columns: tuple[str, ...],
    optional: tuple[str, ...] = (),
    max_bytes: int | None = None,
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError], int]:
    """File-level checks (size, binary, encoding, header) and the cleaned rows of a CSV:
    [(line, {column: text})], line-level errors, and the number of non-empty rows.
    `max_bytes` defaults to the upload limit (VETBRIDGE_IMPORT_MAX_BYTES); the command line
    lifts it. Raises ApplicationError when the file as a whole cannot be read."""
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    total = 0
    for line, row, row_errors in iter_csv_rows(data, columns, optional, max_bytes):
        total += 1
        if row is None:
            errors.extend(row_errors)
        else:
            rows.append((line, row))
    return rows, errors, total


def iter_csv_rows(
    data: bytes,
    columns: tuple[str, ...],
    optional: tuple[str, ...] = (),
    max_bytes: int | None = None,
) -> Iterator[tuple[int, dict[str, str] | None, list[RowError]]]:
    """`csv_rows` one non-empty row at a time: (line, {column: text}, []) for a row that
    can be read, (line, None, [its errors]) for one that cannot. The file-level checks run
    before the first row (ApplicationError when the file as a whole cannot be read)."""
    if max_bytes is None:
        max_bytes = settings.VETBRIDGE_IMPORT_MAX_BYTES
    if len(data) > max_bytes:
        raise ApplicationError(
            _("The file is too large (%(size)s bytes; the limit is %(max)s).")
            % {"size": len(data), "max": max_bytes}
        )
    if b"\x00" in data[:4096]:
        raise ApplicationError(_("This is not a text CSV file (it contains binary data)."))
    # clean_text's NFC and removal of invisible characters, once for the whole file (neither
    # crosses a delimiter or a line break); each cell is then only trimmed and collapsed.
    decoded = _decode(data)
    # The input gate: a file with control characters is read as it is, so that each row
    # holding one is refused naming its column (clean_text would silently drop them).
    controls = bool(_CONTROLS.search(decoded))
    text = decoded if controls else clean_text(decoded, collapse=False)
    del decoded
    undecodable = bool(_SURROGATES.search(text))  # rows are checked one by one only then
    if not text.strip():
        raise ApplicationError(_("The file is empty."))
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    del text
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise ApplicationError(_("The CSV header cannot be read: %(err)s") % {"err": exc}) from exc
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns and c not in optional]
    if missing:
        raise ApplicationError(
            _("Missing column(s): %(cols)s. Expected: %(expected)s.")
            % {"cols": ", ".join(missing), "expected": ", ".join(columns)}
        )
    if unknown:
        raise ApplicationError(
            _("Unknown column(s): %(cols)s. Expected: %(expected)s.")
            % {"cols": ", ".join(unknown), "expected": ", ".join(columns)}
        )
    if len(set(header)) != len(header):
        raise ApplicationError(_("A column appears twice in the header."))
    while True:
        line = reader.line_num + 1
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield line, None, [RowError(line, "", _("malformed CSV: %(err)s") % {"err": exc})]
            break
        if not any(v.strip() for v in raw):
            continue
        line = reader.line_num
        if len(raw) != len(header):
            yield (
                line,
                None,
                [
                    RowError(
                        line,
                        "",
                        _("expected %(n)s columns, found %(m)s")
                        % {"n": len(header), "m": len(raw)},
                    )
                ],
            )
            continue
        if undecodable and _has_surrogates(raw):
            yield (
                line,
                None,
                [RowError(line, "", _("the line is not valid UTF-8 (mixed encodings?)"))],
            )
            continue
        if controls:
            refused = row_text_errors(dict(zip(header, raw, strict=True)))
            if refused:  # the input gate: control characters named by their column
                yield line, None, [RowError(line, col, reason) for col, reason in refused.items()]
                continue
        row = {
            k: clean_text(v) if controls else " ".join(v.split())
            for k, v in zip(header, raw, strict=True)
        }
        for col in optional:
            row.setdefault(col, "")
        yield line, row, []


def identity_errors(
    line: int, row: dict[str, str], seen: dict[str, int], name_columns: Iterable[str]
) -> list[RowError]:
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
        errors.append(
            RowError(line, "external_id", _("duplicate of line %(line)s") % {"line": seen[ext]})
        )
    if not row["surname"]:
        errors.append(RowError(line, "surname", _("required")))
    for col in name_columns:
        if len(row[col]) > 120:
            errors.append(RowError(line, col, _("longer than 120 characters")))
    return errors


def date_cell(
    line: int,
    row: dict[str, str],
    column: str,
    errors: list[RowError],
    today: dt.date | None = None,
) -> dt.date | None:
    """The date in `column` (YYYY-MM-DD or DD.MM.YYYY), plausible (`core.inputs.date_problem`)
    and not in the future; a problem is
    appended to `errors` (and None returned when it is not a date)."""
    try:
        value = parse_date(row[column])
    except ValueError:
        errors.append(
            RowError(
                line,
                column,
                _("not a date (use YYYY-MM-DD or DD.MM.YYYY): %(value)s")
                % {"value": row[column][:40]},
            )
        )
        return None
    today = today or timezone.localdate()
    # the plausible range shared with the API and the forms
    problem = date_problem(value, today=today)
    if problem:
        errors.append(RowError(line, column, problem))
    elif value > today:
        errors.append(RowError(line, column, _("in the future")))
    return value


@dataclass(frozen=True, slots=True)
class CheckedPerson:
    """The values of one row that passed every check (plain values, no model objects)."""

    external_id: str
    birth_date: dt.date | None
    sex: str
    region_id: int | None
    surname: str
    given_name: str
    patronymic: str
    script: str
    status: tuple[str, int | None, dt.date, str] | None  # kind, group, valid from, document


def iter_people_rows(
    data: bytes,
    *,
    region_codes: dict[str, int] | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> Iterator[tuple[int, CheckedPerson | None, list[RowError]]]:
    """Every non-empty row of the file, checked, in file order: (line, person, []) or
    (line, None, [its errors, in the order of the columns checked]). Every check of a cell
    is made here (one place to plug a shared validator in); `parse_people_csv` and the
    import pipeline (`people.import_pipeline`) both read the file through it.
    Raises ApplicationError for a file-level problem (before the first row)."""
    region_codes = region_codes or {}
    seen: dict[str, int] = {}
    today = today or timezone.localdate()
    imported_list = _("imported list")
    for line, row, csv_errors in iter_csv_rows(data, COLUMNS, OPTIONAL_COLUMNS, max_bytes):
        if row is None:
            yield line, None, csv_errors
            continue
        ext = row["external_id"]
        row_errors = identity_errors(line, row, seen, ("surname", "given_name", "patronymic"))
        birth: dt.date | None = None
        if row["birth_date"]:
            birth = date_cell(line, row, "birth_date", row_errors, today)
            if birth is not None and birth <= today and birth.year < 1900:
                row_errors.append(RowError(line, "birth_date", _("before 1900")))
        sex = SEX_ALIASES.get(row["sex"].lower())
        if sex is None:
            row_errors.append(
                RowError(
                    line,
                    "sex",
                    _("unknown value %(value)s (use M, F or U)") % {"value": row["sex"][:20]},
                )
            )
        status: tuple[str, int | None, dt.date, str] | None = None
        if row["status"]:
            try:
                kind, group = _parse_status(row["status"])
                status = (kind, group, today, imported_list)
            except ValueError as exc:
                reason = (
                    _("war disability needs a group, e.g. ua_war_disability:2")
                    if str(exc) == "group"
                    else _("unknown status %(value)s (known: %(known)s)")
                    % {"value": row["status"][:40], "known": ", ".join(StatusKind.values)}
                )
                row_errors.append(RowError(line, "status", reason))
            if status and row.get("status_from"):
                try:
                    valid_from = parse_date(row["status_from"])
                except ValueError:
                    row_errors.append(RowError(line, "status_from", _("not a date")))
                else:
                    status = (status[0], status[1], valid_from, status[3])
                    problem = date_problem(valid_from, not_before=birth, today=today)
                    if problem:
                        row_errors.append(RowError(line, "status_from", problem))
        region_id = None
        if row.get("region"):
            region_id = region_codes.get(row["region"].upper())
            if region_id is None:
                row_errors.append(
                    RowError(
                        line,
                        "region",
                        _("unknown region code %(value)s") % {"value": row["region"][:20]},
                    )
                )
        if row_errors:
            yield line, None, row_errors
            continue
        seen[ext] = line
        yield (
            line,
            CheckedPerson(
                external_id=ext,
                birth_date=birth,
                sex=sex or Sex.UNKNOWN,
                region_id=region_id,
                surname=row["surname"],
                given_name=row["given_name"],
                patronymic=row["patronymic"],
                script=detect_script_parts((row["surname"], row["given_name"], row["patronymic"])),
                status=status,
            ),
            [],
        )


def people_chunks(
    data: bytes, *, chunk: int, **options: Any
) -> Iterator[tuple[list[int], PeopleChunk, list[tuple[int, str, str]], int]]:
    """`iter_people_rows` in chunks of `chunk` rows, as the import pipeline's checking
    process sends them: (lines of the people, the people as columns, the errors as
    (line, field, reason), rows read)."""
    lines: list[int] = []
    part = PeopleChunk()
    errors: list[tuple[int, str, str]] = []
    total = 0
    for line, checked, row_errors in iter_people_rows(data, **options):
        total += 1
        if checked is None:
            errors += [(e.line, e.field, e.reason) for e in row_errors]
        else:
            at = len(lines)
            lines.append(line)
            part.external_id.append(checked.external_id)
            birth = checked.birth_date
            part.birth_date.append(birth.isoformat() if birth else None)
            part.sex.append(checked.sex)
            part.region_id.append(checked.region_id)
            part.lifecycle.append("alive")
            part.lifecycle_date.append(None)
            part.name_of.append(at)
            part.surname.append(checked.surname)
            part.given_name.append(checked.given_name)
            part.patronymic.append(checked.patronymic)
            part.script.append(checked.script)
            part.language.append("uk" if checked.script == Script.CYRILLIC else "en")
            part.is_preferred.append(True)
            if checked.status:
                kind, group, valid_from, document = checked.status
                part.add_status(at, kind, group, valid_from.isoformat(), document)
        if total == chunk:
            yield lines, part, errors, total
            lines, part, errors, total = [], PeopleChunk(), [], 0
    yield lines, part, errors, total


def new_person(checked: CheckedPerson) -> NewPerson:
    """The registration service's form of a checked row."""
    script = checked.script
    status = checked.status
    return NewPerson(
        external_id=checked.external_id,
        birth_date=checked.birth_date,
        sex=checked.sex,
        region_id=checked.region_id,
        names=(
            NameSpelling(
                surname=checked.surname,
                given_name=checked.given_name,
                patronymic=checked.patronymic,
                script=script,
                language="uk" if script == Script.CYRILLIC else "en",
            ),
        ),
        status=(
            StatusGrant(
                kind=status[0],
                disability_group=status[1],
                valid_from=status[2],
                document_type=status[3],
            )
            if status
            else None
        ),
    )


def parse_people_csv(
    data: bytes,
    *,
    region_codes: dict[str, int] | None = None,
    max_bytes: int | None = None,
) -> tuple[list[tuple[int, NewPerson]], list[RowError], int]:
    """Check the file and every row: [(line, person)], the rejections, the row count.
    Raises ApplicationError for a file-level problem."""
    rows: list[tuple[int, NewPerson]] = []
    errors: list[RowError] = []
    total = 0
    for line, checked, row_errors in iter_people_rows(
        data, region_codes=region_codes, max_bytes=max_bytes
    ):
        total += 1
        if checked is None:
            errors.extend(row_errors)
        else:
            rows.append((line, new_person(checked)))
    errors.sort(key=lambda e: e.line)
    return rows, errors, total


@gc_paused()
def people_import(
    *,
    actor: User | None,
    data: bytes,
    keep_valid: bool = False,
    source: str = "",
    progress: Callable[[int], None] | None = None,
    link: bool = True,
    max_bytes: int | None = None,
    chunk: int | None = None,
    pipeline: bool | None = None,
) -> ImportReport:
    """Check a CSV of people and register the valid ones through the one bulk registration
    path (`people.registration`): all or nothing unless `keep_valid`, one audit entry
    pointing to the stored file. Then, unless `link` is false, the batch linkage job queues
    the suspected duplicates of the newcomers (after the commit, in its own transaction).
    `progress(n)` is told of every n rows written: wrap this function as a background task
    by passing a callback that stores the progress.

    `pipeline` (by default: a large file on a machine with several cores, see
    `people.import_pipeline`) checks the rows in a second process while this one writes;
    the report, the rows written and the audit are the same either way. Python's cyclic
    collector is paused meanwhile (`core.bulk.gc_paused`)."""
    from vetbridge.core.models import Region

    from . import import_pipeline

    region_codes = dict(Region.objects.values_list("code", "id"))
    if pipeline is None:
        pipeline = import_pipeline.wanted(data)
    if pipeline:
        report = _import_pipelined(
            actor=actor,
            data=data,
            keep_valid=keep_valid,
            source=source,
            progress=progress,
            max_bytes=max_bytes,
            chunk=chunk,
            region_codes=region_codes,
        )
        if not report.committed:
            return report
    else:
        rows, errors, total = parse_people_csv(data, region_codes=region_codes, max_bytes=max_bytes)
        rows, errors = reject_known_ids(rows, errors, lambda r: r.external_id)
        report = ImportReport(total_rows=total, rejected=errors)
        if errors and not keep_valid:
            return report
        registered = people_register_bulk(
            actor=actor,
            kind="people",
            data=data,
            source=source,
            people=[p for _l, p in rows],
            audit_changes=_audit_changes(report),
            progress=progress,
            chunk=chunk,
        )
        report.imported = len(registered.ids)
        report.batch_id = registered.batch.pk
        report.committed = True
        report.created_ids = registered.ids
    if link and report.created_ids:
        from .linkage import scan_duplicates

        report.suspected_duplicates = scan_duplicates(new_ids=report.created_ids).queued
    report.created_ids = list(report.created_ids)
    return report


def _audit_changes(report: ImportReport) -> dict[str, Any]:
    return {
        "total_rows": report.total_rows,
        "rejected": [r.as_dict() for r in report.rejected[:500]],
    }


class _Refused(Exception):
    """A row was refused in an all-or-nothing import: the writes so far roll back."""


def _import_pipelined(
    *,
    actor: User | None,
    data: bytes,
    keep_valid: bool,
    source: str,
    progress: Callable[[int], None] | None,
    max_bytes: int | None,
    chunk: int | None,
    region_codes: dict[str, int],
) -> ImportReport:
    """`people_import` with the checks in a second process (`people.import_pipeline`):
    chunk k is written while chunk k + 1 is checked. The first refused row of an
    all-or-nothing import rolls back what was written; the rest of the file is still read
    so that the report names every refused row, as the single-process path does."""
    from . import registration
    from .import_pipeline import CheckedChunks

    report = ImportReport()
    expected = data.count(b"\n")  # at least the number of rows
    defer_indexes = bulk_path(expected)
    # Ids already in the registry. When the indexes are rebuilt (the registry is no larger
    # than the file), read them once: the unique index on external_id is gone meanwhile.
    known = (
        set(Person.objects.exclude(external_id=None).values_list("external_id", flat=True))
        if defer_indexes
        else None
    )
    known_error = _("already in the registry")

    def accept(
        lines: list[int], part: PeopleChunk, errs: list[tuple[int, str, str]], total: int
    ) -> PeopleChunk:
        report.total_rows += total
        errors = [RowError(*e) for e in errs]
        found = set(known_ids(part.external_id)) if known is None else known
        dropped = {i for i, ext in enumerate(part.external_id) if ext in found}
        if dropped:
            errors += [RowError(lines[i], "external_id", known_error) for i in sorted(dropped)]
            errors.sort(key=lambda e: e.line)
            part = part.without(dropped)
        report.rejected += errors
        return part

    with CheckedChunks(
        data,
        checker="vetbridge.people.importer:people_chunks",
        chunk=chunk or registration.CHUNK,
        region_codes=region_codes,
        max_bytes=max_bytes,
        today=timezone.localdate(),
    ) as checked:
        stream = iter(checked)
        first = next(stream, None)  # the file-level checks come before the first row

        def chunks() -> Iterator[PeopleChunk]:
            for item in itertools.chain([first] if first else [], stream):
                part = accept(*item)
                if report.rejected and not keep_valid:
                    raise _Refused
                yield part

        try:
            registered = people_register_chunks(
                actor=actor,
                kind="people",
                data=data,
                source=source,
                chunks=chunks(),
                expected=expected,
                audit_changes=lambda: _audit_changes(report),
                progress=progress,
                defer_indexes=defer_indexes,
            )
        except _Refused:
            for item in stream:  # the rest of the file, for the report
                accept(*item)
            return report
    report.imported = len(registered.ids)
    report.batch_id = registered.batch.pk
    report.committed = True
    report.created_ids = registered.ids
    return report


def reject_known_ids(
    rows: list[tuple[int, T]],
    errors: list[RowError],
    external_id: Callable[[T], str | None],
) -> tuple[list[tuple[int, T]], list[RowError]]:
    """Rows whose external id is already in the registry become rejections."""
    existing = known_ids([external_id(r) for _line, r in rows])
    if not existing:
        return rows, errors
    errors = sorted(
        [
            *errors,
            *(
                RowError(line, "external_id", _("already in the registry"))
                for line, r in rows
                if external_id(r) in existing
            ),
        ],
        key=lambda e: e.line,
    )
    return [(line, r) for line, r in rows if external_id(r) not in existing], errors


def known_ids(ids: list[str | None]) -> set[str | None]:
    """Those of `ids` already in the registry."""
    existing: set[str | None] = set()
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cur:  # plain SQL: the ORM costs seconds per million ids
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cur.execute(
                f"SELECT external_id FROM {table} "  # noqa: S608 (names from the model)
                f"WHERE external_id IN ({marks})",
                chunk,
            )
            existing.update(r[0] for r in cur.fetchall())
    return existing
