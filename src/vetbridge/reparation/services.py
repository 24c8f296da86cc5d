"""Every read of medical content and every write of the claim workflow.

Writes run in one transaction with their audit row, their history event and the
notifications; concurrent edits are caught by the claim's `version` (optimistic locking).
Services take typed inputs: a `kinds.ClaimFiling` to file, `InfirmityRow`s and a
`kinds.FrenchSituation` for the assessor's fiche. What differs between kinds of claim is
read from `kinds.KINDS`, never by comparing the kind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.models import AuditAction, User
from vetbridge.accounts.roles import Capability, Role
from vetbridge.accounts.scoping import access_person_by_id, people_for, require
from vetbridge.core.exceptions import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    field_error,
)
from vetbridge.core.inputs import check_text
from vetbridge.core.mail import notify_users, site_url
from vetbridge.core.uploads import check_pdf, clean_image
from vetbridge.core.written import languages_for, stamp_languages
from vetbridge.rules import procedure
from vetbridge.rules.errors import InputError
from vetbridge.rules.parameters import ParameterError, Parameters, default_set
from vetbridge.rules.version import RULES_VERSION

from .kinds import (
    KINDS,
    MAX_CHILDREN,
    ClaimFiling,
    FrenchSituation,
    checked_date,
    fr_inputs,
    granted,
    granted_rate,
    parse_bool,
    parse_date,
)
from .models import (
    Addition,
    Cause,
    Claim,
    ClaimDocument,
    ClaimEvent,
    ClaimState,
    Context,
    Decision,
    DecisionKind,
    Infirmity,
    Notification,
    Outcome,
    RulesSnapshot,
)
from .plain import is_plain
from .workflow import NEXT_STEP, TRANSITIONS, acting_roles, kind_refusal

__all__ = ["MAX_CHILDREN", "ClaimFiling", "FrenchSituation", "fr_inputs"]

# Magic numbers of the accepted document types (the extension and the browser's word are
# not trusted).
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
EXTENSIONS = {"application/pdf": (".pdf",), "image/png": (".png",), "image/jpeg": (".jpg", ".jpeg")}
MEDICAL_STATES_EDITABLE = frozenset({ClaimState.IN_ASSESSMENT, ClaimState.APPEALED})


# ---------------------------------------------------------------- reads (scoped, audited)


def claims_for(user: User, capability: Capability = Capability.CLAIMS_VIEW) -> QuerySet[Claim]:
    """Claims of the people this user may reach for `capability`."""
    if not user.can(capability):
        return Claim.objects.none()
    return Claim.objects.filter(person__in=people_for(user, capability))


def can_read_medical(user: User) -> bool:
    return user.can(Capability.CLAIMS_MEDICAL)


def _claim(
    user: User,
    claim_id: int,
    capability: Capability = Capability.CLAIMS_VIEW,
    *,
    lock: bool = False,
) -> Claim:
    require(user, capability)
    qs = claims_for(user, capability).select_related("person")
    if lock:
        qs = qs.select_for_update(of=("self",))
    claim = qs.filter(pk=claim_id).first()
    if claim is None:
        raise NotFoundError(_("No such claim, or not within your access."))
    return claim


@transaction.atomic
def claim_open(*, actor: User, claim_id: int) -> tuple[Claim, bool]:
    """The claim and whether the actor reads its medical content (that read is audited)."""
    claim = _claim(actor, claim_id)
    medical = can_read_medical(actor)
    if medical:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            obj=claim,
            person_id=claim.person_id,
            summary=claim.reference,
        )
    return claim, medical


@transaction.atomic
def document_open(*, actor: User, document_id: int) -> ClaimDocument:
    require(actor, Capability.CLAIMS_MEDICAL)
    doc = ClaimDocument.objects.filter(
        pk=document_id, claim__in=claims_for(actor, Capability.CLAIMS_MEDICAL)
    ).first()
    if doc is None:
        raise NotFoundError(_("No such document, or not within your access."))
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        obj=doc,
        person_id=doc.claim.person_id,
        summary=doc.original_name,
    )
    return doc


@transaction.atomic
def decision_open(*, actor: User, decision_id: int) -> Decision:
    """A decision with its explanation (medical content): audited."""
    require(actor, Capability.CLAIMS_MEDICAL)
    decision = (
        Decision.objects.select_related("claim__person", "snapshot")
        .filter(pk=decision_id, claim__in=claims_for(actor, Capability.CLAIMS_MEDICAL))
        .first()
    )
    if decision is None:
        raise NotFoundError(_("No such decision, or not within your access."))
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=decision,
        person_id=decision.claim.person_id,
        summary=decision.claim.reference,
    )
    return decision


# ---------------------------------------------------------------- events and notices


def _recipients(claim: Claim, actor: User | None) -> set[int]:
    ids = set(
        User.objects.filter(person_id=claim.person_id, is_active=True).values_list("pk", flat=True)
    )
    if claim.person.contact_person_id:
        ids.add(claim.person.contact_person_id)
    if claim.filed_by_id:
        ids.add(claim.filed_by_id)
    if actor is not None:
        ids.discard(actor.pk)
    return ids


def _event(
    claim: Claim, actor: User | None, before: str, note: str = "", problem: bool = False
) -> ClaimEvent:
    event = ClaimEvent.objects.create(
        claim=claim,
        actor=actor,
        from_state=before,
        to_state=claim.state,
        note=note[:500],
        problem=problem,
    )
    recipients = _recipients(claim, actor)
    Notification.objects.bulk_create(
        [Notification(user_id=uid, claim=claim, event=event) for uid in recipients]
    )
    notify_users(
        recipients,
        "claim_event",
        {
            "claim": claim,
            "event": event,
            "needs": claim.needs if problem else "",
            "next_step": NEXT_STEP.get(ClaimState(claim.state), ""),
            "link": site_url(reverse("reparation:detail", args=[claim.pk])),
        },
        per_user=lambda u: {"is_claimant": u.person_id == claim.person_id},
    )
    return event


def _move(claim: Claim, actor: User, target: str, expected_version: int) -> str:
    """Set the new state if nobody saved in between; returns the previous state."""
    before = claim.state
    now = timezone.now()
    updated = Claim.objects.filter(pk=claim.pk, version=expected_version).update(
        state=target, state_since=now, version=F("version") + 1, needs=claim.needs
    )
    if updated != 1:
        raise ConflictError(
            _(
                "This claim was changed by someone else since you opened it. "
                "Reload it and try again."
            )
        )
    claim.state, claim.state_since, claim.version = target, now, expected_version + 1
    return before


def _check_version(claim: Claim, expected_version: int) -> None:
    if claim.version != expected_version:
        raise ConflictError(
            _(
                "This claim was changed by someone else since you opened it. "
                "Reload it and try again."
            )
        )


# ---------------------------------------------------------------- filing


def _date(value: Any, field: str, born: dt.date | None = None) -> dt.date:
    """A claim date in the shared plausible range (`core.inputs`): 1900 to the future
    horizon, not before the person's birth (each caller adds "not in the future")."""
    return checked_date(parse_date(value, field), field, born)


