"""Writes of the cooperation roadmap: each in one transaction with its audit row.

Services take typed inputs (small dataclasses), check the role, validate, lock what they
change, refuse a stale `expected_version` (optimistic locking) and write the audit row;
updates go through `core.services.model_update`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.accounts.audit import audit_record, diff_fields
from vetbridge.accounts.models import AuditAction, User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import require
from vetbridge.core.exceptions import ApplicationError, ConflictError, NotFoundError, field_error
from vetbridge.core.indicators import Period
from vetbridge.core.services import model_update
from vetbridge.core.written import stamp_languages

from .models import (
    Action,
    ActionStatus,
    Axis,
    Contact,
    DecisionEffect,
    Evidence,
    Indicator,
    IndicatorTarget,
    IndicatorUnit,
    IndicatorValue,
    Meeting,
    MeetingDecision,
    MeetingKind,
    Milestone,
    Objective,
    Organisation,
    OrganisationKind,
    Risk,
    Side,
    StatusChange,
)
from .texts import clean_texts, printable

EDIT = Capability.COOPERATION_EDIT
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
EXTENSIONS = {"application/pdf": (".pdf",), "image/png": (".png",), "image/jpeg": (".jpg", ".jpeg")}


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ApplicationError(
            _("Some fields are not valid."),
            fields={k: [str(m) for m in v] for k, v in exc.message_dict.items()},
        ) from None


def _get(model: Any, pk: int | None, field_name: str, message: str) -> Any:
    obj = model.objects.filter(pk=pk).first() if pk else None
    if obj is None:
        raise field_error(field_name, message)
    return obj


def _conflict() -> str:
    return _(
        "Someone else changed this record since you opened it. Reload the page to see "
        "their change, then apply yours again."
    )


def _check_version(obj: Any, expected_version: int) -> None:
    if obj.version != expected_version:
        raise ConflictError(_conflict())


# ---------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class ActionInput:
    axis_id: int
    title: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    objective_id: int | None = None
    lead_fr_id: int | None = None
    lead_ua_id: int | None = None
    partner_ids: tuple[int, ...] = ()
    start_on: dt.date | None = None
    due_on: dt.date | None = None
    progress: int = 0
    is_public: bool = False
    internal_note: str = ""


def _action_fields(data: ActionInput) -> tuple[dict[str, Any], list[Organisation]]:
    """The action's field values and its partners from `data`, checked (not yet the
    model's own validation, which `full_clean` runs at creation or in `model_update`)."""
    axis = _get(Axis, data.axis_id, "axis", _("Choose an axis of the roadmap."))
    objective = None
    if data.objective_id:
        objective = _get(Objective, data.objective_id, "objective", _("No such objective."))
        if objective.axis_id != axis.pk:
            raise field_error("objective", _("This objective belongs to another axis."))
    fields: dict[str, Any] = {
        "axis": axis,
        "objective": objective,
        "title": clean_texts("title", data.title),
        "description": clean_texts(
            "description", data.description, required=False, max_length=4000
        ),
    }
    for side, attr in ((Side.FR, "lead_fr"), (Side.UA, "lead_ua")):
        pk = getattr(data, f"{attr}_id")
        org = _get(Organisation, pk, attr, _("No such organisation.")) if pk else None
        if org is not None and org.country != side:
            raise field_error(
                attr,
                _("The lead institution on this side must be from %(country)s.")
                % {"country": Side(side).label},
            )
        fields[attr] = org
    if data.start_on and data.due_on and data.due_on < data.start_on:
        raise field_error("due_on", _("The due date is before the start."))
    if not 0 <= data.progress <= 100:
        raise field_error("progress", _("Progress is a percentage from 0 to 100."))
    fields.update(
        start_on=data.start_on,
        due_on=data.due_on,
        progress=data.progress,
        is_public=data.is_public,
        internal_note=data.internal_note,
    )
    partners = list(Organisation.objects.filter(pk__in=data.partner_ids))
    if len(partners) != len(set(data.partner_ids)):
        raise field_error("partners", _("No such organisation."))
    return fields, partners


def _action_state(action: Action) -> dict[str, Any]:
    return {
        "axis": action.axis_id,
        "objective": action.objective_id,
        "title": action.title,
        "description": action.description,
        "lead_fr": action.lead_fr_id,
        "lead_ua": action.lead_ua_id,
        "start_on": action.start_on,
        "due_on": action.due_on,
        "progress": action.progress,
        "is_public": action.is_public,
        "status": action.status,
    }


