"""Published counts of the claim workflow for the roadmap's indicators (contract:
`core.indicators`). Breakdown: the claimant's region (code)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from vetbridge.core.indicators import TOTAL, UNKNOWN, Indicator, Period, Row, count_rows, grouped

from .models import Claim, ClaimEvent, ClaimState, Decision, DecisionKind

SIX_MONTHS = dt.timedelta(days=183)


def claims_filed(period: Period) -> list[Row]:
    """Claims filed in the period (by filing date)."""
    qs = Claim.objects.filter(filed_at__gte=period.start, filed_at__lte=period.end)
    return count_rows("reparation.claims_filed", period, grouped(qs, "person__region__code"))


def _first_decisions(period: Period) -> list[tuple[str | None, int]]:
    """(region, days from filing to first decision) of the claims first decided in the period."""
    start, end = period.bounds()
    firsts = (
        Decision.objects.exclude(kind=DecisionKind.APPEAL)
        .values("claim_id")
        .annotate(first=Min("decided_at"))
        .filter(first__gte=start, first__lt=end)
    )
    first_at = {row["claim_id"]: row["first"] for row in firsts}
    claims = Claim.objects.filter(pk__in=list(first_at)).values_list(
        "pk", "filed_at", "person__region__code"
    )
    return [
        (region, (timezone.localtime(first_at[pk]).date() - filed).days)
        for pk, filed, region in claims
    ]


def claims_decided(period: Period) -> list[Row]:
    """Claims whose first decision was taken in the period."""
    return count_rows(
        "reparation.claims_decided",
        period,
        dict(Counter(region for region, _days in _first_decisions(period))),
    )


def claims_decided_within_6_months(period: Period) -> list[Row]:
    """Claims first decided in the period within six months of filing."""
    return count_rows(
        "reparation.claims_decided_within_6_months",
        period,
        dict(
            Counter(region for region, days in _first_decisions(period) if days <= SIX_MONTHS.days)
        ),
    )


def median_days_to_decision(period: Period) -> list[Row]:
    """Median days from filing to first decision, of the claims first decided in the period."""
    code = "reparation.median_days_to_decision"
    days_by: dict[str, list[int]] = defaultdict(list)
    every: list[int] = []
    for region, days in _first_decisions(period):
        days_by[region or UNKNOWN].append(days)
        every.append(days)
    rows = [
        Row(code, str(period), key, Decimal(str(statistics.median(values))), len(values))
        for key, values in sorted(days_by.items())
    ]
    median = Decimal(str(statistics.median(every))) if every else Decimal(0)
    return [*rows, Row(code, str(period), TOTAL, median, len(every))]


def appeals(period: Period) -> list[Row]:
    """Appeals lodged in the period."""
    start, end = period.bounds()
    qs = ClaimEvent.objects.filter(to_state=ClaimState.APPEALED, at__gte=start, at__lt=end)
    return count_rows("reparation.appeals", period, grouped(qs, "claim__person__region__code"))


INDICATORS: dict[str, Indicator] = {
    "reparation.claims_filed": claims_filed,
    "reparation.claims_decided": claims_decided,
    "reparation.claims_decided_within_6_months": claims_decided_within_6_months,
    "reparation.median_days_to_decision": median_days_to_decision,
    "reparation.appeals": appeals,
}
