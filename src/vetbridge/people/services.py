"""Every write to the registry. Each runs in one transaction with its audit row.

Services take typed inputs (`PersonInput`, `PersonChanges`, `NameInput`, `StatusInput`),
built by the forms and the API (`core.services.input_from`); updates go through
`core.services.model_update`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.accounts.audit import audit_record, diff_fields
from vetbridge.accounts.models import AuditAction, User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import access_person_by_id, can_view_sensitive, require
from vetbridge.core.exceptions import ApplicationError, field_error
from vetbridge.core.models import Region
from vetbridge.core.services import UNSET, Unset, full_clean, model_update

from . import name_index
from .duplicates import record_suspects
from .models import (
    FamilyLink,
    Lifecycle,
    Person,
    PersonName,
    PersonStatus,
    Sex,
    StatusKind,
    clean_text,
    detect_script,
)

PERSON_FIELDS = (
    "external_id",
    "birth_date",
    "birth_place",
    "sex",
    "region",
    "phone",
    "email",
    "address",
    "lifecycle",
    "lifecycle_date",
    "contact_person",
    "preferred_language",
)
NAME_FIELDS = ("surname", "given_name", "patronymic", "language", "source", "is_preferred")
STATUS_FIELDS = (
    "kind",
    "disability_group",
    "valid_from",
    "valid_to",
    "document_type",
    "document_number",
    "document_date",
    "issuer",
)


def _conflict() -> str:
    return _(
        "This file was changed by someone else since you opened it. "
        "Reload it and apply your change again."
    )


@dataclass(frozen=True)
class PersonInput:
    """A person's core fields at registration (an empty external id is none)."""

    external_id: str | None = None
    birth_date: dt.date | None = None
    birth_place: str = ""
    sex: str = Sex.UNKNOWN
    region: Region | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    lifecycle: str = Lifecycle.ALIVE
    lifecycle_date: dt.date | None = None
    contact_person: User | None = None
    preferred_language: str = "uk"


@dataclass(frozen=True)
class PersonChanges:
    """A partial change of a person's core fields: `UNSET` fields stay as they are."""

    external_id: str | None | Unset = UNSET
    birth_date: dt.date | None | Unset = UNSET
    birth_place: str | Unset = UNSET
    sex: str | Unset = UNSET
    region: Region | None | Unset = UNSET
    phone: str | Unset = UNSET
    email: str | Unset = UNSET
    address: str | Unset = UNSET
    lifecycle: str | Unset = UNSET
    lifecycle_date: dt.date | None | Unset = UNSET
    contact_person: User | None | Unset = UNSET
    preferred_language: str | Unset = UNSET


@dataclass(frozen=True)
class NameInput:
    """One spelling. `is_preferred` None: preferred if the first in its language."""

    surname: str
    given_name: str = ""
    patronymic: str = ""
    language: str = "uk"
    source: str = ""
    is_preferred: bool | None = None


@dataclass(frozen=True)
class StatusInput:
    kind: str
    disability_group: int | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    document_type: str = ""
    document_number: str = ""
    document_date: dt.date | None = None
    issuer: str = ""


def _values(data: Any) -> dict[str, Any]:
    return {
        f.name: getattr(data, f.name)
        for f in dataclasses.fields(data)
        if getattr(data, f.name) is not UNSET
    }


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for f in fields:
        field = obj._meta.get_field(f)
        out[f] = getattr(obj, field.attname)
    return out


def _build_name(person: Person, data: NameInput, prefix: str = "") -> PersonName:
    name = PersonName(person=person, **_values(data))
    for f in ("surname", "given_name", "patronymic", "source"):
        setattr(name, f, clean_text(getattr(name, f)))
    if not name.surname:
        raise ApplicationError(
            _("Some fields are not valid."),
            fields={f"{prefix}surname": [_("The surname is required.")]},
        )
    name.script = detect_script(name.full_name())
    full_clean(name, prefix=prefix, exclude=["person"])
    return name


