"""JSON API of the care pathway: the same services and scoping as the pages.

Care endpoints carry health data: each read goes through `care_open` (scoped, audited).
The referral endpoints are in `reintegration/api.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from vetbridge.api.security import api_user

from . import services, whodas
from .models import AssessmentKind

router = Router(tags=["care"])


# ------------------------------------------------------------------------------ care


class EntryOut(Schema):
    day: dt.date
    kind: str = Field(
        description="injury, care, goal, assessment, appointment, note, referral or claim"
    )
    title: str
    detail: str


class WhodasPoint(Schema):
    id: int
    assessed_on: dt.date
    score: int = Field(
        description="simple scoring, sum of the answers recoded 0–4: 0 to 48 "
        "(the WHO manual's simple sum, items coded 1–5, minus 12)"
    )
    who_simple_sum: int = Field(
        description="the WHO manual's simple sum, items coded 1 (none) to 5 (extreme): 12 to 60"
    )
    percent: float = Field(
        description="share of the 0–48 maximum, kept for compatibility; "
        "NOT the WHO 0–100 score (complex scoring, not "
        "computed) and not comparable with WHO norms"
    )
    method: str = Field(description="always `simple`: complex scoring is not implemented")


class FunctioningOut(Schema):
    assessed_on: dt.date
    group: int | None
    valid_until: dt.date | None
    decision_ref: str


class CareFileOut(Schema):
    person_id: int
    display_name: str
    contact_person: str | None
    timeline: list[EntryOut]
    whodas: list[WhodasPoint]
    ua_functioning: list[FunctioningOut]


class WhodasIn(Schema):
    assessed_on: dt.date
    answers: dict[str, int] = Field(
        description="S1 … S12, each 0 (none) to 4 (extreme): the "
        "WHO form's printed code (1–5) minus 1"
    )


class CaseloadOut(Schema):
    person_id: int
    display_name: str
    overdue: int
    due_this_week: int
    referrals_without_answer: int
    claims_waiting_for_information: int
    appointments_this_week: int
    appointments_passed_unrecorded: int
    new: bool


def _point(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "assessed_on": a.assessed_on,
        "score": a.score,
        "who_simple_sum": whodas.who_sum(a.score),
        "percent": a.percent,
        "method": "simple",
    }


@router.get(
    "/care/caseload",
    response=list[CaseloadOut],
    summary="Your people as contact person, most urgent first",
)
def caseload(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "person_id": row.person.pk,
            "display_name": row.person.display_name,
            "overdue": len(row.overdue),
            "due_this_week": len(row.due_soon),
            "referrals_without_answer": row.unanswered,
            "claims_waiting_for_information": row.needs_information,
            "appointments_this_week": len(row.appointments_soon),
            "appointments_passed_unrecorded": len(row.appointments_unrecorded),
            "new": row.new,
        }
        for row in services.caseload(user=api_user(request))
    ]


@router.get(
    "/care/{person_id}",
    response=CareFileOut,
    summary="A veteran's care file: timeline and assessments (read audited)",
)
def care_file(request: HttpRequest, person_id: int) -> dict[str, Any]:
    user = api_user(request)
    person = services.care_open(actor=user, person_id=person_id)
    functioning = person.assessments.filter(kind=AssessmentKind.UA_FUNCTIONING)
    return {
        "person_id": person.pk,
        "display_name": person.display_name,
        "contact_person": str(person.contact_person) if person.contact_person else None,
        "timeline": [
            {"day": e.day, "kind": e.kind, "title": e.title, "detail": e.detail}
            for e in services.timeline(user=user, person=person)
        ],
        "whodas": [_point(a) for a in services.whodas_series(person)],
        "ua_functioning": [
            {f: getattr(a, f) for f in ("assessed_on", "group", "valid_until", "decision_ref")}
            for a in functioning
        ],
    }


@router.post(
    "/care/{person_id}/whodas",
    response={201: WhodasPoint},
    summary="Record a WHODAS 2.0 (12 items) assessment; every answer is required",
)
def add_whodas(request: HttpRequest, person_id: int, payload: WhodasIn) -> Status[Any]:
    a = services.whodas_add(
        actor=api_user(request),
        person_id=person_id,
        assessed_on=payload.assessed_on,
        answers=payload.answers,
    )
    return Status(201, _point(a))