_bool = parse_bool


@transaction.atomic
def claim_file(*, actor: User, person_id: int, filing: ClaimFiling) -> Claim:
    """File a claim for a person (the veteran for themself, a case worker for them)."""
    require(actor, Capability.CLAIMS_FILE)
    person = access_person_by_id(actor, person_id, Capability.CLAIMS_FILE)
    spec = KINDS.get(filing.kind)
    if spec is None:
        raise field_error("kind", _("Choose the kind of claim."))
    details = filing.details if filing.details is not None else spec.details()
    if not isinstance(details, spec.details):
        raise field_error("kind", _("Choose the kind of claim."))
    claim = Claim(
        person=person,
        kind=spec.code,
        filed_by=actor,
        statement=str(filing.statement or "")[:4000],
        residence=filing.residence or "metropole",
    )
    stamp_languages(claim, actor, ["statement"])
    if claim.residence not in procedure.RESIDENCES:
        raise field_error("residence", _("Choose a place of residence."))
    details.apply(claim, person, timezone.localdate())
    claim.save()
    _event(claim, actor, "")
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=claim,
        person_id=person.pk,
        summary=f"{claim.reference} {spec.code}",
    )
    return claim


def _sniff(head: bytes) -> str | None:
    for magic, content_type in SIGNATURES.items():
        if head.startswith(magic):
            return content_type
    return None


