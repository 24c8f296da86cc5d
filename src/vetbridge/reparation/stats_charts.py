"""The charts of the claim indicators page, drawn from `selectors.claims_stats` (the same
figures as its tables and export, small cells already hidden)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from vetbridge.core import charts


def days_text(value: float, language: str) -> str:
    return charts.number(value, language, 1)


def claim_charts(stats: dict[str, Any], language: str | None = None) -> dict[str, charts.Chart]:
    lang = charts.language_of(language)
    k = stats["min_cell"]
    count = _("claims")
    by_state = charts.bar_chart(
        [charts.Bar(r["label"], r["count"]) for r in stats["by_state"]],
        dom_id="claims-state",
        title=_("Claims by state"),
        category=_("State"),
        value=count,
        min_cell=k,
        language=lang,
    )
    by_month = charts.month_chart(
        [(dt.date.fromisoformat(r["month"] + "-01"), r["count"]) for r in stats["by_month"]],
        dom_id="claims-month",
        title=_("Claims filed per month, last %(n)s months") % {"n": len(stats["by_month"])},
        value=count,
        min_cell=k,
        language=lang,
    )
    median, p90 = stats["median_days_to_decision"], stats["p90_days_to_decision"]
    if median is None or p90 is None:
        note = _("Too few decisions to show a median.")
    else:
        note = _(
            "Median %(median)s days, 90th percentile %(p90)s days, over %(n)s decided claims."
        ) % {
            "median": days_text(median, lang),
            "p90": days_text(p90, lang),
            "n": charts.number(stats["decided"], lang),
        }
    days = charts.histogram(
        [charts.Bin(b["low"], b["high"], b["count"]) for b in stats["days_to_decision"]],
        dom_id="claims-days",
        title=_("Days from filing to the first decision"),
        unit=_("days"),
        value=_("decided claims"),
        min_cell=k,
        language=lang,
        note=note,
    )
    return {"by_state": by_state, "by_month": by_month, "days": days}
