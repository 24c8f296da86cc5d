"""JSON API of the claim workflow: the same services and scoping as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from vetbridge.accounts.models import User
from vetbridge.api.security import api_user

from . import selectors, services
from .kinds import KINDS, ClaimFiling, FrenchSituation
from .models import Claim, Decision, Grade

router = Router(tags=["claims"])

if TYPE_CHECKING:
    KindT = str
else:  # every kind of the registry
    KindT = Literal[tuple(KINDS)]
StateT = Literal[
    "submitted",
    "needs_information",
    "in_assessment",
    "ready_for_decision",
    "granted",
    "rejected",
    "appealed",
    "appeal_decided",
    "withdrawn",
]


class EventOut(Schema):
    at: dt.datetime
    from_state: str
    to_state: str
    note: str
    problem: bool


class DecisionOut(Schema):
    id: int
    kind: str
    outcome: str
    reason: str
    amount: Decimal | None
    valid_until: dt.date | None
    appeal_deadline: dt.date | None = Field(
        description="last day of the next remedy (CRI, tribunal administratif or Ukrainian "
        "complaint); null until the notification date is recorded"
    )
    notified_on: dt.date | None = Field(None, description="day the claimant was notified")
    next_remedy: str = Field(
        "", description="cri | court | complaint | '' (court, no deadline computed)"
    )
    rules_version: str
    params_digest: str
    decided_at: dt.datetime
    result: dict[str, Any] | None = Field(None, description="explanation; medical roles only")
    inputs: dict[str, Any] | None = Field(
        None,
        description="the frozen input of the rules (infirmities and situation); medical roles only",
    )


class InfirmityIO(Schema):
    label: str = Field(min_length=1, max_length=200)
    icd10: str = Field("", max_length=8)
    rate: Decimal | str = Field(
        description="percent, up to two decimals, above 0 and at "
        'most 100; "12,5" and "12.5" are both 12.5'
    )
    cause: Literal["injury", "disease"]
    context: Literal["war", "opex", "captivity", "peace"]
    addition: Literal["chain", "arithmetic"] = "chain"
    grouping: str = Field("", max_length=60)
    incurable: bool = False
    third_person: bool = Field(
        False, description="this infirmity alone makes a third person necessary (L133-1)"
    )
    amputation_without_prosthesis: bool = Field(False, description="+5 points (L125-9)")
    arithmetic_addition: Decimal | str = Field(
        Decimal(0), description="points added to this infirmity's rate (L125-9), 0 to 100"
    )


class SituationIO(Schema):
    """The French claimant's situation besides the infirmities."""

    children_birth_dates: list[dt.date] = Field(default_factory=list, max_length=30)
    third_person: bool = False
    grand_mutile: bool = False
    grade: Literal[tuple(Grade.values)] = "soldier"  # type: ignore[valid-type]
    left_service: bool = False


class AppealOut(Schema):
    appealed_on: dt.date | None
    late: bool | None = Field(description="null: the notification date is unknown")
    admissible: bool | None
    admissibility_note: str
    expertise_started_on: dt.date | None
    expertise_ended_on: dt.date | None
    silence_rejection_on: dt.date | None = Field(
        None, description="France: when the CRI's silence becomes a rejection (R711-15)"
    )


class ClaimOut(Schema):
    id: int
    reference: str
    person_id: int
    kind: str
    state: str
    filed_at: dt.date
    version: int
    days_in_state: int
    assigned_to_id: int | None = Field(None, description="the staff member handling it")
    next_step: str
    needs: str
    events: list[EventOut]
    decisions: list[DecisionOut]
    infirmities: list[InfirmityIO] | None = Field(None, description="medical roles only")
    situation: SituationIO | None = Field(
        None,
        description="French claims; third_person and grand_mutile false unless the "
        "reader may see medical content",
    )
    death_record_date: dt.date | None = None
    appeal: AppealOut | None = None
    statement: str | None = Field(
        None,
        description="What happened, in the claimant's words "
        "(may describe the wound or illness): "
        "medical roles only",
    )
    statement_language: str | None = Field(
        None, description="language the statement was written in (uk, fr, en; empty: unknown)"
    )


class ClaimIn(Schema):
    person_id: int
    kind: KindT
    statement: str = Field("", max_length=4000)
    residence: Literal["metropole", "overseas", "abroad"] = "metropole"
    revision_of: int | None = None
    disability_group: Literal[1, 2, 3] | None = None
    ua_cause: Literal["duty", "service"] | None = None
    group_set_at: dt.date | None = None
    death_date: dt.date | None = None
    death_record_date: dt.date | None = None
    recipients: int | None = Field(None, ge=1, le=50)
    situation: SituationIO | None = None


