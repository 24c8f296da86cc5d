"""Audit entries in the reader's language in templates: `{{ e.object_type|record_type }}` and
`{% describe_entry e as told %}` (accounts/describe.py); dates in the reader's language:
`{{ day|long_date }}`, `{{ text|local_dates }}` (core/dates.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from vetbridge.accounts.describe import Change, Description, describe, record_label
from vetbridge.accounts.models import AuditLog
from vetbridge.core.dates import localise_iso_dates, long_date

register = template.Library()


@register.filter
def record_type(object_type: str) -> str:
    return record_label(object_type or "")


@register.simple_tag
def describe_entry(entry: AuditLog) -> Description:
    """The sentence and any free text; field values are not resolved here (one query each)."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    state = {k: v for k, v in changes.items() if k in ("state", "status")}
    return describe(
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        summary=entry.summary,
        changes=state,
        actor=entry.actor,
        channel=entry.channel,
    )


@register.simple_tag
def describe_changes(changes: dict[str, Any], object_type: str) -> list[Change]:
    """`{"published": [false, true]}` → [Change("published", "no", "yes")], labels translated."""
    pairs = {
        k: (v if isinstance(v, list) else [None, v])
        for k, v in (changes.items() if isinstance(changes, dict) else ())
        if isinstance(v, list | str)
    }  # a text (a correction, a basis) shown as the new value
    told = describe(
        action="update",
        object_type=object_type,
        object_id="",
        summary="",
        changes={"fields": pairs},
    )
    return told.details


@register.filter
def local_dates(text: str) -> str:
    """ISO dates inside a text (rules' explanation steps) in the reader's format."""
    return localise_iso_dates(str(text or ""))


@register.filter(name="long_date")
def long_date_filter(day: Any) -> str:
    """A day written out in the reader's language, as in the letters: "1 грудня 2026 р.",
    "1er décembre 2026" (Django's DATE_FORMAT writes "01 грудня" and "1 décembre")."""
    if not day:
        return ""
    return long_date(day)


@register.filter
def channel_label(channel: str) -> str:
    """Where an entry came from (`web`, `api`, `cli`, `system`) in the reader's language."""
    labels = {
        "web": _("website"),
        "api": _("the API"),
        "cli": _("a command"),
        "system": _("the system"),
    }
    return str(labels.get(channel or "", channel or "—"))