@transaction.atomic
def document_add(
    *, actor: User, claim_id: int, name: str, content: bytes, description: str = ""
) -> ClaimDocument:
    """Attach a PDF, PNG or JPEG (checked by content, not by name), at most the set size."""
    # Those who file (claimant, case worker) and the medical assessor may add evidence.
    cap = next(
        (c for c in (Capability.CLAIMS_FILE, Capability.CLAIMS_ASSESS) if actor.can(c)), None
    )
    if cap is None:
        raise PermissionDeniedError(_("Your role does not allow this action."))
    claim = _claim(actor, claim_id, cap)
    if claim.state in (ClaimState.WITHDRAWN,):
        raise field_error("file", _("This claim is closed."))
    limit = settings.VETBRIDGE_DOCUMENT_MAX_BYTES
    if not content:
        raise field_error("file", _("The file is empty."))
    if len(content) > limit:
        raise field_error("file", _("The file is larger than %(mb)s MB.") % {"mb": limit // 2**20})
    content_type = _sniff(content[:16])
    clean_name = "".join(c for c in name if c.isprintable() and c not in "/\\")[-200:] or "document"
    if content_type is None or not clean_name.lower().endswith(EXTENSIONS[content_type]):
        raise field_error(
            "file", _("Only PDF, PNG and JPEG files are accepted, with their usual extension.")
        )
    # Checked by decoding (core.uploads): a PDF's structure; an image decoded and stored
    # re-encoded, without its metadata.
    if content_type == "application/pdf":
        check_pdf(content, "file")
    else:
        content = clean_image(content, "file").content
    digest = hashlib.sha256(content).hexdigest()
    doc = ClaimDocument(
        claim=claim,
        original_name=clean_name,
        content_type=content_type,
        size=len(content),
        sha256=digest,
        description=description[:200],
        uploaded_by=actor,
    )
    doc.file.save(digest[:32], ContentFile(content), save=False)
    doc.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=doc,
        person_id=claim.person_id,
        summary=clean_name,
        changes={"size": len(content), "sha256": digest},
    )
    return doc


# ---------------------------------------------------------------- assessment

RATE_PATTERN = re.compile(r"[0-9]{1,3}(?:[.,][0-9]+)?")


def parse_percent(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    """A percentage typed in any language: "12,5" and "12.5" are both 12.5. Anything else
    (thousands separators, letters, several separators) is refused, never reinterpreted."""
    if isinstance(value, bool):
        raise field_error(field, _("Enter a number, e.g. 12.5 or 12,5."))
    if isinstance(value, Decimal | int | float):
        text = str(value)
    else:
        text = str(value if value is not None else "").strip()
    if not RATE_PATTERN.fullmatch(text):
        raise field_error(field, _("Enter a number, e.g. 12.5 or 12,5."))
    try:
        rate = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise field_error(field, _("Enter a number, e.g. 12.5 or 12,5.")) from None
    low_ok = rate >= 0 if allow_zero else rate > 0
    if not rate.is_finite() or not low_ok or rate > 100:
        raise field_error(
            field,
            _("The rate must be from 0 to 100.")
            if allow_zero
            else _("The rate must be above 0 and at most 100."),
        )
    if rate != rate.quantize(Decimal("0.01")):
        raise field_error(field, _("At most two decimals."))
    return rate


_parse_rate = parse_percent


@dataclass(frozen=True)
class InfirmityRow:
    """One line of the assessor's fiche, as the form or the API typed it. A rate may be
    written as the reader writes it ("12,5" or "12.5"): `parse_percent` checks it."""

    label: str = ""
    rate: Decimal | str | None = None
    cause: str = ""
    context: str = ""
    addition: str = Addition.CHAIN
    icd10: str = ""
    grouping: str = ""
    incurable: bool = False
    third_person: bool = False
    amputation_without_prosthesis: bool = False
    arithmetic_addition: Decimal | str | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> InfirmityRow:
        """From a form's cleaned data, an API row or loose data: the known keys, as given
        (None for a text is empty); the service checks every value."""
        names = cls.__dataclass_fields__
        given = {k: v for k, v in data.items() if k in names}
        for key in ("label", "cause", "context", "addition", "icd10", "grouping"):
            if key in given and given[key] is None:
                given[key] = ""
        return cls(**given)

    @classmethod
    def from_rows(cls, rows: list[Mapping[str, Any]]) -> list[InfirmityRow]:
        return [cls.from_data(row) for row in rows]


@transaction.atomic
def infirmities_set(
    *,
    actor: User,
    claim_id: int,
    expected_version: int,
    rows: list[InfirmityRow],
    medical_notes: str | None = None,
    situation: FrenchSituation | None = None,
) -> Claim:
    """The assessor's fiche: the infirmities (replacing the previous ones) and, when given,
    the situation (children, third person, grand mutilé, grade, left service)."""
    claim = _claim(actor, claim_id, Capability.CLAIMS_ASSESS, lock=True)
    _check_version(claim, expected_version)
    if claim.state not in MEDICAL_STATES_EDITABLE:
        raise ApplicationError(
            _("Infirmities can be recorded only during the assessment or an appeal.")
        )
    check_text("medical_notes", medical_notes, multiline=True)
    new: list[Infirmity] = []
    for i, row in enumerate(rows):
        for key in ("label", "icd10", "grouping"):
            check_text(f"infirmities.{i}.{key}", getattr(row, key))
        label = " ".join(str(row.label or "").split())[:200]
        if not label:
            raise field_error(f"infirmities.{i}.label", _("Describe the infirmity."))
        cause, context = row.cause, row.context
        if cause not in Cause.values:
            raise field_error(f"infirmities.{i}.cause", _("Choose the cause."))
        if context not in Context.values:
            raise field_error(f"infirmities.{i}.context", _("Choose the context."))
        addition = row.addition or Addition.CHAIN
        if addition not in Addition.values:
            raise field_error(f"infirmities.{i}.addition", _("Choose how it adds up."))
        extra = row.arithmetic_addition
        new.append(
            Infirmity(
                claim=claim,
                label=label,
                icd10=str(row.icd10 or "")[:8].upper(),
                rate=_parse_rate(row.rate, f"infirmities.{i}.rate"),
                cause=cause,
                context=context,
                addition=addition,
                grouping=str(row.grouping or "")[:60],
                incurable=_bool(row.incurable, f"infirmities.{i}.incurable"),
                third_person=_bool(row.third_person, f"infirmities.{i}.third_person"),
                amputation_without_prosthesis=_bool(
                    row.amputation_without_prosthesis,
                    f"infirmities.{i}.amputation_without_prosthesis",
                ),
                arithmetic_addition=Decimal(0)
                if extra in (None, "")
                else parse_percent(extra, f"infirmities.{i}.arithmetic_addition", allow_zero=True),
                position=i,
            )
        )
    changes_situation = situation.changes(timezone.localdate()) if situation else {}
    before = [f"{x.label} {x.rate}" for x in claim.infirmities.all()]
    claim.infirmities.all().delete()
    Infirmity.objects.bulk_create(new)
    notes_changed = medical_notes is not None and medical_notes[:4000] != claim.medical_notes
    if medical_notes is not None:
        claim.medical_notes = medical_notes[:4000]
    if notes_changed:
        stamp_languages(claim, actor, ["medical_notes"])
    claim.assessed_by = actor
    situation_before = {k: getattr(claim, k) for k in changes_situation}
    for key, value in changes_situation.items():
        setattr(claim, key, value)
    updated = Claim.objects.filter(pk=claim.pk, version=expected_version).update(
        version=F("version") + 1,
        assessed_by=actor,
        medical_notes=claim.medical_notes,
        medical_notes_language=claim.medical_notes_language,
        **changes_situation,
    )
    if updated != 1:
        raise ConflictError(
            _(
                "This claim was changed by someone else since you opened it. "
                "Reload it and try again."
            )
        )
    claim.version += 1
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=claim,
        person_id=claim.person_id,
        summary=f"{claim.reference} infirmities",
        changes={
            "infirmities": [before, [f"{x.label} {x.rate}" for x in new]],
            **{
                k: [situation_before[k], v]
                for k, v in changes_situation.items()
                if situation_before[k] != v
            },
        },
    )
    return claim


# ---------------------------------------------------------------- computation


def rules_inputs(claim: Claim) -> dict[str, Any]:
    """The input of the rules for this claim, exactly as it will be frozen."""
    return claim.spec.calculator.inputs(claim)


def compute(kind: str, inputs: dict[str, Any], params: Parameters) -> dict[str, Any]:
    """Run the rules on frozen inputs with given parameters (also used by replay)."""
    return KINDS[kind].calculator.compute(inputs, params)


def country_of(kind: str) -> str:
    return KINDS[kind].country


def preview(claim: Claim) -> dict[str, Any]:
    """The computation with today's parameters, before any decision (nothing stored)."""
    if claim.spec.assessed and not claim.infirmities.exists():
        return {"error": _("No infirmity recorded yet.")}
    try:
        return compute(claim.kind, rules_inputs(claim), default_set(country_of(claim.kind)))
    except (InputError, ParameterError) as exc:
        field = getattr(exc, "field", "date")
        return {"error": f"{field}: {getattr(exc, 'message', str(exc))}"}


_granted = granted
_granted_rate = granted_rate


# ---------------------------------------------------------------- transitions


@transaction.atomic
def claim_transition(
    *, actor: User, claim_id: int, name: str, expected_version: int, note: str = ""
) -> Claim:
    """Move a claim along the workflow; decisions go through `claim_decide`."""
    t = TRANSITIONS.get(name)
    if t is None or name in ("grant", "reject", "decide_appeal"):
        raise ApplicationError(_("Unknown step."))
    if t.staff_only and actor.role == Role.VETERAN:
        raise PermissionDeniedError(_("Your role does not allow this action."))
    claim = _claim(actor, claim_id, t.capability, lock=True)
    _check_version(claim, expected_version)
    if claim.state not in t.sources:
        raise ApplicationError(
            _("This step is not possible now: the claim is “%(state)s”.")
            % {"state": claim.get_state_display()}
        )
    note = " ".join(note.split())[:500]
    refusal = kind_refusal(name, claim.kind)
    if refusal is not None:
        raise ApplicationError(str(refusal))
    if name == "complete_assessment" and not claim.infirmities.exists():
        raise ApplicationError(_("Record at least one infirmity first."))
    if name == "request_information":
        if not note:
            raise field_error("note", _("Say what the claimant must provide."))
        claim.needs = note
    if name == "provide_information":
        claim.needs = ""
    problem = t.problem
    if name == "appeal":
        if not note:
            raise field_error("note", _("Give the grievances: what is wrong in the decision."))
        # Never refused for lateness: flagged, and the officer decides admissibility (the
        # deadline may be extended, interrupted or never have started to run).
        decision = claim.current_decision()
        today = timezone.localdate()
        deadline = decision.appeal_deadline if decision and decision.notified_on else None
        late = procedure.appeal_is_late(deadline, today)
        claim.appealed_on, claim.appeal_late = today, late
        claim.appeal_admissible, claim.appeal_admissibility_note = None, ""
        claim.expertise_started_on = claim.expertise_ended_on = None
        Claim.objects.filter(pk=claim.pk).update(
            appealed_on=today,
            appeal_late=late,
            appeal_admissible=None,
            appeal_admissibility_note="",
            expertise_started_on=None,
            expertise_ended_on=None,
        )
        if late:
            problem = True
            note = (
                _(
                    "Filed after the deadline of %(date)s: the officer will decide whether "
                    "it is admissible."
                )
                % {"date": deadline.isoformat()}  # type: ignore[union-attr]
                + " "
                + note
            )[:500]
    before = _move(claim, actor, t.target, expected_version)
    _event(claim, actor, before, note, problem=problem)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=claim,
        person_id=claim.person_id,
        summary=f"{claim.reference} {name}",
        changes={"state": [before, claim.state]},
    )
    return claim