@transaction.atomic
def person_create(
    *,
    actor: User | None,
    data: PersonInput,
    names: list[NameInput],
    statuses: list[StatusInput] | None = None,
    audit: bool = True,
) -> Person:
    """Register a person with at least one name spelling."""
    if actor is not None:
        require(actor, Capability.PEOPLE_EDIT)
    if not names:
        raise ApplicationError(
            _("Some fields are not valid."), fields={"surname": [_("The surname is required.")]}
        )
    person = Person(**_values(data))
    person.external_id = person.external_id or None
    full_clean(person)
    _enforce_region_scope(actor, person)
    person.save()
    seen_pref: set[str] = set()
    seen_spellings: set[tuple[str, str, str, str]] = set()
    for i, name_data in enumerate(names):
        lang = name_data.language or "uk"
        if name_data.is_preferred is None or (i == 0 and lang not in seen_pref):
            name_data = dataclasses.replace(name_data, is_preferred=lang not in seen_pref)
        if name_data.is_preferred:
            if lang in seen_pref:
                raise field_error(
                    f"names.{i}.is_preferred",
                    _("Another spelling in this language is already the preferred one."),
                )
            seen_pref.add(lang)
        name = _build_name(person, name_data, prefix="" if i == 0 else f"names.{i}.")
        key = (name.surname, name.given_name, name.patronymic, name.language)
        if key in seen_spellings:
            raise field_error(
                f"names.{i}.surname", _("This spelling is already recorded for this person.")
            )
        seen_spellings.add(key)
        name.save()
    for j, status_data in enumerate(statuses or []):
        _save_status(person, status_data, prefix=f"statuses.{j}.")
    name_index.index_people([person.pk])
    record_suspects(person)
    if audit:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=person,
            person_id=person.pk,
            summary=person.display_name("uk"),
            changes={
                "fields": diff_fields({}, _snapshot(person, PERSON_FIELDS)),
                "names": [n.full_name() for n in person.names.all()],
            },
        )
    return person


def _enforce_region_scope(actor: User | None, person: Person) -> None:
    """A case worker may only place a person in their region (or their own caseload)."""
    from vetbridge.accounts.roles import Role

    if actor is None or actor.role != Role.CASE_WORKER:
        return
    if person.contact_person_id == actor.pk:
        return
    if actor.region_id and person.region_id == actor.region_id:
        return
    raise ApplicationError(
        _("Some fields are not valid."),
        fields={"region": [_("You can only register people of your region or your own caseload.")]},
    )


def lifecycle_hooks() -> list[Callable[..., None]]:
    """Functions called, in the transaction of the change, when a person's lifecycle changes:
    f(actor=..., person=..., before=..., after=...). Each app declares its own as dotted paths
    in `AppConfig.lifecycle_hooks` (the memorial: a person found alive leaves the public
    memorial at once)."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    return [
        import_string(path)
        for config in apps.get_app_configs()
        for path in getattr(config, "lifecycle_hooks", ())
    ]


@transaction.atomic
def person_update(
    *, actor: User, person_id: int, expected_version: int, data: PersonChanges
) -> Person:
    """Change a person's core fields. Fails with a conflict if someone saved in between."""
    person = access_person_by_id(actor, person_id, Capability.PEOPLE_EDIT)
    if data.external_id == "":
        data = dataclasses.replace(data, external_id=None)
    lifecycle_before = person.lifecycle
    person, changed = model_update(
        instance=person,
        fields=data,
        actor=actor,
        expected_version=expected_version,
        conflict_message=_conflict(),
        check=lambda p: _enforce_region_scope(actor, p),
    )
    if "lifecycle" in changed:
        for hook in lifecycle_hooks():
            hook(actor=actor, person=person, before=lifecycle_before, after=person.lifecycle)
    return person


def _touch(person: Person) -> None:
    Person.objects.filter(pk=person.pk).update(version=F("version") + 1, updated_at=timezone.now())


@transaction.atomic
def person_name_add(*, actor: User, person_id: int, data: NameInput) -> PersonName:
    """Add a spelling. Marking it preferred un-marks the previous preferred one in its language."""
    person = access_person_by_id(actor, person_id, Capability.PEOPLE_EDIT)
    if data.is_preferred is None:
        lang = data.language or "uk"
        data = dataclasses.replace(
            data, is_preferred=not person.names.filter(language=lang, is_preferred=True).exists()
        )
    name = _build_name(person, data)
    if name.is_preferred:
        person.names.filter(language=name.language, is_preferred=True).update(is_preferred=False)
    try:
        with transaction.atomic():
            name.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("Some fields are not valid."),
            fields={"surname": [_("This spelling is already recorded for this person.")]},
        ) from exc
    name_index.index_people([person.pk])
    _touch(person)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=name,
        person_id=person.pk,
        summary=name.full_name(),
        changes={"fields": diff_fields({}, _snapshot(name, NAME_FIELDS))},
    )
    return name