@transaction.atomic
def action_create(
    *,
    actor: User,
    data: ActionInput,
    decision: MeetingDecision | None = None,
) -> Action:
    require(actor, EDIT)
    fields, partners = _action_fields(data)
    action = Action(created_by=actor, **fields)
    stamp_languages(action, actor, ["internal_note"])
    _full_clean(action, exclude=["created_by"])
    action.save()
    action.partners.set(partners)
    StatusChange.objects.create(
        action=action, by=actor, from_status="", to_status=action.status, decision=decision
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=action,
        summary=action.reference,
        changes=diff_fields({}, _action_state(action)),
    )
    return action


def _locked_action(action_id: int) -> Action:
    action = Action.objects.select_for_update().filter(pk=action_id).first()
    if action is None:
        raise NotFoundError(_("No such action."))
    return action


@transaction.atomic
def action_update(
    *, actor: User, action_id: int, expected_version: int, data: ActionInput
) -> Action:
    require(actor, EDIT)
    action = _locked_action(action_id)
    _check_version(action, expected_version)
    fields, partners = _action_fields(data)
    old_partners = sorted(action.partners.values_list("pk", flat=True))
    new_partners = sorted(p.pk for p in partners)
    moved = {"partners": [old_partners, new_partners]} if old_partners != new_partners else {}
    _action, changed = model_update(
        instance=action,
        fields=fields,
        actor=actor,
        expected_version=expected_version,
        conflict_message=_conflict(),
        summary=action.reference,
        audit_extra=moved,
        clean_exclude=["created_by"],
        redact=["internal_note"],
    )
    if moved:
        action.partners.set(partners)
        if not changed:  # only the partners changed: still a new version, audited
            action.version = expected_version + 1
            action.updated_at = timezone.now()
            action.save(update_fields=["version", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=action,
                summary=action.reference,
                changes={"fields": {}, **moved},
            )
    return action


@transaction.atomic
def action_set_status(
    *,
    actor: User,
    action_id: int,
    expected_version: int,
    status: str,
    note: str = "",
    progress: int | None = None,
    decision: MeetingDecision | None = None,
) -> Action:
    """Change the status (kept in the history: who, when, from, to, note)."""
    require(actor, EDIT)
    if status not in ActionStatus.values:
        raise field_error("status", _("Choose a status from the list."))
    action = _locked_action(action_id)
    _check_version(action, expected_version)
    if status == action.status and progress is None:
        raise field_error("status", _("The action already has this status."))
    if progress is not None and not 0 <= progress <= 100:
        raise field_error("progress", _("Progress is a percentage from 0 to 100."))
    if not printable(note):
        raise field_error("note", _("Remove the control characters."))
    if status == ActionStatus.DONE:
        progress = 100
    if status != action.status:
        StatusChange.objects.create(
            action=action,
            by=actor,
            from_status=action.status,
            to_status=status,
            note=note[:500],
            decision=decision,
        )
    model_update(
        instance=action,
        actor=actor,
        expected_version=expected_version,
        conflict_message=_conflict(),
        summary=action.reference,
        clean_exclude=["created_by"],
        fields={"status": status, **({} if progress is None else {"progress": progress})},
    )
    return action


def _reaches(start: int, goal: int) -> bool:
    """True when `goal` is among the actions `start` depends on, directly or not."""
    edges: dict[int, list[int]] = {}
    for src, dst in Action.depends_on.through.objects.values_list("from_action_id", "to_action_id"):
        edges.setdefault(src, []).append(dst)
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, []))
    return False


@transaction.atomic
def dependency_add(*, actor: User, action_id: int, depends_on_id: int) -> Action:
    """`action` can only start or finish after `depends_on`. Cycles are refused."""
    require(actor, EDIT)
    action = _locked_action(action_id)
    other = _get(Action, depends_on_id, "depends_on", _("No such action."))
    if other.pk == action.pk:
        raise field_error("depends_on", _("An action cannot depend on itself."))
    if _reaches(other.pk, action.pk):
        raise field_error(
            "depends_on",
            _(
                "%(other)s already depends on %(this)s, directly or through other actions: this "
                "dependency would make a cycle."
            )
            % {"other": other.reference, "this": action.reference},
        )
    action.depends_on.add(other)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=action,
        summary=action.reference,
        changes={"depends_on": [None, other.reference]},
    )
    return action


