"""JSON API of the care pathway and of referrals: the same services and scoping as the pages.

Care endpoints carry health data: each read goes through `care_open` (scoped, audited).
Referral endpoints never carry medical content, so partners can use them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from vetbridge.accounts.models import User
from vetbridge.api.security import api_user
from vetbridge.core.exceptions import PermissionDeniedError, field_error
from vetbridge.reintegration import services as referrals
from vetbridge.reintegration.models import Outcome, Referral, ServiceKind

from . import services, whodas
from .models import AssessmentKind

router = Router(tags=["care"])
referral_router = Router(tags=["referrals"])

ServiceT = Literal["employment", "training", "housing", "psychological", "peer", "sport"]
OutcomeT = Literal["employed", "trained", "housed", "supported", "dropped", "other"]
assert set(ServiceT.__args__) == set(ServiceKind.values)  # type: ignore[attr-defined]
assert set(OutcomeT.__args__) == set(Outcome.values)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------ care

class EntryOut(Schema):
    day: dt.date
    kind: str = Field(description="injury, care, goal, assessment, appointment, note, "
                                  "referral or claim")
    title: str
    detail: str


class WhodasPoint(Schema):
    id: int
    assessed_on: dt.date
    score: int = Field(description="simple scoring, sum of the answers recoded 0–4: 0 to 48 "
                                   "(the WHO manual's simple sum, items coded 1–5, minus 12)")
    who_simple_sum: int = Field(description="the WHO manual's simple sum, items coded 1 (none) "
                                            "to 5 (extreme): 12 to 60")
    percent: float = Field(description="share of the 0–48 maximum, kept for compatibility; "
                                       "NOT the WHO 0–100 score (complex scoring, not "
                                       "computed) and not comparable with WHO norms")
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
    answers: dict[str, int] = Field(description="S1 … S12, each 0 (none) to 4 (extreme): the "
                                                "WHO form's printed code (1–5) minus 1")


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
    return {"id": a.pk, "assessed_on": a.assessed_on, "score": a.score,
            "who_simple_sum": whodas.who_sum(a.score), "percent": a.percent,
            "method": "simple"}


@router.get("/care/caseload", response=list[CaseloadOut],
            summary="Your people as contact person, most urgent first")
def caseload(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"person_id": row.person.pk, "display_name": row.person.display_name,
             "overdue": len(row.overdue), "due_this_week": len(row.due_soon),
             "referrals_without_answer": row.unanswered,
             "claims_waiting_for_information": row.needs_information,
             "appointments_this_week": len(row.appointments_soon),
             "appointments_passed_unrecorded": len(row.appointments_unrecorded), "new": row.new}
            for row in services.caseload(user=api_user(request))]


@router.get("/care/{person_id}", response=CareFileOut,
            summary="A veteran's care file: timeline and assessments (read audited)")
def care_file(request: HttpRequest, person_id: int) -> dict[str, Any]:
    user = api_user(request)
    person = services.care_open(actor=user, person_id=person_id)
    functioning = person.assessments.filter(kind=AssessmentKind.UA_FUNCTIONING)
    return {
        "person_id": person.pk, "display_name": person.display_name,
        "contact_person": str(person.contact_person) if person.contact_person else None,
        "timeline": [{"day": e.day, "kind": e.kind, "title": e.title, "detail": e.detail}
                     for e in services.timeline(user=user, person=person)],
        "whodas": [_point(a) for a in services.whodas_series(person)],
        "ua_functioning": [{f: getattr(a, f) for f in ("assessed_on", "group", "valid_until",
                                                       "decision_ref")} for a in functioning],
    }


@router.post("/care/{person_id}/whodas", response={201: WhodasPoint},
             summary="Record a WHODAS 2.0 (12 items) assessment; every answer is required")
def add_whodas(request: HttpRequest, person_id: int, payload: WhodasIn) -> Status[Any]:
    a = services.whodas_add(actor=api_user(request), person_id=person_id,
                            assessed_on=payload.assessed_on, answers=payload.answers)
    return Status(201, _point(a))


# ------------------------------------------------------------------------- referrals

class ReferralOut(Schema):
    id: int
    person_id: int
    veteran: str
    partner_id: int
    partner: str
    service: str
    message: str
    consent_on: dt.date
    consent_text: str
    status: str
    outcome: str
    outcome_note: str
    sent_at: dt.datetime
    answered_at: dt.datetime | None
    late: bool = Field(description="no answer within the configured number of days")
    version: int


class ReferralIn(Schema):
    person_id: int
    partner_id: int
    service: ServiceT
    consent_on: dt.date
    consent_text: str = Field(max_length=300)
    message: str = Field("", max_length=1000)


class AnswerIn(Schema):
    version: int
    accept: bool


class OutcomeIn(Schema):
    version: int
    outcome: OutcomeT
    note: str = Field("", max_length=1000)


class VersionIn(Schema):
    version: int


class ReferralFilters(Schema):
    status: Literal["sent", "accepted", "declined", "completed", "cancelled"] | None = None
    late: bool | None = None


class PartnerOut(Schema):
    id: int
    name: str
    services: list[str]
    regions: list[str] = Field(description="ISO 3166-2 codes")
    monthly_capacity: int
    this_month: int
    email: str
    phone: str


def _referral(r: Referral) -> dict[str, Any]:
    return {"id": r.pk, "person_id": r.person_id, "veteran": r.person.display_name,
            "partner_id": r.partner_id, "partner": r.partner.name, "service": r.service,
            "message": r.message, "consent_on": r.consent_on, "consent_text": r.consent_text,
            "status": r.status, "outcome": r.outcome, "outcome_note": r.outcome_note,
            "sent_at": r.sent_at, "answered_at": r.answered_at, "late": referrals.is_late(r),
            "version": r.version}


def _any_referral_role(user: User) -> None:
    if not referrals.may_see_referrals(user):
        raise PermissionDeniedError(_("Your role does not allow this action."))


@referral_router.get("/referrals", response=list[ReferralOut],
                     summary="Referrals within your access (a partner: its own only)")
def list_referrals(request: HttpRequest,
                   filters: Query[ReferralFilters]) -> list[dict[str, Any]]:
    user = api_user(request)
    _any_referral_role(user)
    qs = referrals.referrals_for(user).prefetch_related("person__names")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.late is not None:
        qs = qs.filter(referrals.late()) if filters.late else qs.exclude(referrals.late())
    return [_referral(r) for r in qs[:500]]


@referral_router.post("/referrals", response={201: ReferralOut},
                      summary="Refer a veteran to a partner, with the consent recorded")
def create_referral(request: HttpRequest, payload: ReferralIn) -> Status[Any]:
    r = referrals.referral_create(actor=api_user(request), person_id=payload.person_id, data={
        "partner": payload.partner_id, "service": payload.service,
        "consent_on": payload.consent_on, "consent_text": payload.consent_text,
        "message": payload.message})
    return Status(201, _referral(r))


@referral_router.get("/referrals/{referral_id}", response=ReferralOut, summary="One referral")
def get_referral(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    user = api_user(request)
    _any_referral_role(user)
    return _referral(referrals.referral_get(user, referral_id))


@referral_router.post("/referrals/{referral_id}/answer", response=ReferralOut,
                      summary="Accept or decline (the partner)")
def answer_referral(request: HttpRequest, referral_id: int, payload: AnswerIn) -> dict[str, Any]:
    return _referral(referrals.referral_answer(
        actor=api_user(request), referral_id=referral_id, expected_version=payload.version,
        accept=payload.accept))


@referral_router.post("/referrals/{referral_id}/outcome", response=ReferralOut,
                      summary="Record the outcome of an accepted referral")
def referral_outcome(request: HttpRequest, referral_id: int,
                     payload: OutcomeIn) -> dict[str, Any]:
    return _referral(referrals.referral_outcome(
        actor=api_user(request), referral_id=referral_id, expected_version=payload.version,
        outcome=payload.outcome, note=payload.note))


@referral_router.post("/referrals/{referral_id}/cancel", response=ReferralOut,
                      summary="Cancel a referral (the case worker)")
def cancel_referral(request: HttpRequest, referral_id: int, payload: VersionIn) -> dict[str, Any]:
    return _referral(referrals.referral_cancel(
        actor=api_user(request), referral_id=referral_id, expected_version=payload.version))


@referral_router.get("/partners", response=list[PartnerOut],
                     summary="Directory of partners with regions and this month's use")
def partners(request: HttpRequest, region: str | None = None,
             service: ServiceT | None = None) -> list[dict[str, Any]]:
    user = api_user(request)
    _any_referral_role(user)
    region_id = None
    if region:
        from vetbridge.core.models import Region

        found = Region.objects.filter(code=region).first()
        if found is None:
            raise field_error("region", _("Unknown region code."))
        region_id = found.pk
    return [{"id": p.pk, "name": p.name, "services": p.services,
             "regions": [r.code for r in p.regions.all()],
             "monthly_capacity": p.monthly_capacity,
             "this_month": getattr(p, "this_month", 0),
             "email": p.email, "phone": p.phone}
            for p in referrals.partners_directory(region_id, service or "")]

