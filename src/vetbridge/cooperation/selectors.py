"""Reads of the cooperation roadmap, each filtered by what its reader may see."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.models import AuditAction, User
from vetbridge.accounts.roles import Capability, Role
from vetbridge.accounts.scoping import require
from vetbridge.core.exceptions import NotFoundError
from vetbridge.core.indicators import TOTAL, Period

from .models import (
    Action,
    ActionStatus,
    Axis,
    Contact,
    Indicator,
    IndicatorValue,
    Meeting,
    Organisation,
)

VIEW = Capability.COOPERATION_VIEW


def actions_for(user: User) -> QuerySet[Action]:
    require(user, VIEW)
    return Action.objects.select_related("axis", "objective", "lead_fr", "lead_ua")


def roadmap(user: User, *, axis: str = "", status: str = "") -> list[tuple[Axis, list[Action]]]:
    """The axes in order, each with its actions (filtered by axis code and status)."""
    actions = actions_for(user)
    if status:
        actions = actions.filter(status=status)
    axes = Axis.objects.all()
    if axis:
        axes = axes.filter(code=axis)
    by_axis: dict[int, list[Action]] = {}
    for action in actions.filter(axis__in=axes):
        by_axis.setdefault(action.axis_id, []).append(action)
    return [(a, by_axis.get(a.pk, [])) for a in axes]


def action_get(user: User, action_id: int) -> Action:
    action = (
        actions_for(user)
        .prefetch_related(
            "partners",
            "depends_on",
            "needed_by",
            "milestones__evidence",
            "risks__owner",
            "indicators",
            "decisions__meeting",
        )
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        raise NotFoundError(_("No such action."))
    return action


def action_history(action: Action) -> QuerySet[Any]:
    return action.history.select_related("by", "decision__meeting")


def public_actions() -> QuerySet[Action]:
    """What anyone may see: actions marked public (never risks, notes, contacts, people)."""
    return (
        Action.objects.filter(is_public=True)
        .exclude(status=ActionStatus.CANCELLED)
        .select_related("axis", "lead_fr", "lead_ua")
        .prefetch_related("milestones")
    )


def visible_contacts() -> Q:
    """Contacts whose consent is recorded (date and scope) and not withdrawn."""
    return Q(consent_on__isnull=False, consent_withdrawn_on__isnull=True) & ~Q(consent_scope="")


def stakeholders(user: User, *, country: str = "") -> list[Any]:
    """The directory, with only the contacts who consented; the read is audited (contacts
    are personal data)."""
    require(user, VIEW)
    qs = Organisation.objects.prefetch_related(
        Prefetch(
            "contacts",
            queryset=Contact.objects.filter(visible_contacts()),
            to_attr="visible_contacts",
        )
    )
    if country:
        qs = qs.filter(country=country)
    items: list[Any] = list(qs)
    audit_record(
        actor=user,
        action=AuditAction.READ,
        object_type="cooperation.contact",
        summary=f"stakeholder directory ({sum(len(o.visible_contacts) for o in items)} contacts)",
    )
    return items


def meetings_for(user: User) -> QuerySet[Meeting]:
    require(user, VIEW)
    return Meeting.objects.prefetch_related("organisations")


def meeting_get(user: User, meeting_id: int) -> Meeting:
    meeting = meetings_for(user).prefetch_related("decisions__action").filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFoundError(_("No such meeting."))
    return meeting


def indicators_for(user: User) -> QuerySet[Indicator]:
    require(user, VIEW)
    return Indicator.objects.select_related("axis", "objective", "action").prefetch_related(
        "targets"
    )


def indicator_get(user: User, indicator_id: int) -> Indicator:
    indicator = indicators_for(user).filter(pk=indicator_id).first()
    if indicator is None:
        raise NotFoundError(_("No such indicator."))
    return indicator


def values_for(user: User | None, indicator: Indicator) -> list[IndicatorValue]:
    """The stored cells a reader may see: a case worker sees the totals and their own
    region; other staff every cell; the public (None) the totals of public indicators."""
    qs = indicator.values.all()
    if user is None:
        return list(qs.filter(breakdown=TOTAL)) if indicator.is_public else []
    require(user, VIEW)
    if user.role == Role.CASE_WORKER:
        own = user.region.code if user.region_id and user.region else None
        qs = qs.filter(Q(breakdown=TOTAL) | Q(breakdown=own)) if own else qs.filter(breakdown=TOTAL)
    return list(qs)


@dataclass(frozen=True)
class SeriesRow:
    """One row of an indicator's table, and one point of its chart."""

    period: str
    breakdown: str
    value: Decimal | None
    target: Decimal | None
    suppressed: bool
    source: str


def series(user: User | None, indicator: Indicator) -> list[SeriesRow]:
    values = values_for(user, indicator)
    targets = {t.period: t.value for t in indicator.targets.all()}
    rows = [
        SeriesRow(
            v.period,
            v.breakdown,
            v.value,
            targets.get(v.period) if v.breakdown == TOTAL else None,
            v.suppressed,
            v.source,
        )
        for v in values
    ]
    seen = {r.period for r in rows if r.breakdown == TOTAL}
    rows += [SeriesRow(p, TOTAL, None, t, False, "") for p, t in targets.items() if p not in seen]
    return sorted(rows, key=lambda r: (r.period, r.breakdown))


def current_period() -> Period:
    return Period.of(timezone.localdate())