# ----------------------------------------------------------------- milestones, risks


@transaction.atomic
def milestone_add(
    *, actor: User, action_id: int, title: dict[str, str], due_on: dt.date
) -> Milestone:
    require(actor, EDIT)
    action = _locked_action(action_id)
    milestone = Milestone(action=action, title=clean_texts("title", title), due_on=due_on)
    _full_clean(milestone)
    milestone.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=milestone,
        summary=action.reference,
        changes={"due_on": [None, str(due_on)]},
    )
    return milestone


@transaction.atomic
def milestone_reach(*, actor: User, milestone_id: int, done_on: dt.date) -> Milestone:
    require(actor, EDIT)
    milestone = Milestone.objects.select_for_update().filter(pk=milestone_id).first()
    if milestone is None:
        raise NotFoundError(_("No such milestone."))
    if done_on > timezone.localdate():
        raise field_error("done_on", _("This date is in the future."))
    model_update(instance=milestone, fields={"done_on": done_on}, actor=actor, summary="")
    return milestone


@transaction.atomic
def evidence_add(*, actor: User, milestone_id: int, name: str, content: bytes) -> Evidence:
    """A PDF, PNG or JPEG (checked by content) proving a milestone, stored privately."""
    require(actor, EDIT)
    milestone = Milestone.objects.filter(pk=milestone_id).first()
    if milestone is None:
        raise NotFoundError(_("No such milestone."))
    limit = settings.VETBRIDGE_DOCUMENT_MAX_BYTES
    if not content:
        raise field_error("file", _("The file is empty."))
    if len(content) > limit:
        raise field_error("file", _("The file is larger than %(mb)s MB.") % {"mb": limit // 2**20})
    content_type = next((t for magic, t in SIGNATURES.items() if content.startswith(magic)), None)
    clean_name = "".join(c for c in name if c.isprintable() and c not in "/\\")[-200:] or "document"
    if content_type is None or not clean_name.lower().endswith(EXTENSIONS[content_type]):
        raise field_error(
            "file", _("Only PDF, PNG and JPEG files are accepted, with their usual extension.")
        )
    digest = hashlib.sha256(content).hexdigest()
    evidence = Evidence(
        milestone=milestone,
        original_name=clean_name,
        size=len(content),
        content_type=content_type,
        sha256=digest,
        uploaded_by=actor,
    )
    evidence.file.save(digest[:32], ContentFile(content), save=False)
    evidence.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=evidence,
        summary=clean_name,
        changes={"size": len(content), "sha256": digest},
    )
    return evidence


@transaction.atomic
def evidence_open(*, actor: User, evidence_id: int) -> Evidence:
    """An evidence document for download: staff of the cooperation only, audited."""
    require(actor, Capability.COOPERATION_VIEW)
    evidence = Evidence.objects.select_related("milestone").filter(pk=evidence_id).first()
    if evidence is None:
        raise NotFoundError(_("No such document."))
    audit_record(actor=actor, action=AuditAction.READ, obj=evidence, summary=evidence.original_name)
    return evidence


@dataclass(frozen=True)
class RiskInput:
    description: dict[str, str]
    likelihood: int
    impact: int
    mitigation: str = ""
    owner_id: int | None = None


@transaction.atomic
def risk_add(*, actor: User, action_id: int, data: RiskInput) -> Risk:
    require(actor, EDIT)
    action = _locked_action(action_id)
    risk = Risk(
        action=action,
        description=clean_texts("description", data.description),
        likelihood=data.likelihood,
        impact=data.impact,
        mitigation=data.mitigation,
        owner=_get(Organisation, data.owner_id, "owner", _("No such organisation."))
        if data.owner_id
        else None,
    )
    stamp_languages(risk, actor, ["mitigation"])
    _full_clean(risk)
    risk.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=risk,
        summary=action.reference,
        changes={"likelihood": [None, risk.likelihood], "impact": [None, risk.impact]},
    )
    return risk


# ----------------------------------------------------------------------- stakeholders


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    name: str,
    kind: str,
    country: str,
    website: str = "",
    referral_partner_id: int | None = None,
) -> Organisation:
    require(actor, EDIT)
    if kind not in OrganisationKind.values:
        raise field_error("kind", _("Choose a kind from the list."))
    org = Organisation(
        name=name.strip(),
        kind=kind,
        country=country,
        website=website,
        referral_partner_id=referral_partner_id,
    )
    _full_clean(org)
    org.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=org, summary=org.name[:300])
    return org


