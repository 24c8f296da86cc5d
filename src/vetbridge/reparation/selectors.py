"""Reads of the claim workflow: the queue, one claimant's claims, the indicators."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import require
from vetbridge.core.disclosure import min_cell, protect_count, protect_rows
from vetbridge.rules import procedure

from .models import Claim, ClaimEvent, ClaimState, Decision
from .services import claims_for
from .workflow import NEXT_STEP, TRANSITIONS


def claim_queue(*, user: User, filters: dict[str, Any]) -> QuerySet[Claim]:
    qs = claims_for(user).select_related("person").prefetch_related("person__names")
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("stalled_days"):
        qs = qs.filter(state_since__lt=timezone.now() - dt.timedelta(
            days=int(filters["stalled_days"])))
    return qs.order_by("state_since")


def days_in_state(claim: Claim) -> int:
    return (timezone.now() - claim.state_since).days


@dataclass
class Silence:
    """French appeal: the CRI did not answer in time; silence is a rejection."""
    appealed_on: dt.date
    deemed_rejected_on: dt.date


def appeal_silence(claim: Claim) -> Silence | None:
    if claim.state != ClaimState.APPEALED or claim.country != "fr":
        return None
    event = claim.events.filter(to_state=ClaimState.APPEALED).order_by("-at").first()
    if event is None:
        return None
    filed = timezone.localtime(event.at).date()
    deemed = procedure.appeal_silence_date(filed).date
    return Silence(filed, deemed) if timezone.localdate() >= deemed else None


def next_step(claim: Claim) -> str:
    return str(NEXT_STEP.get(ClaimState(claim.state), ""))


def available_transitions(user: User, claim: Claim) -> list[Any]:
    from .workflow import kind_refusal

    out = []
    for t in TRANSITIONS.values():
        if t.name in ("grant", "reject", "decide_appeal") or claim.state not in t.sources:
            continue
        if not user.can(t.capability) or (t.staff_only and user.role == "veteran"):
            continue
        if kind_refusal(t.name, claim.kind) is not None:
            continue
        out.append(t)
    return out


def claim_history(claim: Claim) -> QuerySet[ClaimEvent]:
    return claim.events.select_related("actor")


def claims_stats(*, user: User) -> dict[str, Any]:
    """Claims by state and kind, and the median days from filing to the first decision."""
    require(user, Capability.STATS_VIEW)
    k = min_cell()
    by_state = {row["state"]: row["n"] for row in
                Claim.objects.values("state").annotate(n=Count("id"))}
    labels = dict(ClaimState.choices)
    # Small cells hidden with their complements (core.disclosure): the total minus the
    # shown states never gives a hidden one.
    states = protect_rows([{"state": s, "label": str(labels[s]), "count": by_state.get(s, 0)}
                           for s in ClaimState.values])
    first = Decision.objects.values("claim_id", "claim__filed_at").annotate(
        first=Min("decided_at"))
    days = [(timezone.localtime(r["first"]).date() - r["claim__filed_at"]).days for r in first]
    return {
        "total": protect_count(sum(by_state.values())),
        "by_state": states,
        "decided": protect_count(len(days)),
        "median_days_to_decision": statistics.median(days) if len(days) >= k else None,
        "min_cell": k,
        "open_over_90_days": protect_count(Claim.objects.filter(
            state__in=[ClaimState.SUBMITTED, ClaimState.NEEDS_INFORMATION,
                       ClaimState.IN_ASSESSMENT, ClaimState.READY_FOR_DECISION],
            created_at__lt=timezone.now() - dt.timedelta(days=90)).count()),
    }


def decisions_of(claim: Claim) -> QuerySet[Decision]:
    return claim.decisions.select_related("decided_by").order_by("decided_at", "id")