@transaction.atomic
def person_name_set_preferred(*, actor: User, person_id: int, name_id: int) -> PersonName:
    person = access_person_by_id(actor, person_id, Capability.PEOPLE_EDIT)
    name = person.names.filter(pk=name_id).first()
    if name is None:
        raise ApplicationError(_("No such spelling for this person."))
    if name.is_preferred:
        return name
    person.names.filter(language=name.language, is_preferred=True).update(is_preferred=False)
    model_update(
        instance=name, fields={"is_preferred": True}, actor=actor, summary=name.full_name()
    )
    _touch(person)
    return name


def _save_status(person: Person, data: StatusInput, prefix: str = "") -> PersonStatus:
    status = PersonStatus(person=person, **_values(data))
    if status.kind == StatusKind.UA_WAR_DISABILITY and not status.disability_group:
        raise ApplicationError(
            _("Some fields are not valid."),
            fields={
                f"{prefix}disability_group": [_("A disability group is required for this status.")]
            },
        )
    if status.kind != StatusKind.UA_WAR_DISABILITY and status.disability_group:
        raise ApplicationError(
            _("Some fields are not valid."),
            fields={f"{prefix}disability_group": [_("Only a war disability status has a group.")]},
        )
    if status.valid_to and status.valid_from and status.valid_to < status.valid_from:
        raise ApplicationError(
            _("Some fields are not valid."),
            fields={f"{prefix}valid_to": [_("The end date is before the start date.")]},
        )
    full_clean(status, prefix=prefix, exclude=["person"])
    status.save()
    return status


@transaction.atomic
def person_status_add(*, actor: User, person_id: int, data: StatusInput) -> PersonStatus:
    person = access_person_by_id(actor, person_id, Capability.PEOPLE_EDIT)
    status = _save_status(person, data)
    _touch(person)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=status,
        person_id=person.pk,
        summary=status.kind + (f":{status.disability_group}" if status.disability_group else ""),
        changes={"fields": diff_fields({}, _snapshot(status, STATUS_FIELDS))},
    )
    return status


@transaction.atomic
def family_link_add(*, actor: User, person_id: int, relative_id: int, kind: str) -> FamilyLink:
    person = access_person_by_id(actor, person_id, Capability.PEOPLE_EDIT)
    relative = access_person_by_id(actor, relative_id, Capability.PEOPLE_VIEW)
    if person.pk == relative.pk:
        raise ApplicationError(
            _("Some fields are not valid."),
            fields={"relative": [_("A person cannot be linked to themselves.")]},
        )
    if (
        FamilyLink.objects.filter(person=relative, relative=person).exists()
        or FamilyLink.objects.filter(person=person, relative=relative).exists()
    ):
        raise ApplicationError(
            _("Some fields are not valid."),
            fields={"relative": [_("These two people are already linked.")]},
        )
    link = FamilyLink(person=person, relative=relative, kind=kind)
    full_clean(link, exclude=["person", "relative"])
    link.save()
    _touch(person)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=link,
        person_id=person.pk,
        summary=f"{link.kind}: {relative.display_name('uk')}",
        changes={"fields": {"relative": [None, relative.pk], "kind": [None, kind]}},
    )
    return link


@transaction.atomic
def person_open(*, actor: User, person_id: int) -> tuple[Person, bool]:
    """The person (within the actor's scope) and whether the actor sees its sensitive parts.

    A sensitive read (statuses, contact details, their history) is audited in the same
    transaction; a read without them leaves no row.
    """
    person = access_person_by_id(actor, person_id)
    sensitive = can_view_sensitive(actor)
    if sensitive:
        audit_record(actor=actor, action=AuditAction.READ, obj=person, person_id=person.pk)
    return person, sensitive