@dataclass(frozen=True)
class ContactInput:
    name: str
    position: str = ""
    email: str = ""
    phone: str = ""
    consent_on: dt.date | None = None
    consent_scope: str = ""


@transaction.atomic
def contact_add(*, actor: User, organisation_id: int, data: ContactInput) -> Contact:
    """A contact person; without a recorded consent (date and scope) they are never shown."""
    require(actor, EDIT)
    org = Organisation.objects.filter(pk=organisation_id).first()
    if org is None:
        raise NotFoundError(_("No such organisation."))
    if data.consent_on and not data.consent_scope.strip():
        raise field_error("consent_scope", _("Say what the person agreed to be shown."))
    if data.consent_on and data.consent_on > timezone.localdate():
        raise field_error("consent_on", _("This date is in the future."))
    contact = Contact(
        organisation=org,
        name=data.name.strip(),
        position=data.position,
        email=data.email,
        phone=data.phone,
        consent_on=data.consent_on,
        consent_scope=data.consent_scope.strip(),
    )
    _full_clean(contact)
    contact.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=contact,
        summary=org.name[:300],
        changes={"consent_on": [None, str(data.consent_on or "")]},
    )
    return contact


@transaction.atomic
def contact_withdraw_consent(*, actor: User, contact_id: int) -> Contact:
    require(actor, EDIT)
    contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
    if contact is None:
        raise NotFoundError(_("No such contact."))
    model_update(
        instance=contact,
        fields={"consent_withdrawn_on": timezone.localdate()},
        actor=actor,
        summary="",
    )
    return contact


# ---------------------------------------------------------------------------- meetings


@dataclass(frozen=True)
class MeetingInput:
    kind: str
    title: dict[str, str]
    held_on: dt.date
    place: str = ""
    agenda: str = ""
    participants: str = ""
    minutes: str = ""
    organisation_ids: tuple[int, ...] = ()


@transaction.atomic
def meeting_create(*, actor: User, data: MeetingInput) -> Meeting:
    require(actor, EDIT)
    if data.kind not in MeetingKind.values:
        raise field_error("kind", _("Choose a kind from the list."))
    meeting = Meeting(
        kind=data.kind,
        title=clean_texts("title", data.title),
        held_on=data.held_on,
        place=data.place,
        agenda=data.agenda,
        participants=data.participants,
        minutes=data.minutes,
        created_by=actor,
    )
    stamp_languages(meeting, actor, ["agenda", "minutes"])
    _full_clean(meeting, exclude=["created_by"])
    meeting.save()
    meeting.organisations.set(Organisation.objects.filter(pk__in=data.organisation_ids))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=meeting,
        summary=str(data.held_on),
        changes={"kind": [None, data.kind]},
    )
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting_id: int,
    expected_version: int,
    agenda: str,
    participants: str,
    minutes: str,
) -> Meeting:
    """The agenda, participants and minutes, written after the meeting (optimistic lock)."""
    require(actor, EDIT)
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFoundError(_("No such meeting."))
    _check_version(meeting, expected_version)
    for name, value in (("agenda", agenda), ("participants", participants), ("minutes", minutes)):
        if not printable(value):
            raise field_error(name, _("Remove the control characters."))
    model_update(
        instance=meeting,
        actor=actor,
        expected_version=expected_version,
        conflict_message=_conflict(),
        summary=str(meeting.held_on),
        clean_exclude=["created_by"],
        redact=["agenda", "participants", "minutes"],
        fields={"agenda": agenda, "participants": participants, "minutes": minutes},
    )
    return meeting