def _snapshot(params: Parameters, country: str) -> RulesSnapshot:
    snap, _created = RulesSnapshot.objects.get_or_create(
        digest=params.digest, defaults={"country": country, "files": params.files}
    )
    return snap


@transaction.atomic
def claim_decide(
    *, actor: User, claim_id: int, expected_version: int, grant: bool, reason: str = ""
) -> Decision:
    """Decide (or decide on appeal): compute, freeze inputs and rules, write the decision."""
    claim = _claim(actor, claim_id, Capability.CLAIMS_DECIDE, lock=True)
    _check_version(claim, expected_version)
    on_appeal = claim.state == ClaimState.APPEALED
    if claim.state != ClaimState.READY_FOR_DECISION and not on_appeal:
        raise ApplicationError(
            _("This step is not possible now: the claim is “%(state)s”.")
            % {"state": claim.get_state_display()}
        )
    reason = reason.strip()[:4000]
    if not grant and not reason:
        raise field_error("reason", _("A rejection must give its reasons."))
    # A late appeal waits for the officer's admissibility decision. When the notification
    # date is unknown no deadline ran against the claimant (it runs from notification), so
    # the appeal is not held back; recording the date later re-checks it.
    if on_appeal and claim.appeal_late and claim.appeal_admissible is None:
        raise ApplicationError(
            _("The appeal was filed after the deadline: decide first whether it is admissible.")
        )
    if on_appeal and claim.appeal_admissible is False and grant:
        raise ApplicationError(_("The appeal was found inadmissible: it can only be rejected."))
    spec = claim.spec
    country = spec.country
    params = default_set(country)
    inputs = rules_inputs(claim)
    try:
        result = compute(claim.kind, inputs, params)
    except InputError as exc:
        raise ApplicationError(
            _("The computation is not possible: %(field)s: %(reason)s")
            % {"field": exc.field, "reason": exc.message},
            fields={exc.field: [exc.message]},
        ) from exc
    except ParameterError as exc:
        raise ApplicationError(
            _("The computation is not possible: %(field)s: %(reason)s")
            % {"field": "date", "reason": str(exc)}
        ) from exc
    today = timezone.localdate()
    extra_steps: list[dict[str, Any]] = []
    outcome, valid_until, amount, arrears = Outcome.REJECT, None, None, None
    if spec.procedure.pension:
        if grant and not result["eligible"]:
            raise ApplicationError(
                _(
                    "The rate is below the threshold that opens a right: "
                    "the claim can only be rejected."
                )
            )
        if spec.revises and claim.revision_of is not None:
            old_rate, old_degrees = _granted(claim.revision_of) or (0, 0)
            check = procedure.revision_check(
                old_rate,
                int(result["global_rate"]),
                claim.filed_at,
                params=params,
                previous_degrees=old_degrees,
                new_degrees=int(result.get("degrees") or 0),
            )
            extra_steps += check.steps.as_list()
            if grant and not check.allowed:
                raise ApplicationError(
                    _(
                        "A revision for aggravation needs at least %(min)s more points; the new "
                        "rate adds %(diff)s. The claim can only be rejected."
                    )
                    % {"min": check.minimum, "diff": check.difference}
                )
        if grant:
            definitive = all(x.incurable for x in claim.infirmities.all())
            outcome = Outcome.GRANT_DEFINITIVE if definitive else Outcome.GRANT_TEMPORARY
            if not definitive:
                until = procedure.temporary_until(claim.filed_at, params=params)
                valid_until = until.date
                extra_steps += until.steps.as_list()
            amount = Decimal(str(result["annual_amount_eur"]))
            try:
                due = procedure.arrears(
                    start=claim.filed_at,
                    until=today,
                    points=Decimal(str(result["points"])),
                    filed=claim.filed_at,
                    params=params,
                    late_by_own_doing=claim.late_by_own_doing,
                )
            except InputError as exc:
                raise ApplicationError(
                    _("The computation is not possible: %(field)s: %(reason)s")
                    % {"field": exc.field, "reason": exc.message}
                ) from exc
            arrears = {
                "start": due.start.isoformat(),
                "end": due.end.isoformat(),
                "days": due.days,
                "amount_eur": float(due.amount_eur),
                "limited": due.limited,
                "periods": [x.as_dict() for x in due.periods],
            }
            extra_steps += due.steps.as_list()
    elif grant:
        outcome = Outcome.GRANT
        amount = Decimal(str(result["total_uah"]))
    # No deadline yet: it runs from the notification, recorded later (decision_notify).
    decision = Decision.objects.create(
        claim=claim,
        kind=DecisionKind.APPEAL if on_appeal else DecisionKind.INITIAL,
        outcome=outcome,
        reason=reason,
        **languages_for(Decision, actor, reason=reason),
        computed_on=today,
        inputs=inputs,
        batch_plain=is_plain(inputs),
        result=result,
        rules_version=RULES_VERSION,
        snapshot=_snapshot(params, country),
        valid_until=valid_until,
        appeal_deadline=None,
        amount=amount,
        arrears={"procedure_steps": extra_steps, **(arrears or {})},
        decided_by=actor,
    )
    target = (
        ClaimState.APPEAL_DECIDED
        if on_appeal
        else (ClaimState.GRANTED if grant else ClaimState.REJECTED)
    )
    before = _move(claim, actor, target, expected_version)
    _event(claim, actor, before, reason[:500] if not grant else "")
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=decision,
        person_id=claim.person_id,
        summary=f"{claim.reference} {outcome}",
        changes={
            "outcome": outcome,
            "rules_version": RULES_VERSION,
            "params_digest": params.digest,
        },
    )
    return decision


