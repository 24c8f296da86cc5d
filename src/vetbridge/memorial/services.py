"""Writes of the memorial: editing and publication, tributes and their moderation, imports,
and linking a memorial record to the registry. Each runs in one transaction with its audit
row and, for records, a `MemorialChange` saying where the change came from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vetbridge.accounts.audit import audit_record, diff_fields
from vetbridge.accounts.models import AuditAction, User
from vetbridge.accounts.roles import Capability, Role
from vetbridge.accounts.scoping import access_person_by_id, require
from vetbridge.core.bulk import (
    fast_insert,
    gc_paused,
    indexes_deferred,
    reserve_ids,
)
from vetbridge.core.exceptions import ApplicationError, ConflictError, NotFoundError, field_error
from vetbridge.core.inputs import check_date, date_problem
from vetbridge.core.models import Region
from vetbridge.core.services import UNSET, Unset, field_values, model_update
from vetbridge.core.uploads import CleanImage, clean_image
from vetbridge.core.written import known_language
from vetbridge.people.duplicates import person_merge
from vetbridge.people.importer import (
    ImportReport,
    RowError,
    date_cell,
    identity_errors,
    iter_csv_rows,
    known_ids,
    reject_known_ids,
)
from vetbridge.people.linkage import scan_duplicates
from vetbridge.people.models import Lifecycle, Person, Script, Sex, detect_script_parts
from vetbridge.people.registration import (
    NameSpelling,
    NewPerson,
    PeopleChunk,
    Registered,
    people_register_bulk,
    people_register_chunks,
)

from . import selectors
from .models import (
    CORRECTABLE,
    EditorNotification,
    MemorialChange,
    MemorialRecord,
    PublicationBasis,
    Tribute,
    TributeKind,
    TributeState,
)

# The memorial publishes only these lifecycles, checked at publication and at every read
# (selectors.published).
COMMEMORATED = frozenset({Lifecycle.FALLEN, Lifecycle.MISSING})
# Public submissions from one address: at most this many per hour and per day.
TRIBUTES_PER_HOUR = 5
TRIBUTES_PER_DAY = 20
PHOTO_MAX_BYTES = 5 * 1024 * 1024


def clean_public_text(value: object, limit: int) -> str:
    """Text from the public, made inert: direction overrides, zero-width and control
    characters removed (new lines kept), NFC, cut to `limit`. HTML stays text: templates
    escape it."""
    text = unicodedata.normalize("NFC", str(value or ""))
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n":
            kept.append(ch)
        elif cat in ("Cf", "Cc", "Co", "Cs"):
            continue
        else:
            kept.append(ch)
    lines = [" ".join(line.split()) for line in "".join(kept).split("\n")]
    return "\n".join(lines).strip()[:limit]


def check_image(content: bytes, fld: str = "photo") -> CleanImage:
    """A real JPEG or PNG of sensible size, decoded and re-encoded without its metadata (EXIF
    GPS position included): store the returned content, never the upload."""
    if len(content) > PHOTO_MAX_BYTES:
        raise field_error(fld, _("The photo is larger than 5 MB."))
    return clean_image(content, fld)


def _record(actor: User, record_id: int, *, lock: bool = False) -> MemorialRecord:
    require(actor, Capability.MEMORIAL_EDIT)
    qs = MemorialRecord.objects.select_related("person")
    if lock:
        qs = qs.select_for_update(of=("self",))
    record = qs.filter(pk=record_id, person__merged_into__isnull=True).first()
    if record is None:
        raise NotFoundError(_("No such memorial record."))
    return record


def _caches_outdated() -> None:
    """The memorial's cached rankings and page parts are outdated: a new generation now
    (this transaction's own later reads) and again once it commits (a page cached by
    another worker between the two, from the data before the commit, is not used)."""
    selectors.search_cache_bump()
    transaction.on_commit(selectors.search_cache_bump)


def _history(
    record: MemorialRecord, actor: User | None, changes: dict[str, Any], source: str
) -> None:
    """The record's own history row (shown on its edit page); search caches refreshed."""
    MemorialChange.objects.create(record=record, changes=changes, source=source[:300], by=actor)
    _caches_outdated()


def _change(
    record: MemorialRecord, actor: User | None, changes: dict[str, Any], source: str
) -> None:
    """History row and audit row of a change not written by `model_update`."""
    _history(record, actor, changes, source)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=record,
        person_id=record.person_id,
        summary=source[:120],
        changes=changes,
    )


def _conflict() -> str:
    return _(
        "This record was changed by someone else since you opened it. "
        "Reload it and apply your change again."
    )


