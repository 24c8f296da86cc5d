"""Writing the audit trail. Call inside the transaction of the change it records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ParamSpec

from django.contrib.auth.models import AnonymousUser
from django.db import models

from vetbridge.core.request_context import current_origin

from .models import AuditAction, AuditLog, User

P = ParamSpec("P")


def audit_entry(
    *,
    actor: User | AnonymousUser | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    person_id: int | None = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditLog:
    """An unsaved audit row with the actor and the request origin filled in (for bulk writes).

    `summary` holds data (names, field names, codes), never translated prose: the log is
    read in every language, and the action column is translated when shown.
    """
    origin = current_origin()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if isinstance(actor, User) else None
    return AuditLog(
        actor=user,
        actor_username=user.get_username() if user else "",
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        person_id=person_id,
        summary=summary[:300],
        changes=changes or {},
        channel=origin.channel,
        ip=origin.ip,
        user_agent=origin.user_agent,
        path=origin.path,
    )


def _saved(build: Callable[P, AuditLog]) -> Callable[P, AuditLog]:
    def save(*args: P.args, **kwargs: P.kwargs) -> AuditLog:
        entry = build(*args, **kwargs)
        entry.save()
        return entry

    save.__doc__ = "Write one audit row. Call inside the transaction of the change it records."
    return save


audit_record = _saved(audit_entry)


def diff_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{"field": [old, new]} for the fields that changed, values made JSON-safe."""
    changed: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changed[key] = [_json_safe(old), _json_safe(new)]
    return changed


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dt.date):  # a date or a date-time, as ISO 8601 (describe reads it)
        return value.isoformat()
    return str(value)