# ---------------------------------------------------------------- notification, appeal


def next_remedy(decision: Decision) -> str:
    """What the deadline of this decision opens: "cri" (French RAPO), "court" (French
    tribunal administratif after the CRI), "complaint" (Ukrainian administrative complaint)
    or "" (Ukrainian decision on a complaint: the court, no deadline computed here)."""
    procedure_ = decision.claim.spec.procedure
    if decision.kind == DecisionKind.APPEAL:
        return procedure_.appeal_remedy
    return procedure_.first_remedy


def deadline_for(
    decision: Decision, notified_on: dt.date, *, by_post: bool, params: Parameters
) -> procedure.Dated | None:
    remedy = next_remedy(decision)
    residence = decision.claim.residence
    if remedy == "cri":
        return procedure.appeal_deadline(
            decision.claim.spec.procedure.variant, notified_on, residence, params=params
        )
    if remedy == "court":
        return procedure.court_deadline(notified_on, residence, params=params)
    if remedy == "complaint":
        return procedure.appeal_deadline(
            decision.claim.spec.procedure.variant, notified_on, params=params, by_post=by_post
        )
    return None


@transaction.atomic
def decision_notify(
    *, actor: User, decision_id: int, notified_on: dt.date, by_post: bool = False
) -> Decision:
    """Record the day the decision was notified to the claimant; the deadline of the next
    remedy runs from it (R711-2 CPMIVG, CJA R421-1, Law 2073-IX). A correction is audited."""
    require(actor, Capability.CLAIMS_DECIDE)
    decision = (
        Decision.objects.select_related("claim__person")
        .select_for_update(of=("self",))
        .filter(pk=decision_id, claim__in=claims_for(actor, Capability.CLAIMS_DECIDE))
        .first()
    )
    if decision is None:
        raise NotFoundError(_("No such decision, or not within your access."))
    day = _date(notified_on, "notified_on")
    if day < decision.computed_on:
        raise field_error("notified_on", _("The notification cannot precede the decision."))
    if day > timezone.localdate():
        raise field_error("notified_on", _("The date cannot be in the future."))
    by_post = _bool(by_post, "by_post")
    try:
        dated = deadline_for(
            decision,
            day,
            by_post=by_post,
            params=default_set(decision.claim.spec.procedure.variant),
        )
    except InputError as exc:
        raise field_error("notified_on", exc.message) from exc
    before = [
        decision.notified_on.isoformat() if decision.notified_on else None,
        decision.appeal_deadline.isoformat() if decision.appeal_deadline else None,
    ]
    decision.notified_on, decision.notified_by_post = day, by_post
    decision.appeal_deadline = dated.date if dated else None
    decision.deadline_steps = dated.steps.as_list() if dated else []
    decision.save(
        update_fields=["notified_on", "notified_by_post", "appeal_deadline", "deadline_steps"]
    )
    claim = decision.claim
    # An appeal already filed is re-examined against the deadline now known.
    if (
        claim.state == ClaimState.APPEALED
        and claim.appealed_on
        and decision == claim.current_decision()
    ):
        late = procedure.appeal_is_late(decision.appeal_deadline, claim.appealed_on)
        Claim.objects.filter(pk=claim.pk).update(appeal_late=late)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=decision,
        person_id=claim.person_id,
        summary=f"{claim.reference} notified",
        changes={
            "notified_on": [before[0], day.isoformat()],
            "appeal_deadline": [
                before[1],
                decision.appeal_deadline.isoformat() if decision.appeal_deadline else None,
            ],
        },
    )
    return decision


