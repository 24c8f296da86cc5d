from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from vetbridge.api.security import api_user

from . import services
from .models import ApiToken, User
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
    return {
        "username": user.username,
        "role": user.role,
        "language": user.language,
        "region": user.region.code if user.region else None,
        "person_id": user.person_id,
        "capabilities": sorted(c.value for c in Capability if user.can(c)),
    }


@router.get("/audit", response=AuditPage, summary="Browse the audit log (administrators)")
def audit(request: HttpRequest, filters: Query[AuditFilters]) -> dict[str, Any]:
    user = require(request.user, Capability.AUDIT_VIEW)
    query = filters.dict()
    page_number = query.pop("page")
    paginator = Paginator(audit_log_open(actor=user, filters=query, page=page_number), 100)
    # A page past the end (however large its number) is an empty page.
    rows = paginator.page(filters.page).object_list if filters.page <= paginator.num_pages else []
    return {
        "count": paginator.count,
        "page": filters.page,
        "results": [
            {
                "id": e.id,
                "at": e.at,
                "actor": e.actor_username,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "person_id": e.person_id,
                "summary": e.summary,
                "channel": e.channel,
                "ip": e.ip,
            }
            for e in rows
        ],
    }


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool


def _token_out(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at,
        "expires_at": t.expires_at,
        "last_used_at": t.last_used_at,
        "revoked_at": t.revoked_at,
        "active": t.is_active,
    }


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
def tokens(request: HttpRequest) -> list[dict[str, Any]]:
    user = api_user(request)
    return [_token_out(t) for t in user.api_tokens.order_by("-created_at")]


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one of your API tokens")
def token_revoke(request: HttpRequest, token_id: int = Path(..., ge=1, le=2**63 - 1)) -> Status:
    services.token_revoke(actor=api_user(request), token_id=token_id)
    return Status(204, None)