class TransitionIn(Schema):
    name: Literal[
        "start_assessment",
        "request_information",
        "provide_information",
        "complete_assessment",
        "complete_file",
        "send_back",
        "appeal",
        "withdraw",
    ]
    version: int
    note: str = Field("", max_length=500)


class InfirmitiesIn(Schema):
    version: int
    infirmities: list[InfirmityIO] = Field(max_length=20)
    medical_notes: str | None = Field(None, max_length=4000)
    situation: SituationIO | None = None


class NotifyIn(Schema):
    notified_on: dt.date
    by_post: bool = Field(False, description="Ukraine: notified_on is the day of posting")


class AdmissibilityIn(Schema):
    version: int
    admissible: bool
    note: str = Field(max_length=500)


class ExpertiseIn(Schema):
    version: int
    started_on: dt.date
    ended_on: dt.date | None = None


class DecideIn(Schema):
    version: int
    grant: bool
    reason: str = Field("", max_length=4000)


class ClaimFilters(Schema):
    state: StateT | None = None
    kind: KindT | None = None
    stalled_days: int | None = Field(None, ge=1, le=3650)
    assigned: Literal["me", "none"] | None = Field(
        None, description="me: assigned to you; none: assigned to nobody"
    )
    sort: (
        Literal["reference", "kind", "claimant", "filed", "state", "days", "deadline", "assigned"]
        | None
    ) = Field(None, description="column to sort on; by default the longest in its state first")
    desc: bool | None = Field(None, description="descending order")


def _decision(d: Decision, medical: bool) -> dict[str, Any]:
    return {
        **{
            f: getattr(d, f)
            for f in (
                "id",
                "kind",
                "outcome",
                "reason",
                "amount",
                "valid_until",
                "appeal_deadline",
                "notified_on",
                "rules_version",
                "decided_at",
            )
        },
        "params_digest": d.snapshot_id,
        "next_remedy": services.next_remedy(d),
        "result": d.result if medical else None,
        "inputs": d.inputs if medical else None,
    }


def _out(user: User, claim: Claim, medical: bool) -> dict[str, Any]:
    silence = selectors.appeal_silence(claim)
    return {
        "id": claim.pk,
        "reference": claim.reference,
        "person_id": claim.person_id,
        "kind": claim.kind,
        "state": claim.state,
        "filed_at": claim.filed_at,
        "version": claim.version,
        "days_in_state": selectors.days_in_state(claim),
        "assigned_to_id": claim.assigned_to_id,
        "next_step": selectors.next_step(claim),
        "needs": claim.needs,
        "events": list(claim.events.all()),
        "decisions": [_decision(d, medical) for d in selectors.decisions_of(claim)],
        "infirmities": [
            {
                f: getattr(x, f)
                for f in (
                    "label",
                    "icd10",
                    "rate",
                    "cause",
                    "context",
                    "addition",
                    "grouping",
                    "incurable",
                    "third_person",
                    "amputation_without_prosthesis",
                    "arithmetic_addition",
                )
            }
            for x in claim.infirmities.all()
        ]
        if medical
        else None,
        "situation": {
            "children_birth_dates": claim.children_birth_dates,
            "grade": claim.grade,
            "left_service": claim.left_service,
            "third_person": claim.third_person and medical,
            "grand_mutile": claim.grand_mutile and medical,
        }
        if claim.spec.french_situation
        else None,
        "death_record_date": claim.death_record_date,
        "appeal": {
            "appealed_on": claim.appealed_on,
            "late": claim.appeal_late,
            "admissible": claim.appeal_admissible,
            "admissibility_note": claim.appeal_admissibility_note,
            "expertise_started_on": claim.expertise_started_on,
            "expertise_ended_on": claim.expertise_ended_on,
            "silence_rejection_on": silence.deemed_rejected_on if silence else None,
        }
        if claim.appealed_on
        else None,
        # The statement describes the wound or illness: medical content, read (and audited)
        # with the infirmities by the claimant, the assessor and the officer.
        "statement": claim.statement if medical else None,
        "statement_language": claim.statement_language if medical else None,
    }


@router.get("/claims", response=list[ClaimOut], summary="Claims within your access")
def list_claims(request: HttpRequest, filters: Query[ClaimFilters]) -> list[dict[str, Any]]:
    user = api_user(request)
    from vetbridge.accounts.roles import Capability
    from vetbridge.accounts.scoping import require

    require(user, Capability.CLAIMS_VIEW)
    wanted = filters.dict()
    sort, desc = wanted.pop("sort", None), wanted.pop("desc", None)
    qs = selectors.claim_queue(user=user, filters=wanted, sort=sort or "days", descending=desc)[
        :200
    ]
    return [_out(user, c, False) for c in qs]