@transaction.atomic
def appeal_admissibility(
    *, actor: User, claim_id: int, expected_version: int, admissible: bool, note: str
) -> Claim:
    """The officer's decision on a late appeal (or one whose timeliness is unknown)."""
    claim = _claim(actor, claim_id, Capability.CLAIMS_DECIDE, lock=True)
    _check_version(claim, expected_version)
    if claim.state != ClaimState.APPEALED:
        raise ApplicationError(
            _("This step is not possible now: the claim is “%(state)s”.")
            % {"state": claim.get_state_display()}
        )
    if claim.appeal_late is False:
        raise ApplicationError(_("The appeal was filed in time: it is admissible."))
    note = " ".join(str(note or "").split())[:500]
    if not note:
        raise field_error("note", _("Give the reasons (e.g. the claimant's reason for the delay)."))
    admissible = _bool(admissible, "admissible")
    updated = Claim.objects.filter(pk=claim.pk, version=expected_version).update(
        appeal_admissible=admissible, appeal_admissibility_note=note, version=F("version") + 1
    )
    if updated != 1:
        raise ConflictError(
            _(
                "This claim was changed by someone else since you opened it. "
                "Reload it and try again."
            )
        )
    claim.appeal_admissible, claim.appeal_admissibility_note = admissible, note
    claim.version += 1
    label = _("Late appeal found admissible") if admissible else _("Late appeal found inadmissible")
    _event(claim, actor, claim.state, f"{label}: {note}"[:500], problem=not admissible)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=claim,
        person_id=claim.person_id,
        summary=f"{claim.reference} admissibility",
        changes={"appeal_admissible": [None, admissible]},
    )
    return claim