def _record_update(
    record: MemorialRecord,
    actor: User | None,
    fields: Any,
    source: str,
    history: dict[str, Any] | None = None,
    audit_extra: dict[str, Any] | None = None,
) -> list[str]:
    """`model_update` on a locked record (its version bumped, one audit row), then the
    record's history row: the changed fields [old, new] and `history`'s keys."""
    names = [
        k
        for k, v in (
            fields.items()
            if isinstance(fields, dict)
            else ((f.name, getattr(fields, f.name)) for f in dataclasses.fields(fields))
        )
        if v is not UNSET
    ]
    before = field_values(record, names)
    _record_obj, changed = model_update(
        instance=record,
        fields=fields,
        actor=actor,
        expected_version=record.version,
        conflict_message=_conflict(),
        summary=source[:120],
        audit_extra=audit_extra,
    )
    if changed:
        diff = diff_fields({k: before[k] for k in changed}, field_values(record, changed))
        _history(record, actor, {**diff, **(history or {})}, source)
    return changed


@dataclass(frozen=True)
class RecordChanges:
    """An editor's change of a memorial record: `UNSET` fields stay as they are."""

    rank: str | Unset = UNSET
    unit: str | Unset = UNSET
    death_date: dt.date | None | Unset = UNSET
    death_place: str | Unset = UNSET
    birth_year: int | None | Unset = UNSET
    birth_region: Region | None | Unset = UNSET
    burial_place: str | Unset = UNSET
    circumstances: str | Unset = UNSET
    sources: str | Unset = UNSET


@transaction.atomic
def record_update(
    *, actor: User, record_id: int, expected_version: int, data: RecordChanges, source: str
) -> MemorialRecord:
    record = _record(actor, record_id, lock=True)
    if record.version != expected_version:
        raise ConflictError(_conflict())
    source = clean_public_text(source, 300)
    if not source:
        raise field_error("source", _("Say where this change comes from."))
    death_date = record.death_date if isinstance(data.death_date, Unset) else data.death_date
    check_date("death_date", death_date, not_before=record.person.birth_date)
    _record_update(record, actor, data, source)
    return record


@transaction.atomic
def record_photo_set(*, actor: User, record_id: int, content: bytes, source: str) -> None:
    record = _record(actor, record_id, lock=True)
    image = check_image(content)
    record.photo.save(
        hashlib.sha256(image.content).hexdigest()[:32] + image.extension,
        ContentFile(image.content),
        save=False,
    )
    MemorialRecord.objects.filter(pk=record.pk).update(
        photo=record.photo.name, version=F("version") + 1
    )
    _change(record, actor, {"photo": [None, record.photo.name]}, source or "photo")


@transaction.atomic
def record_publish(*, actor: User, record_id: int, basis: str, note: str) -> MemorialRecord:
    record = _record(actor, record_id, lock=True)
    if record.person.lifecycle not in COMMEMORATED:
        raise field_error(
            "lifecycle",
            _(
                "Only the fallen and the missing are published on the memorial: the registry "
                "records this person as %(lifecycle)s."
            )
            % {"lifecycle": record.person.get_lifecycle_display()},
        )
    if basis not in PublicationBasis.values:
        raise field_error(
            "publication_basis", _("Choose the family's consent or an editorial decision.")
        )
    note = clean_public_text(note, 300)
    if not note:
        raise field_error(
            "publication_note",
            _("Record who consented and when, or the reference of the editorial decision."),
        )
    model_update(
        instance=record,
        actor=actor,
        expected_version=record.version,
        conflict_message=_conflict(),
        summary=note[:120],
        fields={
            "published": True,
            "publication_basis": basis,
            "publication_note": note,
            "published_at": timezone.now(),
        },
    )
    _history(record, actor, {"published": [False, True], "basis": basis}, note)
    return record


@transaction.atomic
def record_unpublish(*, actor: User, record_id: int, reason: str) -> MemorialRecord:
    """Immediate: the page and search stop showing the person at once."""
    record = _record(actor, record_id, lock=True)
    reason = clean_public_text(reason, 300)
    if not reason:
        raise field_error("reason", _("Give the reason (e.g. the family's request)."))
    _record_update(record, actor, {"published": False}, reason)
    return record


