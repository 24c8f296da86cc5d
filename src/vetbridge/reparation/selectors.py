"""Reads of the claim workflow: the queue, one claimant's claims, the indicators."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Lower, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import require
from vetbridge.core import charts
from vetbridge.core.dates import long_date
from vetbridge.core.disclosure import min_cell, protect_count, protect_counts, protect_rows
from vetbridge.people.models import PersonName
from vetbridge.rules import procedure
from vetbridge.rules.errors import InputError
from vetbridge.rules.parameters import default_set

from .kinds import KINDS, kinds_where
from .models import Claim, ClaimEvent, ClaimKind, ClaimState, Decision, Revaluation
from .services import claims_for
from .workflow import (
    NEXT_STEP,
    STALLED_AFTER_DAYS,
    TRANSITIONS,
    acting_roles,
)

# Sortable columns of the queue: name → the expression sorted on (ties broken by id).
SORT_COLUMNS = ("reference", "kind", "claimant", "filed", "state", "days", "deadline", "assigned")
DECIDED_STATES = (ClaimState.GRANTED, ClaimState.REJECTED, ClaimState.APPEAL_DECIDED)


def queue_sort(params: Mapping[str, str]) -> tuple[str, bool]:
    """The column and direction asked in the query string (`sort`, `dir`), for the page and
    its export alike; by default the longest waiting first."""
    sort = params.get("sort", "")
    if sort in SORT_COLUMNS:
        return sort, params.get("dir") == "desc"
    return "days", True


def _labels(field: str, choices: list[tuple[str, Any]]) -> Case:
    """Sort on the label in the reader's language, not on the code."""
    return Case(
        *[When(**{field: code}, then=Value(str(label))) for code, label in choices],
        default=Value(""),
        output_field=CharField(),
    )


