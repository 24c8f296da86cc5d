"""JSON API of the cooperation: actions, indicators with their values, and the public
actions (no authentication). The same services, selectors and scoping as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from vetbridge.api.security import api_user

from . import selectors, services
from .models import Action
from .texts import localized

router = Router(tags=["cooperation"])

StatusT = Literal["planned", "in_progress", "done", "at_risk", "cancelled"]


class Texts(Schema):
    uk: str = ""
    fr: str = ""
    en: str = ""


class ActionOut(Schema):
    id: int
    reference: str
    axis: str = Field(description="code of the axis")
    title: dict[str, str] = Field(description="the title in each language it exists in")
    title_shown: str = Field(description="the title in the reader's language, or a fallback")
    title_language: str
    status: StatusT
    progress: int
    start_on: dt.date | None
    due_on: dt.date | None
    lead_fr: str | None
    lead_ua: str | None
    is_public: bool
    depends_on: list[int]
    version: int


class PublicActionOut(Schema):
    reference: str
    axis: str
    title: dict[str, str]
    status: StatusT
    progress: int
    due_on: dt.date | None
    lead_fr: str | None
    lead_ua: str | None


class ActionIn(Schema):
    axis_id: int
    title: Texts
    description: Texts = Texts()
    objective_id: int | None = None
    lead_fr_id: int | None = None
    lead_ua_id: int | None = None
    partner_ids: list[int] = []
    start_on: dt.date | None = None
    due_on: dt.date | None = None
    progress: int = Field(0, ge=0, le=100)
    is_public: bool = False


class StatusIn(Schema):
    version: int
    status: StatusT
    note: str = Field("", max_length=500)
    progress: int | None = Field(None, ge=0, le=100)


class ValueOut(Schema):
    period: str = Field(description="quarter, YYYY-Qn")
    breakdown: str = Field(description="empty: the whole; else a region code or an outcome")
    value: Decimal | None = Field(description="null when the cell is hidden (small number)")
    hidden: bool
    target: Decimal | None
    source: str


class IndicatorOut(Schema):
    id: int
    code: str
    name: dict[str, str]
    axis: str
    unit: str
    numerator: str
    denominator: str
    baseline_value: Decimal | None
    baseline_on: dt.date | None
    values: list[ValueOut]


def _action(a: Action) -> dict[str, Any]:
    shown = localized(a.title)
    return {
        "id": a.pk,
        "reference": a.reference,
        "axis": a.axis.code,
        "title": a.title,
        "title_shown": shown.text,
        "title_language": shown.language,
        "status": a.status,
        "progress": a.progress,
        "start_on": a.start_on,
        "due_on": a.due_on,
        "lead_fr": a.lead_fr.name if a.lead_fr else None,
        "lead_ua": a.lead_ua.name if a.lead_ua else None,
        "is_public": a.is_public,
        "depends_on": [d.pk for d in a.depends_on.all()],
        "version": a.version,
    }


@router.get(
    "/cooperation/actions",
    response=list[ActionOut],
    summary="The roadmap's actions (staff of the cooperation)",
)
def list_actions(request: HttpRequest) -> list[dict[str, Any]]:
    user = api_user(request)
    return [_action(a) for a in selectors.actions_for(user).prefetch_related("depends_on")]


@router.post(
    "/cooperation/actions",
    response={201: ActionOut},
    summary="Create an action (cooperation officers)",
)
def create_action(request: HttpRequest, payload: ActionIn) -> Status[Any]:
    user = api_user(request)
    action = services.action_create(
        actor=user,
        data=services.ActionInput(
            axis_id=payload.axis_id,
            title=payload.title.dict(),
            description=payload.description.dict(),
            objective_id=payload.objective_id,
            lead_fr_id=payload.lead_fr_id,
            lead_ua_id=payload.lead_ua_id,
            partner_ids=tuple(payload.partner_ids),
            start_on=payload.start_on,
            due_on=payload.due_on,
            progress=payload.progress,
            is_public=payload.is_public,
        ),
    )
    return Status(201, _action(selectors.action_get(user, action.pk)))


@router.get("/cooperation/actions/{action_id}", response=ActionOut, summary="One action")
def get_action(request: HttpRequest, action_id: int) -> dict[str, Any]:
    return _action(selectors.action_get(api_user(request), action_id))


@router.post(
    "/cooperation/actions/{action_id}/status",
    response=ActionOut,
    summary="Change an action's status (kept in its history); 409 if stale",
)
def set_status(request: HttpRequest, action_id: int, payload: StatusIn) -> dict[str, Any]:
    user = api_user(request)
    services.action_set_status(
        actor=user,
        action_id=action_id,
        expected_version=payload.version,
        status=payload.status,
        note=payload.note,
        progress=payload.progress,
    )
    return _action(selectors.action_get(user, action_id))


@router.get(
    "/cooperation/indicators",
    response=list[IndicatorOut],
    summary="Indicators with their values per quarter (small cells hidden)",
)
def list_indicators(request: HttpRequest) -> list[dict[str, Any]]:
    user = api_user(request)
    out = []
    for i in selectors.indicators_for(user):
        out.append(
            {
                "id": i.pk,
                "code": i.code,
                "name": i.name,
                "axis": i.axis.code,
                "unit": i.unit,
                "numerator": i.numerator,
                "denominator": i.denominator,
                "baseline_value": i.baseline_value,
                "baseline_on": i.baseline_on,
                "values": [
                    {
                        "period": r.period,
                        "breakdown": r.breakdown,
                        "value": r.value,
                        "hidden": r.suppressed,
                        "target": r.target,
                        "source": r.source,
                    }
                    for r in selectors.series(user, i)
                ],
            }
        )
    return out


@router.get(
    "/cooperation/public/actions",
    response=list[PublicActionOut],
    auth=None,
    summary="The public actions and their progress (no authentication)",
)
def public_actions(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "reference": a.reference,
            "axis": a.axis.code,
            "title": a.title,
            "status": a.status,
            "progress": a.progress,
            "due_on": a.due_on,
            "lead_fr": a.lead_fr.name if a.lead_fr else None,
            "lead_ua": a.lead_ua.name if a.lead_ua else None,
        }
        for a in selectors.public_actions()
    ]