def withdraw_if_not_commemorated(
    *, actor: User | None, person: Person, before: str, after: str
) -> None:
    """Lifecycle hook (MemorialConfig.lifecycle_hooks), in the transaction of the change: a
    person no longer fallen or missing (e.g. found alive) leaves the public memorial at once;
    the withdrawal is recorded and audited, and every memorial editor is notified."""
    if after in COMMEMORATED:
        return
    record = (
        MemorialRecord.objects.select_for_update()
        .filter(person_id=person.pk, published=True)
        .first()
    )
    if record is None:
        return
    _record_update(
        record,
        actor,
        {"published": False},
        f"lifecycle: {before} → {after}",
        history={"lifecycle": [before, after]},
        audit_extra={"lifecycle": [before, after]},
    )
    editors = User.objects.filter(role=Role.MEMORIAL_EDITOR, is_active=True)
    EditorNotification.objects.bulk_create(
        [
            EditorNotification(
                user=editor, record=record, kind=EditorNotification.Kind.WITHDRAWN_ALIVE
            )
            for editor in editors
        ]
    )


# ---------------------------------------------------------------- tributes


def submitter_hash(ip: str) -> str:
    """Pseudonymous key of a submitter for rate limiting (no address stored)."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()


class RateLimited(ApplicationError):
    status_code = 429


@dataclass(frozen=True)
class TributeInput:
    """What the public sends: words, a photo (apart), or a correction proposing values."""

    kind: str = ""
    author_name: str = ""
    relation: str = ""
    text: str = ""
    contact: str = ""
    proposed_rank: str = ""
    proposed_unit: str = ""
    proposed_death_date: dt.date | None = None
    proposed_death_place: str = ""
    proposed_birth_year: int | None = None
    proposed_burial_place: str = ""
    proposed_circumstances: str = ""


@transaction.atomic
def tribute_submit(*, record_id: int, data: TributeInput, photo: bytes | None, ip: str) -> Tribute:
    record = selectors.published().filter(pk=record_id).first()
    if record is None:
        raise NotFoundError(_("No such memorial record."))
    who = submitter_hash(ip)
    now = timezone.now()
    recent = Tribute.objects.filter(submitter_hash=who)
    if (
        recent.filter(submitted_at__gte=now - dt.timedelta(hours=1)).count() >= TRIBUTES_PER_HOUR
        or recent.filter(submitted_at__gte=now - dt.timedelta(days=1)).count() >= TRIBUTES_PER_DAY
    ):
        raise RateLimited(_("Too many submissions from your connection. Please try again later."))
    kind = data.kind or TributeKind.TRIBUTE
    if kind not in TributeKind.values:
        raise field_error("kind", _("Choose what you are sending."))
    author = clean_public_text(data.author_name, 120)
    if not author:
        raise field_error("author_name", _("Please give your name."))
    text = clean_public_text(data.text, 2000)
    proposal = _proposal(data) if kind == TributeKind.CORRECTION else {}
    contact = clean_public_text(data.contact, 200)
    if contact and ("@" not in contact or " " in contact):
        raise field_error("contact", _("Enter a valid e-mail address."))
    tribute = Tribute(
        record=record,
        kind=kind,
        author_name=author,
        relation=clean_public_text(data.relation, 120),
        text=text,
        submitter_hash=who,
        proposal=proposal,
        contact=contact,
        language=translation.get_language() or "",
    )
    if photo:
        image = check_image(photo)
        tribute.photo.save(
            hashlib.sha256(image.content).hexdigest()[:32] + image.extension,
            ContentFile(image.content),
            save=False,
        )
    if not text and not photo and not proposal:
        raise field_error("text", _("Write a few words or add a photo."))
    if kind == TributeKind.PHOTO and not photo:
        raise field_error("photo", _("Add the photo."))
    tribute.save()
    audit_record(
        actor=None, action=AuditAction.CREATE, obj=tribute, person_id=record.person_id, summary=kind
    )
    return tribute


@transaction.atomic
def tribute_moderate(*, actor: User, tribute_id: int, accept: bool, reason: str = "") -> Tribute:
    require(actor, Capability.MEMORIAL_EDIT)
    tribute = (
        Tribute.objects.select_for_update(of=("self",))
        .select_related("record")
        .filter(pk=tribute_id, state=TributeState.PENDING)
        .first()
    )
    if tribute is None:
        raise NotFoundError(_("No such tribute waiting for moderation."))
    reason = clean_public_text(reason, 300)
    if not accept and not reason:
        raise field_error("reason", _("Give the reason of the rejection."))
    model_update(
        instance=tribute,
        actor=actor,
        person_id=tribute.record.person_id,
        summary=TributeState.PUBLISHED if accept else TributeState.REJECTED,
        fields={
            "state": TributeState.PUBLISHED if accept else TributeState.REJECTED,
            "reason": reason,
            "moderated_by": actor,
            "moderated_at": timezone.now(),
        },
    )
    if accept:
        # a published tribute shows on the record's page: its cached parts are outdated
        _caches_outdated()
    if not accept and tribute.kind == TributeKind.CORRECTION and tribute.contact:
        _tell_submitter(tribute)
    if accept and tribute.kind == TributeKind.CORRECTION:
        # A correction is applied by the editor on the record, citing it as the source.
        _change(
            tribute.record,
            actor,
            {"correction": tribute.text[:500]},
            f"{_('correction sent by')} {tribute.author_name}",
        )
    return tribute


def _proposal(data: TributeInput) -> dict[str, Any]:
    """The proposed values of a correction, {record field: value}, the empty ones left out."""
    out: dict[str, Any] = {}
    for fld in CORRECTABLE:
        value = getattr(data, f"proposed_{fld}")
        if value in (None, ""):
            continue
        if isinstance(value, dt.date):
            out[fld] = value.isoformat()
        elif isinstance(value, int):
            out[fld] = value
        else:
            text = clean_public_text(value, 4000 if fld == "circumstances" else 200)
            if text:
                out[fld] = text
    return out


def _converted(record_field: str, value: Any, form_field: str) -> Any:
    """A proposed value made fit for `record_field`, or a field error naming `form_field`."""
    if record_field == "death_date":
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise field_error(form_field, _("This value is not a date.")) from None
    if record_field == "birth_year":
        text = str(value).strip()
        if not text.isdigit() or not 1900 <= int(text) <= timezone.localdate().year:
            raise field_error(form_field, _("This value is not a year of birth."))
        return int(text)
    limit = int(getattr(MemorialRecord._meta.get_field(record_field), "max_length", None) or 200)
    text = clean_public_text(value, 10_000)
    if len(text) > limit:
        raise field_error(
            form_field, _("This value is longer than %(n)s characters.") % {"n": limit}
        )
    return text


@transaction.atomic
def correction_apply(
    *, actor: User, tribute_id: int, expected_version: int, targets: dict[str, str]
) -> MemorialRecord:
    """Apply a family's correction to its record field by field: `targets` maps each proposed
    value's key to the record field that receives it ("" = not applied). The change is
    recorded with the correction as its source; the record's version guards against an
    editor overwriting another's change."""
    require(actor, Capability.MEMORIAL_EDIT)
    tribute = (
        Tribute.objects.select_for_update(of=("self",))
        .filter(pk=tribute_id, kind=TributeKind.CORRECTION, state=TributeState.PENDING)
        .first()
    )
    if tribute is None:
        raise NotFoundError(_("No such correction waiting for moderation."))
    record = _record(actor, tribute.record_id, lock=True)
    if record.version != expected_version:
        raise ConflictError(
            _(
                "This record was changed by someone else since you opened it. "
                "Reload it and apply your change again."
            )
        )
    data: dict[str, Any] = {}
    for key, target in targets.items():
        if not target:
            continue
        form_field = f"target_{key}"
        if key not in tribute.proposal:
            raise field_error(form_field, _("This correction proposes no such value."))
        if target not in CORRECTABLE:
            raise field_error(form_field, _("Choose a field of the record."))
        if target in data:
            raise field_error(form_field, _("Two values were chosen for the same field."))
        data[target] = _converted(target, tribute.proposal[key], form_field)
    if not data:
        raise field_error("version", _("Choose at least one value to apply."))
    check_date(
        "death_date", data.get("death_date", record.death_date), not_before=record.person.birth_date
    )
    source = _("correction no. %(id)s sent by %(name)s on %(date)s") % {
        "id": tribute.pk,
        "name": tribute.author_name,
        "date": tribute.submitted_at.date().isoformat(),
    }
    changed = _record_update(
        record,
        actor,
        data,
        source,
        history={"correction": tribute.pk},
        audit_extra={"correction": tribute.pk},
    )
    if "circumstances" in changed:  # the family wrote it, not the editor who applies it
        record.circumstances_language = known_language(tribute.language)
        record.save(update_fields=["circumstances_language"])
    model_update(
        instance=tribute,
        actor=actor,
        person_id=record.person_id,
        summary=TributeState.APPLIED,
        audit_extra={"applied": sorted(changed)},
        fields={
            "state": TributeState.APPLIED,
            "moderated_by": actor,
            "moderated_at": timezone.now(),
        },
    )
    return record


