"""The indicators' charts, built with the shared chart machinery (`core.charts`): a Vega-Lite
specification from the same rows as the table beside it, rendered on the server — SVG for the
page and print, PNG for the PDF — in the reader's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from vetbridge.core import charts
from vetbridge.core.charts import Chart
from vetbridge.core.disclosure import min_cell
from vetbridge.core.indicators import TOTAL, UNKNOWN

from .models import Indicator
from .selectors import SeriesRow
from .texts import localized, reader_language

__all__ = ["Chart", "breakdown_label", "region_chart", "time_chart"]


def breakdown_label(code: str, regions: dict[str, str]) -> str:
    if code == TOTAL:
        return _("all")
    if code == UNKNOWN:
        return _("not known")
    return regions.get(code, code)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@charts.unvalidated
def time_chart(
    indicator: Indicator, rows: list[SeriesRow], language: str | None = None, dom_id: str = ""
) -> Chart:
    """Value against target over the quarters (totals)."""
    import altair as alt

    lang = reader_language(language)
    value_label, target_label = _("value"), _("target")
    data: list[dict[str, Any]] = []
    for r in rows:
        if r.breakdown != TOTAL:
            continue
        if r.value is not None or r.suppressed:
            data.append(
                {
                    "period": r.period,
                    "series": value_label,
                    "value": _num(r.value),
                    "hidden": r.suppressed,
                }
            )
        if r.target is not None:
            data.append(
                {
                    "period": r.period,
                    "series": target_label,
                    "value": _num(r.target),
                    "hidden": False,
                }
            )
    title = localized(indicator.name, lang).text
    unit = str(indicator.get_unit_display())
    drawn = [d for d in data if d["value"] is not None]
    chart = (
        alt.Chart(alt.Data(values=drawn))
        .mark_line(point=True)
        .encode(
            x=alt.X("period:O", title=_("quarter")),
            y=alt.Y("value:Q", title=unit),
            color=alt.Color(
                "series:N",
                title="",
                scale=alt.Scale(
                    domain=[value_label, target_label], range=[charts.COLOR, "#b04a12"]
                ),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                title="",
                scale=alt.Scale(domain=[value_label, target_label], range=[[1, 0], [6, 4]]),
            ),
            tooltip=["period:O", "series:N", "value:Q"],
        )
        .properties(title=title, width=420, height=220)
    )
    description = _("%(name)s: value against target by quarter") % {"name": title}
    hidden = charts.hidden_text(min_cell())
    cells = [
        [
            d["period"],
            d["series"],
            hidden
            if d["hidden"]
            else "—"
            if d["value"] is None
            else charts.number(d["value"], lang, 2),
        ]
        for d in data
    ]
    return Chart(
        dom_id or f"{indicator.code}-time",
        title,
        description,
        charts.finish(chart, description),
        [_("quarter"), _("series"), _("value")],
        data,
        cells,
        lang,
    )


def region_chart(
    indicator: Indicator,
    rows: list[SeriesRow],
    period: str,
    regions: dict[str, str],
    language: str | None = None,
) -> Chart:
    """The cells of one quarter by breakdown (region, or outcome), hidden cells not drawn."""
    lang = reader_language(language)
    bars = [
        charts.Bar(breakdown_label(r.breakdown, regions), _num(r.value))
        for r in rows
        if r.period == period and r.breakdown != TOTAL and (r.value is not None or r.suppressed)
    ]
    title = f"{localized(indicator.name, lang).text} — {period}"
    return charts.bar_chart(
        bars,
        dom_id=f"{indicator.code}-breakdown",
        title=title,
        category=_("breakdown"),
        value=str(indicator.get_unit_display()),
        min_cell=min_cell(),
        language=lang,
        counts=False,
        description=_("%(name)s by breakdown") % {"name": title},
    )
