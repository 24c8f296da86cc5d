"""Published figures of the care pathway for the roadmap's indicators (contract:
`core.indicators`). Breakdown: the person's region (code)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from vetbridge.core.indicators import TOTAL, UNKNOWN, Indicator, Period, Row

from .models import AssessmentKind, FunctionalAssessment

# A follow-up WHODAS counts as "six months later" between 5 and 7 months after the earlier one.
FOLLOW_UP_DAYS = (150, 215)


def whodas_change_6_months(period: Period) -> list[Row]:
    """Mean change of the WHODAS 2.0 score (percentage points; negative = less disability)
    between an assessment in the period and the person's assessment about six months before.
    `n` is the number of people with such a pair."""
    code = "care.whodas_change_6_months"
    earliest = period.start - dt.timedelta(days=FOLLOW_UP_DAYS[1])
    rows = (
        FunctionalAssessment.objects.filter(
            kind=AssessmentKind.WHODAS12,
            percent__isnull=False,
            assessed_on__gte=earliest,
            assessed_on__lte=period.end,
        )
        .values_list("person_id", "assessed_on", "percent", "person__region__code")
        .order_by("person_id", "assessed_on")
    )
    by_person: dict[int, list[tuple[dt.date, float, Any]]] = defaultdict(list)
    for person_id, on, percent, region in rows:
        if percent is not None:
            by_person[person_id].append((on, percent, region))
    changes: dict[str, list[float]] = defaultdict(list)
    every: list[float] = []
    for series in by_person.values():
        latest = [a for a in series if a[0] >= period.start]
        if not latest:
            continue
        on, percent, region = latest[-1]
        before = [a for a in series if FOLLOW_UP_DAYS[0] <= (on - a[0]).days <= FOLLOW_UP_DAYS[1]]
        if not before:
            continue
        change = percent - before[0][1]
        changes[region or UNKNOWN].append(change)
        every.append(change)

    def mean(values: list[float]) -> Decimal:
        return Decimal(str(round(sum(values) / len(values), 1))) if values else Decimal(0)

    out = [Row(code, str(period), key, mean(v), len(v)) for key, v in sorted(changes.items())]
    return [*out, Row(code, str(period), TOTAL, mean(every), len(every))]


INDICATORS: dict[str, Indicator] = {
    "care.whodas_change_6_months": whodas_change_6_months,
}