def _tell_submitter(tribute: Tribute) -> None:
    """After commit, e-mail the reason of a rejected correction to the address its submitter
    gave, in the language they wrote in (a failure is logged, never raised)."""
    from django.template.loader import render_to_string

    from vetbridge.core.mail import log

    language = tribute.language or settings.LANGUAGE_CODE
    address, ctx = tribute.contact, {"tribute": tribute, "name": str(tribute.record)}

    def send() -> None:
        with translation.override(language):
            subject = " ".join(
                render_to_string("emails/memorial_correction_rejected_subject.txt", ctx).split()
            )
            body = render_to_string("emails/memorial_correction_rejected.txt", ctx)
        message = EmailMessage(subject, body, to=[address])
        message.extra_headers["Content-Language"] = language
        try:
            message.send()
        except OSError:
            log.exception("correction rejection not e-mailed (tribute %s)", tribute.pk)

    transaction.on_commit(send)


# ---------------------------------------------------------------- registry link


@transaction.atomic
def record_create_for(*, actor: User, person_id: int) -> MemorialRecord:
    """Open a memorial record (unpublished) for a fallen or missing person of the registry."""
    require(actor, Capability.MEMORIAL_EDIT)
    person = access_person_by_id(actor, person_id, Capability.MEMORIAL_EDIT)
    if person.lifecycle not in (Lifecycle.FALLEN, Lifecycle.MISSING):
        raise ApplicationError(_("Only the fallen and the missing have a memorial record."))
    if MemorialRecord.objects.filter(person=person).exists():
        raise ApplicationError(_("This person already has a memorial record."))
    record = MemorialRecord.objects.create(person=person, death_date=person.lifecycle_date)
    _change(record, actor, {"created": True}, _("registry"))
    return record


