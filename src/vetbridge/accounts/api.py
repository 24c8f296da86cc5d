from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from .models import User
from .roles import Capability
from .scoping import require
from .selectors import AUDIT_FIRST_DAY, AUDIT_LAST_DAY, audit_log_open

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    role: str
    language: str
    region: str | None
    person_id: int | None
    capabilities: list[str]


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    person_id: int | None
    summary: str
    channel: str
    ip: str | None


class AuditFilters(Schema):
    actor: str | None = Field(None, max_length=150)
    action: str | None = Field(None, max_length=16)
    object_type: str | None = Field(None, max_length=64)
    person: int | None = Field(None, ge=1, le=2**63 - 1)
    # The log starts with the platform: dates far outside are refused (a year 1 or 9999
    # bound used to overflow when turned into an instant: a 500).
    date_from: dt.date | None = Field(None, ge=AUDIT_FIRST_DAY, le=AUDIT_LAST_DAY)
    date_to: dt.date | None = Field(None, ge=AUDIT_FIRST_DAY, le=AUDIT_LAST_DAY)
    page: int = Field(1, ge=1)


class AuditPage(Schema):
    count: int
    page: int
    results: list[AuditOut]


@router.get("/me", response=MeOut, summary="Who you are and what you may do")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    assert isinstance(user, User)
    return {"username": user.username, "role": user.role, "language": user.language,
            "region": user.region.code if user.region else None, "person_id": user.person_id,
            "capabilities": sorted(c.value for c in Capability if user.can(c))}


@router.get("/audit", response=AuditPage, summary="Browse the audit log (administrators)")
def audit(request: HttpRequest, filters: Query[AuditFilters]) -> dict[str, Any]:
    user = require(request.user, Capability.AUDIT_VIEW)
    query = filters.dict()
    page_number = query.pop("page")
    paginator = Paginator(audit_log_open(actor=user, filters=query, page=page_number), 100)
    # A page past the end (however large its number) is an empty page.
    rows = paginator.page(filters.page).object_list \
        if filters.page <= paginator.num_pages else []
    return {"count": paginator.count, "page": filters.page,
            "results": [{"id": e.id, "at": e.at, "actor": e.actor_username, "action": e.action,
                         "object_type": e.object_type, "object_id": e.object_id,
                         "person_id": e.person_id, "summary": e.summary, "channel": e.channel,
                         "ip": e.ip} for e in rows]}
