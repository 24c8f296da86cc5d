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
from vetbridge.rules.errors import InputError
from vetbridge.rules.parameters import Parameters

from .models import Claim, ClaimEvent, ClaimState, Decision, Revaluation
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
    """French appeal: when the CRI's silence becomes a rejection (R711-15), the expertise
    suspension included; `passed` once that day has come."""
    appealed_on: dt.date
    deemed_rejected_on: dt.date
    suspended: bool
    passed: bool
    steps: list[dict[str, Any]]


def appeal_silence(claim: Claim) -> Silence | None:
    if claim.state != ClaimState.APPEALED or claim.country != "fr":
        return None
    filed = claim.appealed_on
    if filed is None:  # appealed before the date was recorded: the event's day
        event = claim.events.filter(to_state=ClaimState.APPEALED).order_by("-at").first()
        if event is None:
            return None
        filed = timezone.localtime(event.at).date()
    try:
        dated = procedure.appeal_silence_date(
            filed, params=Parameters.load("fr"), expertise_start=claim.expertise_started_on,
            expertise_end=claim.expertise_ended_on)
    except InputError:
        dated = procedure.appeal_silence_date(filed, params=Parameters.load("fr"))
    passed = timezone.localdate() >= dated.date and not dated.suspended
    return Silence(filed, dated.date, dated.suspended, passed, dated.steps.as_list())


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


# ---------------------------------------------------------------- published for other apps

@dataclass(frozen=True)
class PensionInPayment:
    """One person's right in payment on a date, from the frozen inputs of its decision:
    what the policy lab needs to simulate a reform over the registry's pensioners. No name,
    no person id: `seq` only tells the rows of one person apart."""

    seq: int
    country: str  # "fr" or "ua"
    region: str  # region code, "" when unknown
    kind: str  # claim kind
    disability_group: int  # Ukraine: 1-3; 0 when none
    infirmities: tuple[tuple[str, str, str], ...]  # (rate, cause, context) as decided


PAYING_OUTCOMES = ("grant_temporary", "grant_definitive", "grant")


def pensions_in_payment(*, on: dt.date) -> list[PensionInPayment]:
    """Rights in payment on `on`: per person, the latest granting decision of a French
    pension (or its revision) still valid that day, and the latest Ukrainian disability
    assistance granted. Reads frozen decision inputs, never the current infirmity rows."""
    decisions = (Decision.objects
                 .filter(outcome__in=PAYING_OUTCOMES, computed_on__lte=on,
                         claim__kind__in=["fr_pension", "fr_revision", "ua_disability"],
                         claim__person__merged_into__isnull=True)
                 .exclude(valid_until__lt=on)
                 .select_related("claim__person__region")
                 .order_by("claim__person_id", "decided_at", "id"))
    latest: dict[tuple[int, str], Decision] = {}
    for decision in decisions:
        country = "ua" if decision.claim.kind == "ua_disability" else "fr"
        latest[(decision.claim.person_id, country)] = decision
    out: list[PensionInPayment] = []
    for seq, ((_pid, country), decision) in enumerate(sorted(latest.items()), start=1):
        inputs = decision.inputs or {}
        infs = tuple((str(x.get("rate")), str(x.get("cause", "injury")),
                      str(x.get("context", "peace"))) for x in inputs.get("infirmities", []))
        region = decision.claim.person.region
        out.append(PensionInPayment(
            seq=seq, country=country, region=region.code if region else "",
            kind=decision.claim.kind, disability_group=int(inputs.get("group") or 0),
            infirmities=infs))
    return out


def latest_revaluation(claim: Claim) -> Revaluation | None:
    """The amount now paid on the claim's pension after the latest revaluation (of its
    latest decision), with its date; None when never revalued."""
    return (Revaluation.objects.filter(claim=claim).order_by("-effective_on", "-decision_id",
                                                             "-id").first())