@transaction.atomic
def decision_add(
    *,
    actor: User,
    meeting_id: int,
    text: dict[str, str],
    action_id: int | None = None,
    action_version: int | None = None,
    new_status: str = "",
    new_action: ActionInput | None = None,
) -> MeetingDecision:
    """A meeting's decision. It may create an action (`new_action`) or change the status
    of one (`action_id` + `new_status`); the decision links to the action either way."""
    require(actor, EDIT)
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFoundError(_("No such meeting."))
    decision = MeetingDecision(
        meeting=meeting, text=clean_texts("text", text, max_length=2000), by=actor
    )
    decision.save()
    if new_action is not None:
        decision.action = action_create(actor=actor, data=new_action, decision=decision)
        decision.effect = DecisionEffect.CREATED
    elif action_id:
        action = _get(Action, action_id, "action", _("No such action."))
        if new_status:
            version = action.version if action_version is None else action_version
            action_set_status(
                actor=actor,
                action_id=action.pk,
                expected_version=version,
                status=new_status,
                note=_("Decision of the meeting of %(day)s") % {"day": meeting.held_on.isoformat()},
                decision=decision,
            )
            decision.effect = DecisionEffect.UPDATED
        decision.action = action
    elif new_status:
        raise field_error("action", _("Choose the action whose status the decision changes."))
    decision.save(update_fields=["action", "effect"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=decision,
        summary=f"meeting {meeting.pk}",
        changes={
            "effect": [None, decision.effect],
            "action": [None, decision.action.reference if decision.action else None],
        },
    )
    return decision


# -------------------------------------------------------------------------- indicators


@dataclass(frozen=True)
class IndicatorInput:
    code: str
    name: dict[str, str]
    axis_id: int
    definition: dict[str, str] = field(default_factory=dict)
    objective_id: int | None = None
    action_id: int | None = None
    unit: str = IndicatorUnit.COUNT
    numerator: str = ""
    denominator: str = ""
    baseline_value: Decimal | None = None
    baseline_on: dt.date | None = None
    is_public: bool = False


@transaction.atomic
def indicator_create(*, actor: User, data: IndicatorInput) -> Indicator:
    from vetbridge.core.indicators import published

    require(actor, EDIT)
    figures = published()
    for name in ("numerator", "denominator"):
        code = getattr(data, name)
        if code and code not in figures:
            raise field_error(name, _("No such figure is published by the platform."))
    if data.denominator and not data.numerator:
        raise field_error("numerator", _("A share needs a numerator."))
    if data.denominator and data.unit != IndicatorUnit.PERCENT:
        raise field_error("unit", _("A share (with a denominator) is expressed in percent."))
    if Indicator.objects.filter(code=data.code).exists():
        raise field_error("code", _("This code is already used."))
    indicator = Indicator(
        code=data.code,
        name=clean_texts("name", data.name),
        definition=clean_texts("definition", data.definition, required=False, max_length=2000),
        axis=_get(Axis, data.axis_id, "axis", _("Choose an axis of the roadmap.")),
        objective=_get(Objective, data.objective_id, "objective", _("No such objective."))
        if data.objective_id
        else None,
        action=_get(Action, data.action_id, "action", _("No such action."))
        if data.action_id
        else None,
        unit=data.unit,
        numerator=data.numerator,
        denominator=data.denominator,
        baseline_value=data.baseline_value,
        baseline_on=data.baseline_on,
        is_public=data.is_public,
    )
    _full_clean(indicator)
    indicator.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=indicator,
        summary=indicator.code,
        changes={"numerator": [None, data.numerator], "denominator": [None, data.denominator]},
    )
    return indicator


def parse_period(text: str, field_name: str = "period") -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        raise field_error(field_name, _("Write the quarter as YYYY-Qn, e.g. 2026-Q3.")) from None


