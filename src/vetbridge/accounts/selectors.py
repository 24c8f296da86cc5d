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
    if filters.get("date_from"):
        qs = qs.filter(at__gte=dt.datetime.combine(filters["date_from"], dt.time.min, tz))
    if filters.get("date_to"):
        qs = qs.filter(at__lt=dt.datetime.combine(filters["date_to"], dt.time.min, tz)
                       + dt.timedelta(days=1))
    return qs


@transaction.atomic
def audit_log_open(*, actor: User, filters: dict[str, Any], page: Any = 1) -> QuerySet[AuditLog]:
    """The audit log for a reader allowed to browse it; the reading is itself audited (who
    looked, with which filters and page), in the same transaction."""
    require(actor, Capability.AUDIT_VIEW)
    audit_record(actor=actor, action=AuditAction.READ, object_type="accounts.auditlog",
                 summary="audit log",
                 changes={"filters": {k: str(v) for k, v in filters.items()
                                      if v not in (None, "")},
                          "page": str(page or 1)[:20]})
    return audit_log_list(filters=filters)