@router.post("/claims", response={201: ClaimOut}, summary="File a claim")
def file_claim(request: HttpRequest, payload: ClaimIn) -> Status[Any]:
    user = api_user(request)
    data = payload.dict(exclude={"person_id", "situation"})
    if payload.situation is not None:
        data.update(payload.situation.dict())
    claim = services.claim_file(
        actor=user, person_id=payload.person_id, filing=ClaimFiling.from_fields(payload.kind, data)
    )
    return Status(201, _out(user, claim, services.can_read_medical(user)))


@router.get("/claims/stats", summary="Claims by state and median days to decision")
def claims_stats(request: HttpRequest) -> dict[str, Any]:
    return selectors.claims_stats(user=api_user(request))


@router.get("/claims/{claim_id}", response=ClaimOut, summary="One claim (medical parts audited)")
def get_claim(request: HttpRequest, claim_id: int) -> dict[str, Any]:
    user = api_user(request)
    claim, medical = services.claim_open(actor=user, claim_id=claim_id)
    return _out(user, claim, medical)


@router.post(
    "/claims/{claim_id}/transitions",
    response=ClaimOut,
    summary="Move the claim one step (refused with a reason when not allowed)",
)
def transition_claim(request: HttpRequest, claim_id: int, payload: TransitionIn) -> dict[str, Any]:
    user = api_user(request)
    claim = services.claim_transition(
        actor=user,
        claim_id=claim_id,
        name=payload.name,
        expected_version=payload.version,
        note=payload.note,
    )
    return _out(user, claim, services.can_read_medical(user))


@router.put(
    "/claims/{claim_id}/infirmities",
    response=ClaimOut,
    summary="Record the infirmities (medical assessor)",
)
def set_infirmities(request: HttpRequest, claim_id: int, payload: InfirmitiesIn) -> dict[str, Any]:
    user = api_user(request)
    claim = services.infirmities_set(
        actor=user,
        claim_id=claim_id,
        expected_version=payload.version,
        rows=[services.InfirmityRow.from_data(x.dict()) for x in payload.infirmities],
        medical_notes=payload.medical_notes,
        situation=FrenchSituation.from_data(payload.situation.dict())
        if payload.situation is not None
        else None,
    )
    return _out(user, claim, True)


@router.post(
    "/claims/{claim_id}/decision",
    response={201: DecisionOut},
    summary="Decide, or decide on appeal (pension officer)",
)
def decide_claim(request: HttpRequest, claim_id: int, payload: DecideIn) -> Status[Any]:
    user = api_user(request)
    d = services.claim_decide(
        actor=user,
        claim_id=claim_id,
        expected_version=payload.version,
        grant=payload.grant,
        reason=payload.reason,
    )
    return Status(201, _decision(d, True))


@router.post(
    "/claims/decisions/{decision_id}/notification",
    response=DecisionOut,
    summary="Record the day the decision was notified; the deadline runs from it (pension officer)",
)
def notify_decision(request: HttpRequest, decision_id: int, payload: NotifyIn) -> dict[str, Any]:
    user = api_user(request)
    d = services.decision_notify(
        actor=user,
        decision_id=decision_id,
        notified_on=payload.notified_on,
        by_post=payload.by_post,
    )
    return _decision(d, services.can_read_medical(user))


@router.post(
    "/claims/{claim_id}/admissibility",
    response=ClaimOut,
    summary="Decide whether a late appeal is admissible (pension officer)",
)
def appeal_admissibility(
    request: HttpRequest, claim_id: int, payload: AdmissibilityIn
) -> dict[str, Any]:
    user = api_user(request)
    claim = services.appeal_admissibility(
        actor=user,
        claim_id=claim_id,
        expected_version=payload.version,
        admissible=payload.admissible,
        note=payload.note,
    )
    return _out(user, claim, services.can_read_medical(user))


@router.post(
    "/claims/{claim_id}/expertise",
    response=ClaimOut,
    summary="Record the CRI's medical expertise (suspends its silence clock)",
)
def appeal_expertise(request: HttpRequest, claim_id: int, payload: ExpertiseIn) -> dict[str, Any]:
    user = api_user(request)
    claim = services.appeal_expertise(
        actor=user,
        claim_id=claim_id,
        expected_version=payload.version,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
    )
    return _out(user, claim, services.can_read_medical(user))