@transaction.atomic
def record_link(*, actor: User, record_id: int, person_id: int) -> MemorialRecord:
    """The memorial record's person is the registry person `person_id`: the two are merged
    (the registry person survives, reversibly), so the family's statuses and rights attach to
    the fallen person the memorial shows."""
    record = _record(actor, record_id, lock=True)
    target = access_person_by_id(actor, person_id, Capability.MEMORIAL_EDIT)
    if target.pk == record.person_id:
        raise ApplicationError(_("This record is already that person."))
    if MemorialRecord.objects.filter(person=target).exists():
        raise ApplicationError(_("This person already has a memorial record."))
    absorbed = record.person_id
    person_merge(
        actor=actor,
        survivor_id=target.pk,
        absorbed_id=absorbed,
        capability=Capability.MEMORIAL_EDIT,
    )
    record.refresh_from_db()
    _change(record, actor, {"person": [absorbed, target.pk]}, _("linked to the registry"))
    return record


# ---------------------------------------------------------------- import

COLUMNS = ("external_id", "surname", "given_name", "death_date")
OPTIONAL = (
    "patronymic",
    "surname_en",
    "given_name_en",
    "surname_fr",
    "given_name_fr",
    "birth_year",
    "birth_region",
    "death_place",
    "unit",
    "rank",
    "burial_place",
    "circumstances",
    "sources",
)
NAME_COLUMNS = (
    "surname",
    "given_name",
    "patronymic",
    "surname_en",
    "given_name_en",
    "surname_fr",
    "given_name_fr",
)
# The memorial's own text columns and their limits (the record's field lengths).
TEXT_LIMITS = (
    ("death_place", 200),
    ("unit", 200),
    ("rank", 80),
    ("burial_place", 200),
    ("circumstances", 4000),
    ("sources", 2000),
)
# A row that passed the checks: its cells, date of death, year of birth, region id.
Checked = tuple[dict[str, str], dt.date | None, int | None, int | None]
# The record's own columns, in the order `_record_columns` gives them.
RECORD_FIELDS = (
    "death_date",
    "death_place",
    "unit",
    "rank",
    "burial_place",
    "circumstances",
    "sources",
    "birth_year",
    "birth_region",
)


