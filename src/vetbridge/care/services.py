"""Care pathway: audited reads of the care file, every write with its audit row, the
timeline joining care and paperwork, and the contact person's caseload.

Writes take typed inputs (`InjuryInput`, `AppointmentInput`, …) built by the forms with
`core.services.input_from`; status changes go through `core.services.model_update`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.models import AuditAction, User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import access_person_by_id, people_for, require
from vetbridge.core.exceptions import NotFoundError, field_error
from vetbridge.core.inputs import check_date
from vetbridge.core.services import model_update
from vetbridge.core.written import languages_for
from vetbridge.people.models import Person

from . import whodas
from .models import (
    Appointment,
    AppointmentStatus,
    AssessmentKind,
    CareEpisode,
    EpisodeKind,
    FollowUp,
    FunctionalAssessment,
    Goal,
    GoalDomain,
    GoalStatus,
    Injury,
    Note,
)


@dataclass(frozen=True)
class InjuryInput:
    icd10: str = ""
    label: str = ""
    occurred_on: dt.date | None = None
    context: str = ""


@dataclass(frozen=True)
class EpisodeInput:
    kind: str = ""
    provider: str = ""
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    summary: str = ""


@dataclass(frozen=True)
class GoalInput:
    domain: str = ""
    description: str = ""
    target_date: dt.date | None = None


@dataclass(frozen=True)
class UaFunctioningInput:
    assessed_on: dt.date | None = None
    group: int | None = None
    valid_until: dt.date | None = None
    decision_ref: str = ""


@dataclass(frozen=True)
class AppointmentInput:
    at: dt.datetime | None = None
    with_whom: str = ""
    place: str = ""
    purpose: str = ""


@dataclass(frozen=True)
class FollowUpInput:
    due_on: dt.date | None = None
    what: str = ""


@dataclass(frozen=True)
class NoteInput:
    text: str = ""


def _text(value: str, field: str, limit: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split())[:limit]
    if required and not text:
        raise field_error(field, _("This field is required."))
    return text


def _day(
    value: dt.date | None, field: str, past: bool = False, born: dt.date | None = None
) -> dt.date:
    """A required date."""
    day = _date(value, field, True, past, born=born)
    assert day is not None
    return day


def _date(
    value: dt.date | None,
    field: str,
    required: bool = True,
    past: bool = False,
    born: dt.date | None = None,
) -> dt.date | None:
    """`value` in the shared plausible range (`core.inputs`): up to today when `past`, else
    up to the future horizon; never before the person's birth (`born`)."""
    if value is None:
        if required:
            raise field_error(field, _("This field is required."))
        return None
    return check_date(field, value, future=not past, not_before=born)


@transaction.atomic
def care_open(*, actor: User, person_id: int) -> Person:
    """The person, for reading their care file: scoped, and the read is audited."""
    person = access_person_by_id(actor, person_id, Capability.CARE_VIEW)
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="care.file",
        object_id=person.pk,
        person_id=person.pk,
    )
    return person


def _editable(actor: User, person_id: int) -> Person:
    return access_person_by_id(actor, person_id, Capability.CARE_EDIT)


def _audit(actor: User, obj: Any, person: Person, summary: str) -> None:
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=obj, person_id=person.pk, summary=summary[:120]
    )