@transaction.atomic
def appeal_expertise(
    *,
    actor: User,
    claim_id: int,
    expected_version: int,
    started_on: dt.date,
    ended_on: dt.date | None = None,
) -> Claim:
    """The CRI's medical expertise: its notice and its conclusions suspend the 4-month
    silence clock (R711-15, at most 4 months)."""
    claim = _claim(actor, claim_id, Capability.CLAIMS_DECIDE, lock=True)
    _check_version(claim, expected_version)
    if claim.state != ClaimState.APPEALED or not claim.spec.procedure.appeal_expertise:
        raise ApplicationError(_("A medical expertise is recorded on a French claim under appeal."))
    start = _date(started_on, "started_on")
    end = _date(ended_on, "ended_on") if ended_on not in (None, "") else None
    today = timezone.localdate()
    if start > today or (end and end > today):
        raise field_error(
            "ended_on" if end and end > today else "started_on",
            _("The date cannot be in the future."),
        )
    try:
        procedure.appeal_silence_date(
            claim.appealed_on or today,
            params=default_set(claim.spec.procedure.variant),
            expertise_start=start,
            expertise_end=end,
        )
    except InputError as exc:
        name = {"expertise_start": "started_on", "expertise_end": "ended_on"}.get(
            exc.field, exc.field
        )
        message = {
            "expertise_start": _(
                "The expertise must start between the appeal and the day "
                "the silence becomes a rejection."
            ),
            "expertise_end": _("The conclusions cannot precede the expertise."),
        }.get(exc.field, exc.message)
        raise field_error(name, str(message)) from exc
    before = [claim.expertise_started_on, claim.expertise_ended_on]
    updated = Claim.objects.filter(pk=claim.pk, version=expected_version).update(
        expertise_started_on=start, expertise_ended_on=end, version=F("version") + 1
    )
    if updated != 1:
        raise ConflictError(
            _(
                "This claim was changed by someone else since you opened it. "
                "Reload it and try again."
            )
        )
    claim.expertise_started_on, claim.expertise_ended_on = start, end
    claim.version += 1
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=claim,
        person_id=claim.person_id,
        summary=f"{claim.reference} expertise",
        changes={
            "expertise": [
                [d.isoformat() if d else None for d in before],
                [start.isoformat(), end.isoformat() if end else None],
            ]
        },
    )
    return claim


