"""JSON API of referrals to partner services: the same services and scoping as the pages.

Referral endpoints never carry medical content, so partners can use them; the contact
details a veteran agreed to share reach the partner (audited), nothing else of the file.
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
from vetbridge.core.services import input_from

from . import services as referrals
from .models import CONTACT_FIELDS, Outcome, Referral, ServiceKind

referral_router = Router(tags=["referrals"])

ServiceT = Literal["employment", "training", "housing", "psychological", "peer", "sport"]
OutcomeT = Literal["employed", "trained", "housed", "supported", "dropped", "other"]
ContactT = Literal["phone", "email", "address"]
assert set(ServiceT.__args__) == set(ServiceKind.values)  # type: ignore[attr-defined]
assert set(OutcomeT.__args__) == set(Outcome.values)  # type: ignore[attr-defined]
assert set(ContactT.__args__) == set(CONTACT_FIELDS)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------- referrals


class ReferralOut(Schema):
    id: int
    person_id: int
    veteran: str
    partner_id: int
    partner: str
    service: str
    message: str
    message_language: str = Field(
        "", description="language the text was written in (uk, fr, en); empty: unknown"
    )
    consent_on: dt.date
    consent_text: str
    status: str
    outcome: str
    outcome_note: str
    outcome_note_language: str = Field(
        "", description="language the text was written in (uk, fr, en); empty: unknown"
    )
    sent_at: dt.datetime
    answered_at: dt.datetime | None
    late: bool = Field(description="no answer within the configured number of days")
    decline_reason: str
    decline_reason_language: str = Field(
        "", description="language the text was written in (uk, fr, en); empty: unknown"
    )
    shared_contacts: dict[str, str] = Field(
        description="the contact details the veteran agreed to share with the partner"
    )
    version: int


class ReferralIn(Schema):
    person_id: int
    partner_id: int
    service: ServiceT
    consent_on: dt.date
    consent_text: str = Field(max_length=300)
    message: str = Field("", max_length=1000)
    shared_contacts: list[ContactT] = Field(
        default_factory=list, description="contact details the veteran agreed to share"
    )


class AnswerIn(Schema):
    version: int
    accept: bool
    reason: str = Field("", max_length=300, description="required to decline")


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


def _referral(r: Referral, user: User) -> dict[str, Any]:
    return {
        "id": r.pk,
        "person_id": r.person_id,
        "veteran": r.person.display_name,
        "partner_id": r.partner_id,
        "partner": r.partner.name,
        "service": r.service,
        "message": r.message,
        "message_language": r.message_language,
        "consent_on": r.consent_on,
        "consent_text": r.consent_text,
        "status": r.status,
        "outcome": r.outcome,
        "outcome_note": r.outcome_note,
        "outcome_note_language": r.outcome_note_language,
        "sent_at": r.sent_at,
        "answered_at": r.answered_at,
        "late": referrals.is_late(r),
        "decline_reason": r.decline_reason,
        "decline_reason_language": r.decline_reason_language,
        "shared_contacts": referrals.shared_contacts(user, r),
        "version": r.version,
    }


def _any_referral_role(user: User) -> None:
    if not referrals.may_see_referrals(user):
        raise PermissionDeniedError(_("Your role does not allow this action."))


@referral_router.get(
    "/referrals",
    response=list[ReferralOut],
    summary="Referrals within your access (a partner: its own only)",
)
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> list[dict[str, Any]]:
    user = api_user(request)
    _any_referral_role(user)
    qs = referrals.referrals_for(user).prefetch_related("person__names")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.late is not None:
        qs = qs.filter(referrals.late()) if filters.late else qs.exclude(referrals.late())
    return [_referral(r, user) for r in qs[:500]]


@referral_router.post(
    "/referrals",
    response={201: ReferralOut},
    summary="Refer a veteran to a partner, with the consent recorded",
)
def create_referral(request: HttpRequest, payload: ReferralIn) -> Status[Any]:
    user = api_user(request)
    r = referrals.referral_create(
        actor=user,
        person_id=payload.person_id,
        data=input_from(referrals.ReferralInput, payload.dict(), partner=payload.partner_id),
    )
    return Status(201, _referral(r, user))


@referral_router.get("/referrals/{referral_id}", response=ReferralOut, summary="One referral")
def get_referral(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    user = api_user(request)
    _any_referral_role(user)
    return _referral(referrals.referral_get(user, referral_id), user)


@referral_router.post(
    "/referrals/{referral_id}/answer",
    response=ReferralOut,
    summary="Accept or decline (the partner)",
)
def answer_referral(request: HttpRequest, referral_id: int, payload: AnswerIn) -> dict[str, Any]:
    user = api_user(request)
    return _referral(
        referrals.referral_answer(
            actor=user,
            referral_id=referral_id,
            expected_version=payload.version,
            accept=payload.accept,
            reason=payload.reason,
        ),
        user,
    )


@referral_router.post(
    "/referrals/{referral_id}/outcome",
    response=ReferralOut,
    summary="Record the outcome of an accepted referral",
)
def referral_outcome(request: HttpRequest, referral_id: int, payload: OutcomeIn) -> dict[str, Any]:
    user = api_user(request)
    return _referral(
        referrals.referral_outcome(
            actor=user,
            referral_id=referral_id,
            expected_version=payload.version,
            outcome=payload.outcome,
            note=payload.note,
        ),
        user,
    )


@referral_router.post(
    "/referrals/{referral_id}/cancel",
    response=ReferralOut,
    summary="Cancel a referral (the case worker)",
)
def cancel_referral(request: HttpRequest, referral_id: int, payload: VersionIn) -> dict[str, Any]:
    user = api_user(request)
    return _referral(
        referrals.referral_cancel(
            actor=user, referral_id=referral_id, expected_version=payload.version
        ),
        user,
    )


@referral_router.get(
    "/partners",
    response=list[PartnerOut],
    summary="Directory of partners with regions and this month's use",
)
def partners(
    request: HttpRequest, region: str | None = None, service: ServiceT | None = None
) -> list[dict[str, Any]]:
    user = api_user(request)
    _any_referral_role(user)
    region_id = None
    if region:
        from vetbridge.core.models import Region

        found = Region.objects.filter(code=region).first()
        if found is None:
            raise field_error("region", _("Unknown region code."))
        region_id = found.pk
    return [
        {
            "id": p.pk,
            "name": p.name,
            "services": p.services,
            "regions": [r.code for r in p.regions.all()],
            "monthly_capacity": p.monthly_capacity,
            "this_month": getattr(p, "this_month", 0),
            "email": p.email,
            "phone": p.phone,
        }
        for p in referrals.partners_directory(region_id, service or "")
    ]