@transaction.atomic
def injury_add(*, actor: User, person_id: int, data: InjuryInput) -> Injury:
    person = _editable(actor, person_id)
    code = _text(data.icd10, "icd10", 8).upper().replace(" ", "")
    if not re.fullmatch(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?", code):
        raise field_error("icd10", _("An ICD-10 code looks like S58.1 or F43.1."))
    injury = Injury.objects.create(
        person=person,
        icd10=code,
        label=_text(data.label, "label", 200),
        occurred_on=_date(
            data.occurred_on, "occurred_on", False, past=True, born=person.birth_date
        ),
        context=_text(data.context, "context", 200, False),
        created_by=actor,
    )
    _audit(actor, injury, person, code)
    return injury


@transaction.atomic
def episode_add(*, actor: User, person_id: int, data: EpisodeInput) -> CareEpisode:
    person = _editable(actor, person_id)
    if data.kind not in EpisodeKind.values:
        raise field_error("kind", _("Choose the kind of care."))
    started = _day(data.started_on, "started_on", past=True, born=person.birth_date)
    ended = _date(data.ended_on, "ended_on", False, born=person.birth_date)
    if ended and started and ended < started:
        raise field_error("ended_on", _("The end date is before the start date."))
    summary = _text(data.summary, "summary", 2000, False)
    episode = CareEpisode.objects.create(
        person=person,
        kind=data.kind,
        provider=_text(data.provider, "provider", 200),
        started_on=started,
        ended_on=ended,
        summary=summary,
        **languages_for(CareEpisode, actor, summary=summary),
    )
    _audit(actor, episode, person, episode.kind)
    return episode


@transaction.atomic
def goal_add(*, actor: User, person_id: int, data: GoalInput) -> Goal:
    person = _editable(actor, person_id)
    if data.domain not in GoalDomain.values:
        raise field_error("domain", _("Choose the domain."))
    goal = Goal.objects.create(
        person=person,
        domain=data.domain,
        description=_text(data.description, "description", 300),
        target_date=_date(data.target_date, "target_date", False, born=person.birth_date),
    )
    _audit(actor, goal, person, goal.domain)
    return goal


@transaction.atomic
def goal_set_status(*, actor: User, goal_id: int, status: str) -> Goal:
    goal = Goal.objects.filter(
        pk=goal_id, person__in=people_for(actor, Capability.CARE_EDIT)
    ).first()
    if goal is None:
        raise NotFoundError(_("No such goal, or not within your access."))
    if status not in GoalStatus.values:
        raise field_error("status", _("Choose a status."))
    model_update(instance=goal, fields={"status": status}, actor=actor, summary=status)
    return goal


def _parsed_day(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise field_error("assessed_on", _("Enter a valid date.")) from None


@transaction.atomic
def whodas_add(
    *, actor: User, person_id: int, assessed_on: dt.date | str, answers: dict[str, Any]
) -> FunctionalAssessment:
    person = _editable(actor, person_id)
    day = _day(_parsed_day(assessed_on), "assessed_on", past=True, born=person.birth_date)
    unknown = sorted(set(answers) - {code for code, _label in whodas.ITEMS})
    if unknown:
        raise field_error(unknown[0], _("Unknown question."))
    clean: dict[str, int] = {}
    for code, _label in whodas.ITEMS:
        raw = answers.get(code)
        try:
            clean[code] = int(str(raw))
        except (TypeError, ValueError):
            raise field_error(code, _("Answer every question (0 to 4).")) from None
    try:
        result = whodas.score(clean)
    except ValueError as exc:
        raise field_error(str(exc), _("Answer every question (0 to 4).")) from None
    assessment = FunctionalAssessment.objects.create(
        person=person,
        kind=AssessmentKind.WHODAS12,
        assessed_on=day,
        answers=clean,
        score=result.total,
        percent=result.percent,
        assessor=actor,
    )
    _audit(actor, assessment, person, f"whodas12 {result.total}")
    return assessment


@transaction.atomic
def ua_functioning_add(
    *, actor: User, person_id: int, data: UaFunctioningInput
) -> FunctionalAssessment:
    person = _editable(actor, person_id)
    day = _day(data.assessed_on, "assessed_on", past=True, born=person.birth_date)
    if data.group not in (None, 1, 2, 3):
        raise field_error("group", _("Choose the group, or none."))
    until = _date(data.valid_until, "valid_until", False, born=person.birth_date)
    if until and day and until < day:
        raise field_error("valid_until", _("The end date is before the start date."))
    assessment = FunctionalAssessment.objects.create(
        person=person,
        kind=AssessmentKind.UA_FUNCTIONING,
        assessed_on=day,
        group=data.group,
        valid_until=until,
        decision_ref=_text(data.decision_ref, "decision_ref", 100, False),
        assessor=actor,
    )
    _audit(actor, assessment, person, "ua_functioning")
    return assessment


@transaction.atomic
def appointment_add(*, actor: User, person_id: int, data: AppointmentInput) -> Appointment:
    person = _editable(actor, person_id)
    at = data.at
    if not isinstance(at, dt.datetime):
        raise field_error("at", _("Enter a date and time."))
    check_date("at", at.date(), future=True, not_before=person.birth_date)
    appointment = Appointment.objects.create(
        person=person,
        at=at,
        with_whom=_text(data.with_whom, "with_whom", 200),
        place=_text(data.place, "place", 200, False),
        purpose=_text(data.purpose, "purpose", 300, False),
    )
    _audit(actor, appointment, person, appointment.with_whom)
    return appointment


@transaction.atomic
def appointment_set_status(*, actor: User, appointment_id: int, status: str) -> Appointment:
    """Record whether a planned appointment took place (done) or not (missed)."""
    item = Appointment.objects.filter(
        pk=appointment_id, person__in=people_for(actor, Capability.CARE_EDIT)
    ).first()
    if item is None:
        raise NotFoundError(_("No such appointment, or not within your access."))
    if status not in (AppointmentStatus.DONE, AppointmentStatus.MISSED):
        raise field_error("status", _("Choose a status."))
    if item.at > timezone.now():
        raise field_error("status", _("An appointment still to come has no outcome yet."))
    model_update(instance=item, fields={"status": status}, actor=actor, summary=status)
    return item


def appointments_open(person: Person) -> QuerySet[Appointment]:
    """Planned appointments: those to come, and past ones whose outcome is not recorded."""
    return person.appointments.filter(status=AppointmentStatus.PLANNED)


@transaction.atomic
def followup_add(*, actor: User, person_id: int, data: FollowUpInput) -> FollowUp:
    person = _editable(actor, person_id)
    item = FollowUp.objects.create(
        person=person,
        due_on=_day(data.due_on, "due_on", born=person.birth_date),
        what=_text(data.what, "what", 300),
        owner=person.contact_person or actor,
    )
    _audit(actor, item, person, item.what)
    return item


@transaction.atomic
def followup_done(*, actor: User, followup_id: int) -> FollowUp:
    item = FollowUp.objects.filter(
        pk=followup_id, done_at__isnull=True, person__in=people_for(actor, Capability.CARE_EDIT)
    ).first()
    if item is None:
        raise NotFoundError(_("No such follow-up, or already done."))
    model_update(instance=item, fields={"done_at": timezone.now()}, actor=actor, summary="done")
    return item


@transaction.atomic
def note_add(*, actor: User, person_id: int, data: NoteInput) -> Note:
    person = _editable(actor, person_id)
    text = str(data.text or "").strip()[:4000]
    if not text:
        raise field_error("text", _("This field is required."))
    note = Note.objects.create(
        person=person, author=actor, text=text, **languages_for(Note, actor, text=text)
    )
    _audit(actor, note, person, "note")
    return note


@transaction.atomic
def contact_set(*, actor: User, person_id: int) -> Person:
    """The acting case worker becomes the person's one contact person."""
    require(actor, Capability.REFERRALS_MANAGE)
    person = access_person_by_id(actor, person_id, Capability.CARE_EDIT)
    model_update(
        instance=person, fields={"contact_person": actor}, actor=actor, summary="contact person"
    )
    return person


# ---------------------------------------------------------------- timeline and caseload


@dataclass
class Entry:
    day: dt.date
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    language: str = ""  # of the written text (a note's title, a care episode's detail)


def timeline(*, user: User, person: Person) -> list[Entry]:
    """Care and paperwork on one line, newest first. Claims only for roles that see them,
    within their scope."""
    from django.urls import reverse

    from vetbridge.reintegration.selectors import referrals_of_person
    from vetbridge.reparation.services import claims_for

    out: list[Entry] = []
    for i in person.injuries.all():
        out.append(
            Entry(
                i.occurred_on or timezone.localdate(i.created_at),
                "injury",
                f"{i.icd10} {i.label}",
                i.context,
            )
        )
    for e in person.care_episodes.all():
        out.append(
            Entry(
                e.started_on,
                "care",
                f"{e.get_kind_display()} — {e.provider}",
                e.summary,
                language=e.summary_language,
            )
        )
    for g in person.goals.all():
        out.append(
            Entry(
                timezone.localdate(g.created_at),
                "goal",
                g.description,
                f"{g.get_domain_display()} · {g.get_status_display()}",
            )
        )
    for a in person.assessments.all():
        detail = (
            whodas.describe(a.score or 0)
            if a.kind == AssessmentKind.WHODAS12
            else f"{_('group')} {a.get_group_display() or '—'}"
            + (f", {_('until')} {a.valid_until}" if a.valid_until else "")
        )
        out.append(Entry(a.assessed_on, "assessment", a.get_kind_display(), detail))
    for ap in person.appointments.all():
        out.append(
            Entry(
                timezone.localdate(ap.at),
                "appointment",
                ap.with_whom,
                f"{ap.purpose} · {ap.get_status_display()}",
            )
        )
    for n in person.care_notes.all():
        out.append(
            Entry(
                timezone.localdate(n.at),
                "note",
                n.text[:200],
                str(n.author or ""),
                language=n.text_language,
            )
        )
    for r in referrals_of_person(person.pk):
        out.append(
            Entry(
                timezone.localdate(r.sent_at),
                "referral",
                f"{r.get_service_display()} — {r.partner.name}",
                r.get_status_display() + (f" · {r.get_outcome_display()}" if r.outcome else ""),
                reverse("reintegration:detail", args=[r.pk]),
            )
        )
    if user.can(Capability.CLAIMS_VIEW):
        for c in claims_for(user).filter(person=person):
            out.append(
                Entry(
                    c.filed_at,
                    "claim",
                    f"{c.reference} {c.get_kind_display()}",
                    c.get_state_display(),
                    reverse("reparation:detail", args=[c.pk]),
                )
            )
    out.sort(key=lambda x: x.day, reverse=True)
    return out


def whodas_series(person: Person) -> list[FunctionalAssessment]:
    return list(
        person.assessments.filter(kind=AssessmentKind.WHODAS12).order_by("assessed_on", "id")
    )


@dataclass
class CaseloadRow:
    person: Person
    overdue: list[FollowUp]
    due_soon: list[FollowUp]
    unanswered: int
    needs_information: int
    new: bool
    appointments_soon: list[Appointment]
    appointments_unrecorded: list[Appointment]


def caseload(*, user: User) -> list[CaseloadRow]:
    """The contact person's people: what is overdue, due within a week, and new."""
    require(user, Capability.REFERRALS_MANAGE)
    from vetbridge.reintegration.selectors import late_counts
    from vetbridge.reparation.selectors import needs_information_counts

    today = timezone.localdate()
    week_ago = timezone.now() - dt.timedelta(days=7)
    people = list(
        Person.objects.filter(contact_person=user, merged_into__isnull=True).prefetch_related(
            "names"
        )
    )
    ids = [p.pk for p in people]
    open_items: dict[int, list[FollowUp]] = {}
    for f in FollowUp.objects.filter(
        person_id__in=ids, done_at__isnull=True, due_on__lte=today + dt.timedelta(days=7)
    ):
        open_items.setdefault(f.person_id, []).append(f)
    late = late_counts(ids)
    now = timezone.now()
    soon: dict[int, list[Appointment]] = {}
    unrecorded: dict[int, list[Appointment]] = {}
    for ap in Appointment.objects.filter(
        person_id__in=ids, status=AppointmentStatus.PLANNED, at__lte=now + dt.timedelta(days=7)
    ):
        (soon if ap.at >= now else unrecorded).setdefault(ap.person_id, []).append(ap)
    needs = needs_information_counts(ids)
    rows = []
    for p in people:
        items = open_items.get(p.pk, [])
        rows.append(
            CaseloadRow(
                p,
                [f for f in items if f.due_on < today],
                [f for f in items if f.due_on >= today],
                late.get(p.pk, 0),
                needs.get(p.pk, 0),
                p.created_at >= week_ago,
                soon.get(p.pk, []),
                unrecorded.get(p.pk, []),
            )
        )
    rows.sort(
        key=lambda r: (
            -len(r.overdue) - len(r.appointments_unrecorded),
            -r.unanswered,
            -r.needs_information,
            -len(r.due_soon) - len(r.appointments_soon),
            r.person.pk,
        )
    )
    return rows


def followups_of(person: Person) -> QuerySet[FollowUp]:
    return person.follow_ups.filter(done_at__isnull=True)