def iter_memorial_rows(
    data: bytes,
    *,
    region_codes: dict[str, int],
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> Iterator[tuple[int, Checked | None, list[RowError], bool]]:
    """Every non-empty row of a list of the fallen, checked, in file order: (line, checked
    row, [], False), or (line, None, [its errors], from_csv) where `from_csv` tells a row
    the CSV reader refused (the report lists those first) from one refused by the checks
    below. `memorial_import` and the import pipeline's checking process
    (`memorial_chunks`) both read the file through it. Raises ApplicationError for a
    file-level problem (before the first row)."""
    today = today or timezone.localdate()
    seen: dict[str, int] = {}
    # A list of the fallen repeats its dates of death (~1,000 distinct ones for a million
    # rows): each distinct cell is checked once by `date_cell`, its verdict (the date and the
    # problems, same messages) reused for every line that has it.
    dates: dict[str, tuple[dt.date | None, tuple[tuple[str, str], ...]]] = {}
    for line, row, csv_errors in iter_csv_rows(data, COLUMNS, OPTIONAL, max_bytes):
        if row is None:
            yield line, None, csv_errors, True
            continue
        row_errors = identity_errors(line, row, seen, NAME_COLUMNS)
        cell = row["death_date"]
        verdict = dates.get(cell)
        if verdict is None:
            found: list[RowError] = []
            verdict = dates[cell] = (
                date_cell(line, row, "death_date", found, today),
                tuple((e.field, e.reason) for e in found),
            )
        death, problems = verdict
        if problems:
            row_errors += [RowError(line, fld, reason) for fld, reason in problems]
        birth_year = None
        if row["birth_year"]:
            text = row["birth_year"]
            # ASCII digits only: "²" is a digit to `isdigit` but not to `int`.
            if not (text.isascii() and text.isdigit()) or not 1900 <= int(text) <= today.year:
                row_errors.append(RowError(line, "birth_year", _("not a year")))
            else:
                birth_year = int(text)
                if death is not None and death.year < birth_year:
                    row_errors.append(
                        RowError(
                            line,
                            "death_date",
                            date_problem(death, not_before=dt.date(birth_year, 1, 1)) or "",
                        )
                    )
        region = None
        if row["birth_region"]:
            region = region_codes.get(row["birth_region"].upper())
            if region is None:
                row_errors.append(
                    RowError(
                        line,
                        "birth_region",
                        _("unknown region code %(value)s") % {"value": row["birth_region"][:20]},
                    )
                )
        if (  # one test for the common row, the messages column by column only when needed
            len(row["death_place"]) > 80
            or len(row["unit"]) > 80
            or len(row["rank"]) > 80
            or len(row["burial_place"]) > 80
            or len(row["circumstances"]) > 80
            or len(row["sources"]) > 80
        ):
            for col, limit in TEXT_LIMITS:
                if len(row[col]) > limit:
                    row_errors.append(
                        RowError(line, col, _("longer than %(n)s characters") % {"n": limit})
                    )
        if row_errors:
            yield line, None, row_errors, False
            continue
        seen[row["external_id"]] = line
        yield line, (row, death, birth_year, region), [], False


def _new_record(columns: list[list[Any]], checked: Checked) -> None:
    """Append a checked row's record values to `columns` (in RECORD_FIELDS' order)."""
    row, death, birth_year, region = checked
    columns[0].append(death)
    columns[1].append(row["death_place"])
    columns[2].append(row["unit"])
    columns[3].append(row["rank"])
    columns[4].append(row["burial_place"])
    columns[5].append(row["circumstances"])
    columns[6].append(row["sources"])
    columns[7].append(birth_year)
    columns[8].append(region)


def memorial_chunks(
    data: bytes, *, chunk: int, **options: Any
) -> Iterator[
    tuple[
        list[int],
        PeopleChunk,
        list[tuple[int, str, str]],
        list[tuple[int, str, str]],
        int,
        list[list[Any]],
    ]
]:
    """`iter_memorial_rows` in chunks of `chunk` rows, as the import pipeline's checking
    process sends them (`people.import_pipeline`): the lines of the people, the people as
    columns (`PeopleChunk`, as `people_register_bulk` would build them from `NewPerson`s),
    the rows the CSV reader refused and those the checks refused, as (line, field,
    reason), the rows read, and the records' own values column by column (RECORD_FIELDS).
    A date of death is sent as the checks' own object: the ~1,000 distinct dates of a
    million rows are pickled once each."""
    lines: list[int] = []
    part = PeopleChunk()
    csv_errors: list[tuple[int, str, str]] = []
    row_errors: list[tuple[int, str, str]] = []
    records: list[list[Any]] = [[] for _f in RECORD_FIELDS]
    total = 0
    fallen = str(Lifecycle.FALLEN)
    for line, checked, errors, from_csv in iter_memorial_rows(data, **options):
        total += 1
        if checked is None:
            (csv_errors if from_csv else row_errors).extend(
                (e.line, e.field, e.reason) for e in errors
            )
        else:
            at = len(lines)
            lines.append(line)
            row, death = checked[0], checked[1]
            part.external_id.append(row["external_id"])
            part.birth_date.append(None)
            part.sex.append(Sex.UNKNOWN.value)
            part.region_id.append(None)
            part.lifecycle.append(fallen)
            part.lifecycle_date.append(death)
            for name in _spellings(row):
                part.add_spelling(at, name)
            _new_record(records, checked)
        if total == chunk:
            yield lines, part, csv_errors, row_errors, total, records
            lines, part, total = [], PeopleChunk(), 0
            csv_errors, row_errors, records = [], [], [[] for _f in RECORD_FIELDS]
    yield lines, part, csv_errors, row_errors, total, records


@gc_paused()
def memorial_import(
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
    """A list of the fallen: new registry persons (fallen) with their spellings, registered
    through the registry's one bulk registration path (`people.registration`), and an
    unpublished memorial record each. All or nothing unless `keep_valid`; one audit entry
    pointing to the stored file; then, unless `link` is false, the batch linkage job queues
    possible matches with the registry. `progress(n)` as for `people_import`. The cyclic
    garbage collector is paused meanwhile (`core.bulk.gc_paused`).

    `pipeline` (by default: a large file on a machine with several cores, see
    `people.import_pipeline`) checks the rows in a second process while this one registers
    the people chunk by chunk; the report, the rows written and the audit are the same
    either way."""
    from vetbridge.core.models import Region
    from vetbridge.people import import_pipeline

    if actor is not None:
        require(actor, Capability.MEMORIAL_EDIT)
    regions = dict(Region.objects.values_list("code", "id"))
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
            region_codes=regions,
        )
        if not report.committed:
            return report
    else:
        parsed: list[tuple[int, Checked]] = []
        csv_errors: list[RowError] = []
        errors: list[RowError] = []
        total = 0
        for line, checked, row_errors, from_csv in iter_memorial_rows(
            data, region_codes=regions, max_bytes=max_bytes
        ):
            total += 1
            if checked is None:
                (csv_errors if from_csv else errors).extend(row_errors)
            else:
                parsed.append((line, checked))
        errors = csv_errors + errors
        parsed, errors = reject_known_ids(parsed, errors, lambda r: r[0]["external_id"])
        report = ImportReport(total_rows=total, rejected=errors)
        if errors and not keep_valid:
            return report
        people = [
            NewPerson(
                external_id=row["external_id"],
                names=_spellings(row),
                lifecycle=Lifecycle.FALLEN,
                lifecycle_date=death,
            )
            for _line, (row, death, _year, _region) in parsed
        ]
        records: list[list[Any]] = [[] for _f in RECORD_FIELDS]
        for _line, checked in parsed:
            _new_record(records, checked)
        with transaction.atomic():
            registered = people_register_bulk(
                actor=actor,
                kind="memorial",
                data=data,
                source=source,
                people=people,
                audit_changes=_audit_changes(report, len(people)),
                progress=progress,
                chunk=chunk,
            )
            _write_records(registered.ids, records, registered, actor, source)
            _caches_outdated()
        report.imported = len(registered.ids)
        report.batch_id = registered.batch.pk
        report.committed = True
        report.created_ids = list(registered.ids)
    if link and report.created_ids:
        report.suspected_duplicates = scan_duplicates(new_ids=report.created_ids).queued
    return report


def _audit_changes(report: ImportReport, records: int) -> dict[str, Any]:
    return {
        "total_rows": report.total_rows,
        "rejected": [r.as_dict() for r in report.rejected[:500]],
        # one memorial record per person created, each with its history row
        # naming this batch: traced from the person's import batch
        "memorial_records": records,
        "records_trace": "memorial.MemorialRecord.person",
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
    """`memorial_import` with the checks in a second process (`people.import_pipeline`
    running `memorial_chunks`): the people of chunk k are registered while chunk k + 1 is
    checked, then the records and their history are written, in the same transaction. The
    report lists the rows the CSV reader refused, then those the checks refused, then (all
    sorted by line) those already in the registry, as the single-process path does. The
    first refused row of an all-or-nothing import rolls back what was written; the rest of
    the file is still read so that the report names every refused row."""
    from vetbridge.people import registration
    from vetbridge.people.import_pipeline import CheckedChunks

    report = ImportReport()
    csv_errors: list[RowError] = []
    row_errors: list[RowError] = []
    known_errors: list[RowError] = []
    records: list[list[Any]] = [[] for _f in RECORD_FIELDS]
    expected = data.count(b"\n")  # at least the number of rows
    defer_indexes = registration.bulk_path(expected)
    # Ids already in the registry: read once when the indexes are rebuilt (the unique
    # index on external_id is gone meanwhile), chunk by chunk otherwise.
    known = (
        set(Person.objects.exclude(external_id=None).values_list("external_id", flat=True))
        if defer_indexes
        else None
    )
    known_error = _("already in the registry")

    def rejected() -> list[RowError]:
        out = csv_errors + row_errors + known_errors
        if known_errors:
            out.sort(key=lambda e: e.line)
        return out

    def accept(
        lines: list[int],
        part: PeopleChunk,
        csv_errs: list[tuple[int, str, str]],
        row_errs: list[tuple[int, str, str]],
        total: int,
        columns: list[list[Any]],
    ) -> PeopleChunk:
        report.total_rows += total
        csv_errors.extend(RowError(*e) for e in csv_errs)
        row_errors.extend(RowError(*e) for e in row_errs)
        found = set(known_ids(part.external_id)) if known is None else known
        dropped = {i for i, ext in enumerate(part.external_id) if ext in found}
        if dropped:
            known_errors.extend(
                RowError(lines[i], "external_id", known_error) for i in sorted(dropped)
            )
            part = part.without(dropped)
            columns = [[v for i, v in enumerate(c) if i not in dropped] for c in columns]
        for mine, more in zip(records, columns, strict=True):
            mine += more
        return part

    with CheckedChunks(
        data,
        checker="vetbridge.memorial.services:memorial_chunks",
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
                if (csv_errors or row_errors or known_errors) and not keep_valid:
                    raise _Refused
                yield part

        try:
            with transaction.atomic():
                registered = people_register_chunks(
                    actor=actor,
                    kind="memorial",
                    data=data,
                    source=source,
                    chunks=chunks(),
                    expected=expected,
                    audit_changes=lambda: _audit_changes(
                        dataclasses.replace(report, rejected=rejected()), len(records[0])
                    ),
                    progress=progress,
                    defer_indexes=defer_indexes,
                )
                _write_records(registered.ids, records, registered, actor, source)
                _caches_outdated()
        except _Refused:
            for item in stream:  # the rest of the file, for the report
                accept(*item)
            report.rejected = rejected()
            return report
    report.rejected = rejected()
    report.imported = len(registered.ids)
    report.batch_id = registered.batch.pk
    report.committed = True
    report.created_ids = list(registered.ids)
    return report


def _write_records(
    person_ids: list[int],
    records: list[list[Any]],
    registered: Registered,
    actor: User | None,
    source: str,
) -> None:
    """The memorial records of the people just registered (their values column by column,
    in RECORD_FIELDS' order) and their history rows, inside the import's transaction.
    Record ids are reserved up front (as the registry reserves person ids), so the history
    rows are written without reading the records back; the values every row shares
    (timestamps, the history entry, its source and author) are adapted once. A load at
    least `BULK_MIN` records and at least the size of the memorial rebuilds the two tables'
    secondary indexes and constraints after the copy (`core.bulk.indexes_deferred`), as the
    registration does for the registry's tables."""
    from vetbridge.people.registration import BULK_MIN

    n = len(person_ids)
    if not n:
        return
    if len(records[0]) != n:
        raise RuntimeError("one memorial record per person registered")
    now = timezone.now()
    record_ids = reserve_ids(MemorialRecord, n)
    sources = [s or source for s in records[6]]
    bulk = n >= BULK_MIN and n >= MemorialRecord.objects.count()
    with indexes_deferred((MemorialRecord, MemorialChange)) if bulk else nullcontext():
        fast_insert(
            MemorialRecord,
            ("id", "person", *RECORD_FIELDS),
            zip(record_ids, person_ids, *records[:6], sources, *records[7:], strict=True),
            constants={"created_at": now, "updated_at": now},
        )
        fast_insert(
            MemorialChange,
            ("record",),
            [(rid,) for rid in record_ids],
            constants={
                "changes": {"imported": True, "batch": registered.batch.pk},
                "source": source or "import",
                "by": actor.pk if actor else None,
                "at": now,
            },
        )


def _spellings(row: dict[str, str]) -> tuple[NameSpelling, ...]:
    """The Ukrainian spelling and the English and French ones when given, each preferred in
    its language (a Latin-script "Ukrainian" column is kept as language unknown)."""
    sur, given, patr = row["surname"], row["given_name"], row["patronymic"]
    out = []
    if sur:
        script = detect_script_parts((sur, given, patr))
        out.append(
            NameSpelling(
                surname=sur,
                given_name=given,
                patronymic=patr,
                script=script,
                language="uk" if script == Script.CYRILLIC else "xx",
            )
        )
    if not row["surname_en"] and not row["surname_fr"]:  # most rows: one spelling
        return tuple(out)
    for lang, sur, given in (
        ("en", row["surname_en"], row["given_name_en"]),
        ("fr", row["surname_fr"], row["given_name_fr"]),
    ):
        if sur:
            out.append(
                NameSpelling(
                    surname=sur,
                    given_name=given,
                    script=detect_script_parts((sur, given)),
                    language=lang,
                )
            )
    return tuple(out)
