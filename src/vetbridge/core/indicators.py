"""The contract between the apps and the roadmap's indicators.

Each app publishes its counts in `<app>/indicators.py` as a mapping `INDICATORS` from a code
(`"<app>.<name>"`) to a plain function of a `Period` returning `Row`s: one per breakdown
(a region code, an outcome, ...) and one total row whose breakdown is `""`. No user argument,
no labels, no scoping: authorisation stays in the page that shows the figures, and small cells
are hidden once, in `core.suppression`. `published()` collects every app's mapping through the
app registry, so `cooperation` never imports another app's models.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.apps import apps
from django.db.models import Count, QuerySet
from django.utils import timezone

TOTAL = ""
UNKNOWN = "?"  # a record without the breakdown (e.g. a person without a region)
PERIOD_RE = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Period:
    """A calendar quarter, written `YYYY-Qn` (the period type of the roadmap)."""

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = PERIOD_RE.match(text.strip())
        if match is None:
            raise ValueError(text)
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the quarter."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> Period:
        return (
            Period(self.year + 1, 1) if self.quarter == 4 else Period(self.year, self.quarter + 1)
        )

    def previous(self) -> Period:
        return (
            Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)
        )

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes in the project's time zone, for timestamp fields."""
        tz = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.next().start, dt.time.min, tzinfo=tz),
        )


class Row(NamedTuple):
    """One published figure: `value` for `breakdown` in `period`, from `n` records."""

    code: str
    period: str
    breakdown: str
    value: Decimal
    n: int


Indicator = Callable[[Period], list[Row]]


def count_rows(code: str, period: Period, by_breakdown: Mapping[str | None, int]) -> list[Row]:
    """Count rows per breakdown plus the total row (counts add up)."""
    merged: dict[str, int] = {}
    for key, n in by_breakdown.items():
        merged[key or UNKNOWN] = merged.get(key or UNKNOWN, 0) + n
    rows = [Row(code, str(period), key, Decimal(n), n) for key, n in sorted(merged.items())]
    total = sum(merged.values())
    return [*rows, Row(code, str(period), TOTAL, Decimal(total), total)]


def grouped(qs: QuerySet[Any], field: str) -> dict[str | None, int]:
    """Counts of `qs` by `field`, grouped by the database (one GROUP BY, no rows fetched)."""
    return {row[field]: row["n"] for row in qs.order_by().values(field).annotate(n=Count("pk"))}


def published() -> dict[str, Indicator]:
    """Every app's published indicators, collected through the app registry."""
    found: dict[str, Indicator] = {}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.indicators"
        if config.name == __package__ or importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        found.update(getattr(module, "INDICATORS", {}))
    return found