def claim_queue(
    *, user: User, filters: dict[str, Any], sort: str = "days", descending: bool | None = None
) -> QuerySet[Claim]:
    """The claims this user may see, filtered and sorted by one column; lazily evaluated
    (the page slices it: never the whole table)."""
    qs = claims_for(user).select_related("person", "assigned_to").prefetch_related("person__names")
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("stalled_days"):
        qs = qs.filter(
            state_since__lt=timezone.now() - dt.timedelta(days=int(filters["stalled_days"]))
        )
    if filters.get("assigned") == "me":
        qs = qs.filter(assigned_to=user)
    elif filters.get("assigned") == "none":
        qs = qs.filter(assigned_to__isnull=True)
    # The appeal deadline of the last decision, once notified (decided states only).
    last_deadline = (
        Decision.objects.filter(claim=OuterRef("pk"))
        .order_by("-decided_at", "-id")
        .values("appeal_deadline")[:1]
    )
    qs = qs.annotate(
        appeal_deadline=Case(
            When(state__in=DECIDED_STATES, then=Subquery(last_deadline)),
            default=Value(None),
            output_field=DateField(),
        )
    )
    if sort == "deadline":
        # The sort key of the deadline column: the appeal deadline; an open claim's stall
        # day (its state's threshold after state_since); on appeal, the filing day plus the
        # CRI's four months taken as 122 days (the page shows the exact date, expertise
        # suspension included; only the order among appeals uses this approximation).
        def after(field: str, days: int) -> Cast:
            return Cast(
                ExpressionWrapper(F(field) + dt.timedelta(days=days), output_field=DateTimeField()),
                DateField(),
            )

        qs = qs.annotate(
            deadline_sort=Case(
                When(state__in=DECIDED_STATES, then=F("appeal_deadline")),
                When(
                    state=ClaimState.APPEALED,
                    appealed_on__isnull=False,
                    then=Cast(
                        ExpressionWrapper(
                            F("appealed_on") + dt.timedelta(days=122), output_field=DateField()
                        ),
                        DateField(),
                    ),
                ),
                *[
                    When(state=state, then=after("state_since", days))
                    for state, days in STALLED_AFTER_DAYS.items()
                ],
                default=Value(None),
                output_field=DateField(),
            )
        )
    lang = (get_language() or "uk")[:2]
    if sort == "claimant":
        surname = (
            PersonName.objects.filter(person=OuterRef("person"))
            .annotate(
                mine=Case(
                    When(language=lang, then=Value(0)),
                    When(language="uk", then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                ),
            )
            .order_by("-is_preferred", "mine", "id")
            .values("surname")[:1]
        )
        qs = qs.annotate(claimant_sort=Lower(Subquery(surname)))
    key: Any = {
        "reference": F("id"),
        "filed": F("filed_at"),
        "days": F("state_since"),
        "kind": _labels("kind", ClaimKind.choices),
        "state": _labels("state", ClaimState.choices),
        "claimant": F("claimant_sort"),
        "deadline": F("deadline_sort"),
        "assigned": Lower("assigned_to__last_name"),
    }.get(sort, F("state_since"))
    # By default the queue shows the longest waiting first (most days in state); days grow
    # as state_since goes back, so "days descending" is state_since ascending.
    if descending is None:
        descending = sort == "days"
    reverse = (not descending) if sort == "days" else descending
    ordered = key.desc(nulls_last=True) if reverse else key.asc(nulls_last=True)
    return qs.order_by(ordered, "id")


def days_in_state(claim: Claim) -> int:
    return (timezone.now() - claim.state_since).days


def deadline_of(claim: Claim, today: dt.date | None = None) -> dict[str, Any] | None:
    """The next date that matters on a claim in the queue: the appeal deadline after a
    notified decision, the CRI's silence date on a French appeal, or the day an open claim
    becomes stalled in its state. `passed` / `soon` (within 14 days) drive the highlight."""
    today = today or timezone.localdate()
    day: dt.date | None = None
    what = ""
    if claim.state in DECIDED_STATES:
        day = getattr(claim, "appeal_deadline", None)
        what = "appeal"
    elif claim.state == ClaimState.APPEALED:
        silence = appeal_silence(claim)
        if silence is not None:
            day, what = silence.deemed_rejected_on, "silence"
    elif claim.state in STALLED_AFTER_DAYS:
        day = timezone.localtime(claim.state_since).date() + dt.timedelta(
            days=STALLED_AFTER_DAYS[ClaimState(claim.state)]
        )
        what = "stalled"
    if day is None:
        return None
    return {
        "day": day,
        "what": what,
        "passed": day < today,
        "soon": today <= day <= today + dt.timedelta(days=SOON_DAYS),
    }


SOON_DAYS = 14


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
    if claim.state != ClaimState.APPEALED or not claim.spec.procedure.appeal_expertise:
        return None
    filed = claim.appealed_on
    if filed is None:  # appealed before the date was recorded: the event's day
        event = claim.events.filter(to_state=ClaimState.APPEALED).order_by("-at").first()
        if event is None:
            return None
        filed = timezone.localtime(event.at).date()
    params = default_set(claim.spec.procedure.variant)
    try:
        dated = procedure.appeal_silence_date(
            filed,
            params=params,
            expertise_start=claim.expertise_started_on,
            expertise_end=claim.expertise_ended_on,
        )
    except InputError:
        dated = procedure.appeal_silence_date(filed, params=params)
    passed = timezone.localdate() >= dated.date and not dated.suspended
    return Silence(filed, dated.date, dated.suspended, passed, dated.steps.as_list())


def next_step(claim: Claim) -> str:
    return str(NEXT_STEP.get(ClaimState(claim.state), ""))


def todo_for(user: User, claim: Claim) -> list[str]:
    """What this reader has to do on the claim now, in the words of their role (never the
    claimant's text shown to staff). Empty: nothing for them at this step."""
    from vetbridge.accounts.roles import Role

    state, assessed = ClaimState(claim.state), claim.spec.assessed
    roles = {user.role} if user.role != Role.ADMIN else set(acting_roles(state, claim.kind))
    out: list[str] = []
    if Role.VETERAN in roles or not user.is_staff_role:
        if state == ClaimState.NEEDS_INFORMATION:
            out.append(
                _(
                    "Provide the documents or the answer requested below, then press "
                    "“The information has been provided”."
                )
            )
        return out
    if Role.CASE_WORKER in roles:
        if state == ClaimState.NEEDS_INFORMATION:
            out.append(
                _(
                    "Follow up the request for information with the claimant: help "
                    "them gather and add what is missing."
                )
            )
        elif state == ClaimState.SUBMITTED:
            out.append(
                _(
                    "Check that the documents expected for this kind of claim are "
                    "attached; ask the claimant for information if not."
                )
            )
    if Role.MEDICAL_ASSESSOR in roles:
        if state == ClaimState.SUBMITTED and assessed:
            out.append(_("Start the medical assessment."))
        elif state == ClaimState.IN_ASSESSMENT:
            out.append(_("Record the infirmities, then complete the assessment."))
    if Role.PENSION_OFFICER in roles:
        last = claim.current_decision()
        if state == ClaimState.SUBMITTED and not assessed:
            out.append(
                _("Check the file: mark it complete (ready for decision) or ask for information.")
            )
        elif state == ClaimState.READY_FOR_DECISION:
            out.append(_("Decide on the claim."))
        elif state in DECIDED_STATES and last is not None and last.notified_on is None:
            out.append(
                _("Record the day the decision was notified: the appeal deadline runs from it.")
            )
        elif state == ClaimState.APPEALED:
            if claim.appeal_late is not False and claim.appeal_admissible is None:
                out.append(_("Decide whether the appeal is admissible."))
            out.append(_("Decide on the appeal."))
    return out


STEP_LABELS = (
    ("submitted", gettext_lazy("Claim submitted")),
    ("assessment", gettext_lazy("Assessment")),
    ("decision", gettext_lazy("Decision")),
    ("appeal", gettext_lazy("Appeal window")),
)


def step_tracker(claim: Claim, today: dt.date | None = None) -> list[dict[str, Any]] | None:
    """The claimant's steps: submitted → assessment → decision → appeal window, each done,
    current or to come. None for a withdrawn claim."""
    today = today or timezone.localdate()
    state = ClaimState(claim.state)
    if state == ClaimState.WITHDRAWN:
        return None
    last = claim.current_decision()
    detail: dict[str, str] = {}
    if state in (ClaimState.SUBMITTED, ClaimState.NEEDS_INFORMATION):
        current = 0
    elif state in (ClaimState.IN_ASSESSMENT, ClaimState.READY_FOR_DECISION):
        current = 1
    elif state in (ClaimState.GRANTED, ClaimState.REJECTED):
        if last is not None and last.appeal_deadline is not None:
            current = 3 if last.appeal_deadline >= today else 4
            detail["appeal"] = _("until %(day)s") % {"day": long_date(last.appeal_deadline)}
        else:
            current = 2
    else:  # appealed, appeal decided
        current = 3 if state == ClaimState.APPEALED else 4
    return [
        {
            "key": key,
            "label": str(label),
            "done": i < current,
            "current": i == current,
            "detail": detail.get(key, ""),
        }
        for i, (key, label) in enumerate(STEP_LABELS)
    ]


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


def needs_information_counts(person_ids: Iterable[int]) -> dict[int, int]:
    """For each person, how many claims wait for information from the claimant (read by the
    care caseload: published here so that care never imports this app's models)."""
    return dict(
        Counter(
            Claim.objects.filter(
                person_id__in=list(person_ids), state=ClaimState.NEEDS_INFORMATION
            ).values_list("person_id", flat=True)
        )
    )


def claim_history(claim: Claim) -> QuerySet[ClaimEvent]:
    return claim.events.select_related("actor")


# The window of the "claims filed per month" chart, in calendar months up to this one.
STATS_MONTHS = 24


def days_to_first_decision() -> list[tuple[int, int]]:
    """(days from filing to the claim's first decision, how many claims): one GROUP BY in the
    database on the difference of two dates, never the decisions read one by one. A first
    decision is one with no earlier decision on its claim (an anti-join on the claim index)."""
    earlier = Decision.objects.filter(claim=OuterRef("claim")).filter(
        Q(decided_at__lt=OuterRef("decided_at"))
        | Q(decided_at=OuterRef("decided_at"), pk__lt=OuterRef("pk"))
    )
    rows = (
        Decision.objects.filter(~Exists(earlier))
        .annotate(
            days=ExpressionWrapper(
                TruncDate("decided_at") - F("claim__filed_at"), output_field=DurationField()
            )
        )
        .values("days")
        .annotate(n=Count("id"))
        .order_by("days")
    )
    return [(r["days"].days, r["n"]) for r in rows]


def claims_filed_by_month(months: list[dt.date]) -> list[tuple[dt.date, int]]:
    """Claims filed in each calendar month of `months` (first days), zero when none."""
    rows = (
        Claim.objects.filter(filed_at__gte=months[0])
        .annotate(month=TruncMonth("filed_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    by_month = {r["month"]: r["n"] for r in rows}
    return [(m, by_month.get(m, 0)) for m in months]


def claims_stats(*, user: User) -> dict[str, Any]:
    """Claims by state and by month of filing, the distribution of days from filing to the
    first decision (median, 90th percentile, histogram), small cells hidden with their
    complements (core.disclosure): the total minus the shown cells never gives a hidden one."""
    require(user, Capability.STATS_VIEW)
    k = min_cell()
    by_state = {
        row["state"]: row["n"]
        for row in Claim.objects.values("state").annotate(n=Count("id")).order_by()
    }
    labels = dict(ClaimState.choices)
    states = protect_rows(
        [
            {"state": s, "label": str(labels[s]), "count": by_state.get(s, 0)}
            for s in ClaimState.values
        ]
    )
    months = charts.months_back(timezone.localdate(), STATS_MONTHS)
    filed = claims_filed_by_month(months)
    by_month = [
        {"month": m.isoformat()[:7], "count": n}
        for (m, _n), n in zip(filed, protect_counts([n for _m, n in filed]), strict=True)
    ]
    days = days_to_first_decision()
    decided = sum(n for _d, n in days)
    bins = charts.histogram_bins(days)
    shown = protect_counts([b.count or 0 for b in bins])
    enough = decided >= k
    return {
        "total": protect_count(sum(by_state.values())),
        "by_state": states,
        "by_month": by_month,
        "decided": protect_count(decided),
        "median_days_to_decision": charts.median_of(days) if enough else None,
        "p90_days_to_decision": charts.quantile_of(days, 0.9) if enough else None,
        "days_to_decision": [
            {"low": b.low, "high": b.high, "count": n} for b, n in zip(bins, shown, strict=True)
        ],
        "min_cell": k,
        "open_over_90_days": protect_count(
            Claim.objects.filter(
                state__in=[
                    ClaimState.SUBMITTED,
                    ClaimState.NEEDS_INFORMATION,
                    ClaimState.IN_ASSESSMENT,
                    ClaimState.READY_FOR_DECISION,
                ],
                created_at__lt=timezone.now() - dt.timedelta(days=90),
            ).count()
        ),
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


def in_payment_kind_labels() -> dict[str, Any]:
    """The short name of each kind of right `pensions_in_payment` returns (its `kind`)."""
    return {code: spec.short_label for code, spec in KINDS.items() if spec.in_payment}


def pensions_in_payment(*, on: dt.date) -> list[PensionInPayment]:
    """Rights in payment on `on`: per person, the latest granting decision of a French
    pension (or its revision) still valid that day, and the latest Ukrainian disability
    assistance granted. Reads frozen decision inputs, never the current infirmity rows."""
    decisions = (
        Decision.objects.filter(
            outcome__in=PAYING_OUTCOMES,
            computed_on__lte=on,
            claim__kind__in=kinds_where(in_payment=True),
            claim__person__merged_into__isnull=True,
        )
        .exclude(valid_until__lt=on)
        .select_related("claim__person__region")
        .order_by("claim__person_id", "decided_at", "id")
    )
    latest: dict[tuple[int, str], Decision] = {}
    for decision in decisions:
        latest[(decision.claim.person_id, decision.claim.country)] = decision
    out: list[PensionInPayment] = []
    for seq, ((_pid, country), decision) in enumerate(sorted(latest.items()), start=1):
        inputs = decision.inputs or {}
        infs = tuple(
            (str(x.get("rate")), str(x.get("cause", "injury")), str(x.get("context", "peace")))
            for x in inputs.get("infirmities", [])
        )
        region = decision.claim.person.region
        out.append(
            PensionInPayment(
                seq=seq,
                country=country,
                region=region.code if region else "",
                kind=decision.claim.kind,
                disability_group=int(inputs.get("group") or 0),
                infirmities=infs,
            )
        )
    return out


def latest_revaluation(claim: Claim) -> Revaluation | None:
    """The amount now paid on the claim's pension after the latest revaluation (of its
    latest decision), with its date; None when never revalued."""
    return (
        Revaluation.objects.filter(claim=claim)
        .order_by("-effective_on", "-decision_id", "-id")
        .first()
    )