# ---------------------------------------------------------------- replay


def replay(decision: Decision) -> tuple[bool, dict[str, Any]]:
    """Recompute a decision from its frozen inputs and parameter snapshot."""
    params = Parameters.from_files(decision.snapshot.country, decision.snapshot.files)
    result = compute(decision.claim.kind, decision.inputs, params)
    return result == decision.result, result


def replay_all() -> list[dict[str, Any]]:
    """Every stored decision replayed; the list of those that differ (empty is good)."""
    out = []
    for decision in Decision.objects.select_related("claim", "snapshot").iterator():
        same, result = replay(decision)
        if not same:
            out.append(
                {
                    "decision": decision.pk,
                    "claim": decision.claim.reference,
                    "stored": decision.result,
                    "replayed": result,
                }
            )
    return out


# ---------------------------------------------------------------- notifications


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("event", "claim")


def notifications_mark_read(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


UNREAD_CAP = 100


def unread_count(user: User) -> int:
    """Unread notifications, counted up to UNREAD_CAP (the badge then reads "100+"): a
    revaluation gives a case worker one per claim they filed, and every page shows the
    badge, so the count stops early instead of reading all of them."""
    return Notification.objects.filter(user=user, read_at__isnull=True)[:UNREAD_CAP].count()


# ---------------------------------------------------------------- the queue: who handles it


def may_act_on(user: User, claim: Claim) -> bool:
    """Whether this staff member acts on the claim in its current state (may take it)."""
    return user.is_active and user.role in acting_roles(claim.state, claim.kind)


def assignable_staff(claim: Claim) -> QuerySet[User]:
    """Colleagues who may handle the claim in its state and reach it (their scope)."""
    roles = acting_roles(claim.state, claim.kind) - {Role.ADMIN}
    staff = User.objects.filter(is_active=True, role__in=roles).select_related("region")
    if Role.CASE_WORKER in roles:  # case workers reach their region and their caseload
        reach = ~Q(role=Role.CASE_WORKER) | Q(pk=claim.person.contact_person_id or 0)
        if claim.person.region_id:
            reach |= Q(region_id=claim.person.region_id)
        staff = staff.filter(reach)
    return staff.order_by("last_name", "first_name", "username")


@transaction.atomic
def claim_assign(
    *, actor: User, claim_id: int, assignee_id: int | None, expected_version: int
) -> Claim:
    """Give the claim to a staff member (oneself or a colleague) or release it; audited.

    Only staff who act on the claim in its state may assign it, and only to such staff
    who can reach the claim; a stale version is a conflict (409)."""
    require(actor, Capability.CLAIMS_VIEW)
    claim = _claim(actor, claim_id, lock=True)
    if not may_act_on(actor, claim):
        raise PermissionDeniedError(_("Your role does not act on a claim in this state."))
    _check_version(claim, expected_version)
    assignee: User | None = None
    if assignee_id is not None:
        assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
        if (
            assignee is None
            or not may_act_on(assignee, claim)
            or not claims_for(assignee).filter(pk=claim.pk).exists()
        ):
            raise field_error(
                "assigned_to",
                _("This person does not handle claims in this state, or cannot reach this claim."),
            )
    before = claim.assigned_to_id
    updated = Claim.objects.filter(pk=claim.pk, version=expected_version).update(
        assigned_to=assignee, version=F("version") + 1
    )
    if updated != 1:
        raise ConflictError(
            _(
                "This claim was changed by someone else since you opened it. "
                "Reload it and try again."
            )
        )
    claim.assigned_to, claim.version = assignee, expected_version + 1
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=claim,
        person_id=claim.person_id,
        summary=f"{claim.reference} assigned_to",
        changes={"assigned_to": [before, assignee.pk if assignee else None]},
    )
    return claim
