"""Audit and history entries told as sentences in the reader's language.

An audit row stores codes (`reparation.claim`, `update`, `{"state": ["submitted", …]}`); a
person reads "Case worker Oksana Melnyk moved claim VB-2026-000001 from “submitted” to
“in assessment”". This module turns the one into the other, for the people history and the
audit log alike:

- record types are named by their model's (translated) verbose name;
- changed fields by their model field's verbose name, values by their choice label, the
  related record's name, or a localised date;
- summaries that are only codes (`provide_information`, `whodas12 12`, the list of changed
  fields `birth_date, birth_place`) are not shown; a summary written by a person (a note, a
  file name, a source) is.

It only formats what the caller passes in: redaction (people/history.py) happens before.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Record types that are not models (reads of a view, exports, searches).
EXTRA_TYPES: dict[str, Any] = {
    "people.history": gettext_lazy("history of changes"),
    "people.search": gettext_lazy("registry search"),
    "accounts.auditlog": gettext_lazy("audit log"),
}
# Keys an audit row uses for a model field of another name.
FIELD_ALIASES: dict[str, dict[str, str]] = {
    "memorial.memorialrecord": {"basis": "publication_basis"},
}
REFERENCE = re.compile(r"^(?P<ref>[A-Z]{2,4}-\d{4}-\d+)\s*(?P<rest>.*)$")
CODE_ONLY = re.compile(r"^[a-z0-9_.:\- ]*$")
# The changed fields' names joined by the service that wrote the row ("birth_date, phone").
CODE_LIST = re.compile(r"^[a-z][a-z0-9_]*(, [a-z][a-z0-9_]*)+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def record_label(object_type: str) -> str:
    """`reparation.claim` → "claim" (in the active language)."""
    if object_type in EXTRA_TYPES:
        return str(EXTRA_TYPES[object_type])
    model = _model(object_type)
    if model is None:
        return _("record")
    return str(model._meta.verbose_name)


def actor_label(user: Any, fallback: str = "") -> str:
    """ "Case worker Oksana Melnyk" (role and name), or the channel when nobody acted."""
    if user is None:
        return {
            "api": _("the API"),
            "cli": _("a command"),
            "web": _("the system"),
            "system": _("the system"),
        }.get(fallback, fallback or _("the system"))
    name = user.get_full_name() or user.get_username()
    role = user.get_role_display() if hasattr(user, "get_role_display") else ""
    return f"{role} {name}".strip()


def _value(field: models.Field[Any, Any] | None, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and field.choices:
        label = dict(field.flatchoices).get(value)
        if label is not None:
            return str(label)
    related_model = field.related_model if field is not None and field.is_relation else None
    if related_model is not None and not isinstance(related_model, str):
        related = related_model._default_manager.filter(pk=value).first()
        if related is None:
            return _("record no. %(number)s") % {"number": value}
        if hasattr(related, "get_full_name"):
            return actor_label(related)
        return str(related)
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, str) and ISO_DATETIME.match(value):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(value, float | int):
        return formats.number_format(value, use_l10n=True)
    if isinstance(value, list | dict):
        return _("changed")
    return str(value)


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Description:
    sentence: str
    details: list[Change]
    note: str  # free text written by a person (a note, a file name), shown as written


def describe(
    *,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    changes: dict[str, Any],
    actor: Any = None,
    channel: str = "",
    actor_id: int | None = None,
) -> Description:
    """The entry as a sentence, the changed fields with their labels, and any free text."""
    model = _model(object_type)
    who = actor_label(actor, channel)
    record = record_label(object_type)
    match = REFERENCE.match(summary or "")
    ref = match.group("ref") if match else ""
    rest = match.group("rest") if match else (summary or "")
    note = "" if CODE_ONLY.match(rest) or CODE_LIST.match(rest) else rest
    name = ref or (_("no. %(number)s") % {"number": object_id} if object_id else "")
    params = {"actor": who, "record": record, "ref": name}

    fields = changes.get("fields") if isinstance(changes.get("fields"), dict) else None
    if fields is None:
        fields = {
            k: v
            for k, v in changes.items()
            if isinstance(v, list) and len(v) == 2 and _field(model, k) is not None
        }
    fields = {k: v for k, v in fields.items() if isinstance(v, list) and len(v) == 2}
    became_contact = (
        actor_id is not None
        and "contact_person" in fields
        and str(fields["contact_person"][1]) == str(actor_id)
    )
    details: list[Change] = []
    keys: list[str] = []  # the field of each detail
    for key, pair in fields.items():
        f = _field(model, FIELD_ALIASES.get(object_type, {}).get(key, key))
        label = str(f.verbose_name) if f is not None else _("other detail")
        change = Change(label=label, old=_value(f, pair[0]), new=_value(f, pair[1]))
        if change.old != change.new and not (became_contact and key == "contact_person"):
            details.append(change)  # "— → —" is nothing a reader needs to see
            keys.append(key)

    state_key = next((k for k in ("state", "status") if k in fields), None)
    if became_contact:
        sentence = _("%(actor)s became the contact person") % params
    elif action == "update" and state_key is not None and state_key in keys:
        # A move from one state to another; what changed with it (a date, a reason) follows.
        d = details[keys.index(state_key)]
        sentence = _("%(record)s %(ref)s: from “%(old)s” to “%(new)s”, by %(actor)s") % {
            **params,
            "old": d.old,
            "new": d.new,
        }
        details = [c for c, k in zip(details, keys, strict=True) if k != state_key]
    else:
        verbs = {
            "create": _("Created: %(record)s %(ref)s, by %(actor)s"),
            "update": _("Changed: %(record)s %(ref)s, by %(actor)s"),
            "delete": _("Deleted: %(record)s %(ref)s, by %(actor)s"),
            "read": _("Read: %(record)s %(ref)s, by %(actor)s"),
            "export": _("Exported: %(record)s %(ref)s, by %(actor)s"),
            "import": _("Imported: %(record)s %(ref)s, by %(actor)s"),
            "merge": _("Merged: %(record)s %(ref)s, by %(actor)s"),
            "unmerge": _("Merge undone: %(record)s %(ref)s, by %(actor)s"),
            "login": _("%(actor)s signed in"),
            "login_failed": _("A sign-in as %(actor)s failed"),
            "logout": _("%(actor)s signed out"),
            "denied": _("Access refused: %(record)s %(ref)s, to %(actor)s"),
        }
        sentence = verbs.get(action, _("Changed: %(record)s %(ref)s, by %(actor)s")) % params
    sentence = " ".join(sentence.replace(" ,", ",").split())
    return Description(sentence=sentence[:1].upper() + sentence[1:], details=details, note=note)
