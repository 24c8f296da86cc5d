from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .audit import audit_record
from .models import AuditAction, AuditLog, User
from .roles import Capability
from .scoping import require

# The range of dates an audit filter accepts (API and form).
AUDIT_FIRST_DAY = dt.date(2000, 1, 1)
AUDIT_LAST_DAY = dt.date(2200, 12, 31)


def audit_log_list(*, filters: dict[str, Any]) -> QuerySet[AuditLog]:
    qs = AuditLog.objects.select_related("actor")
    if filters.get("actor"):
        qs = qs.filter(actor_username__icontains=filters["actor"])
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("object_type"):
        qs = qs.filter(object_type__icontains=filters["object_type"])
    if filters.get("person"):
        qs = qs.filter(person_id=filters["person"])
    tz = timezone.get_current_timezone()
    for key in ("date_from", "date_to"):  # callers validate; never overflow here anyway
        if filters.get(key) and not AUDIT_FIRST_DAY <= filters[key] <= AUDIT_LAST_DAY:
            filters = {**filters, key: min(max(filters[key], AUDIT_FIRST_DAY), AUDIT_LAST_DAY)}
    if filters.get("date_from"):
        qs = qs.filter(at__gte=dt.datetime.combine(filters["date_from"], dt.time.min, tz))
    if filters.get("date_to"):
        qs = qs.filter(
            at__lt=dt.datetime.combine(filters["date_to"], dt.time.min, tz) + dt.timedelta(days=1)
        )
    return qs


@transaction.atomic
def audit_log_open(*, actor: User, filters: dict[str, Any], page: Any = 1) -> QuerySet[AuditLog]:
    """The audit log for a reader allowed to browse it; the reading is itself audited (who
    looked, with which filters and page), in the same transaction."""
    require(actor, Capability.AUDIT_VIEW)
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="accounts.auditlog",
        summary="audit log",
        changes={
            "filters": {k: str(v) for k, v in filters.items() if v not in (None, "")},
            "page": str(page or 1)[:20],
        },
    )
    return audit_log_list(filters=filters)