def parse_decimal(value: Any, field_name: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except InvalidOperation:
        raise field_error(field_name, _("Enter a number, e.g. 12.5.")) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise field_error(field_name, _("Enter a number, e.g. 12.5."))
    return number.quantize(Decimal("0.01"))


def _indicator(indicator_id: int) -> Indicator:
    indicator = Indicator.objects.select_for_update().filter(pk=indicator_id).first()
    if indicator is None:
        raise NotFoundError(_("No such indicator."))
    return indicator


@transaction.atomic
def target_set(*, actor: User, indicator_id: int, period: str, value: Any) -> IndicatorTarget:
    require(actor, EDIT)
    indicator = _indicator(indicator_id)
    quarter = parse_period(period)
    number = parse_decimal(value, "value")
    target, _created = IndicatorTarget.objects.update_or_create(
        indicator=indicator, period=str(quarter), defaults={"value": number}
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=indicator,
        summary=indicator.code,
        changes={f"target {quarter}": [None, str(number)]},
    )
    return target


@transaction.atomic
def value_enter(
    *, actor: User, indicator_id: int, period: str, value: Any, source: str, breakdown: str = ""
) -> IndicatorValue:
    """A value entered by hand, with its source (only for indicators not computed)."""
    require(actor, EDIT)
    indicator = _indicator(indicator_id)
    if indicator.computed:
        raise field_error(
            "value",
            _(
                "This indicator is computed from the platform's data; "
                "refresh it instead of entering a value."
            ),
        )
    quarter = parse_period(period)
    number = parse_decimal(value, "value")
    if not source.strip():
        raise field_error("source", _("Name the source of this value."))
    row, _created = IndicatorValue.objects.update_or_create(
        indicator=indicator,
        period=str(quarter),
        breakdown=breakdown.strip()[:20],
        defaults={
            "value": number,
            "suppressed": False,
            "source": source.strip()[:300],
            "entered_by": actor,
            "at": timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=indicator,
        summary=indicator.code,
        changes={
            f"value {quarter} {breakdown}".strip(): [None, str(number)],
            "source": [None, row.source],
        },
    )
    return row


def compute_rows(indicator: Indicator, period: Period) -> list[dict[str, Any]]:
    """The indicator's cells for one quarter from the published figures, small cells hidden:
    [{"breakdown", "value", "suppressed"}]."""
    from vetbridge.core.indicators import TOTAL, published
    from vetbridge.core.suppression import Cell, hidden_breakdowns, is_small

    figures = published()
    numerator = {r.breakdown: r for r in figures[indicator.numerator](period)}
    denominator = (
        {r.breakdown: r for r in figures[indicator.denominator](period)}
        if indicator.denominator
        else None
    )
    keys = sorted(set(numerator) | set(denominator or {}))

    # The cells that are hidden: too few records behind the numerator or the denominator.
    def n_of(key: str) -> int:
        num = numerator[key].n if key in numerator else 0
        if denominator is None:
            return num
        den = denominator[key].n if key in denominator else 0
        return min(n for n in (num, den) if n > 0) if (num or den) else 0

    cells = [Cell(k, n_of(k)) for k in keys if k != TOTAL]

    hidden = hidden_breakdowns(
        cells, additive=denominator is None and indicator.unit == IndicatorUnit.COUNT
    )
    if is_small(n_of(TOTAL)):
        hidden.add(TOTAL)
    out = []
    for key in keys:
        if denominator is None:
            value = numerator[key].value
        else:
            den = denominator[key].value if key in denominator else Decimal(0)
            num = numerator[key].value if key in numerator else Decimal(0)
            value = (num * 100 / den) if den else Decimal(0)
        out.append(
            {
                "breakdown": key,
                "suppressed": key in hidden,
                "value": None if key in hidden else Decimal(value).quantize(Decimal("0.01")),
            }
        )
    return out


@transaction.atomic
def indicator_refresh(*, actor: User | None, indicator_id: int, periods: list[str]) -> int:
    """Recompute a computed indicator for the given quarters and store its cells (small
    cells stored hidden). `actor` None: the platform itself (a scheduled task)."""
    if actor is not None:
        require(actor, EDIT)
    indicator = _indicator(indicator_id)
    if not indicator.computed:
        raise field_error("numerator", _("This indicator is entered by hand."))
    quarters = [parse_period(p, "periods") for p in periods]
    source = indicator.numerator + (f" / {indicator.denominator}" if indicator.denominator else "")
    written = 0
    now = timezone.now()
    for quarter in quarters:
        cells = compute_rows(indicator, quarter)
        IndicatorValue.objects.filter(indicator=indicator, period=str(quarter)).exclude(
            breakdown__in=[c["breakdown"] for c in cells]
        ).delete()
        for cell in cells:
            IndicatorValue.objects.update_or_create(
                indicator=indicator,
                period=str(quarter),
                breakdown=cell["breakdown"],
                defaults={
                    "value": cell["value"],
                    "suppressed": cell["suppressed"],
                    "source": source,
                    "entered_by": None,
                    "at": now,
                },
            )
            written += 1
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=indicator,
        summary=indicator.code,
        changes={"refreshed": [None, [str(q) for q in quarters]]},
    )
    return written


def indicators_refresh_all(*, periods: list[str] | None = None) -> int:
    """Recompute every computed indicator (by default for the current and the previous
    quarter), as the platform itself: what a periodic background task calls."""
    if periods is None:
        current = Period.of(timezone.localdate())
        periods = [str(current.previous()), str(current)]
    written = 0
    for pk in Indicator.objects.exclude(numerator="").values_list("pk", flat=True):
        written += indicator_refresh(actor=None, indicator_id=pk, periods=periods)
    return written
