"""Charts as data: a Vega-Lite specification (altair) built from the same rows as the table
beside it, rendered on the server by vl-convert: SVG for the page and print, PNG for the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from vetbridge.core.indicators import TOTAL, UNKNOWN

from .models import Indicator
from .selectors import SeriesRow
from .texts import localized, reader_language

FONT_DIR = Path(__file__).resolve().parent.parent / "core" / "fonts"
FORMAT_LOCALES = {"uk": "uk-UA", "fr": "fr-FR", "en": "en-US"}


@cache
def _vlc() -> Any:
    import vl_convert

    vl_convert.register_font_directory(str(FONT_DIR))  # Cyrillic in PNG as in the PDF
    return vl_convert


@dataclass(frozen=True)
class Chart:
    title: str
    spec: dict[str, Any]
    rows: list[dict[str, Any]]  # the table beside the chart: exactly the plotted rows
    columns: list[str]  # headers of the table
    language: str

    def svg(self) -> str:
        return _vlc().vegalite_to_svg(self.spec, format_locale=FORMAT_LOCALES[self.language])

    def png(self, scale: float = 2.0) -> bytes:
        return bytes(_vlc().vegalite_to_png(self.spec, scale=scale,
                                            format_locale=FORMAT_LOCALES[self.language]))


def breakdown_label(code: str, regions: dict[str, str]) -> str:
    if code == TOTAL:
        return _("all")
    if code == UNKNOWN:
        return _("not known")
    return regions.get(code, code)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def time_chart(indicator: Indicator, rows: list[SeriesRow], language: str | None = None,
               ) -> Chart:
    """Value against target over the quarters (totals)."""
    lang = reader_language(language)
    value_label, target_label = _("value"), _("target")
    data: list[dict[str, Any]] = []
    for r in rows:
        if r.breakdown != TOTAL:
            continue
        if r.value is not None or r.suppressed:
            data.append({"period": r.period, "series": value_label, "value": _num(r.value),
                         "hidden": r.suppressed})
        if r.target is not None:
            data.append({"period": r.period, "series": target_label, "value": _num(r.target),
                         "hidden": False})
    title = localized(indicator.name, lang).text
    unit = indicator.get_unit_display()
    chart = alt.Chart(alt.Data(values=data)).mark_line(point=True).encode(
        x=alt.X("period:O", title=_("quarter")),
        y=alt.Y("value:Q", title=str(unit)),
        color=alt.Color("series:N", title="", scale=alt.Scale(
            domain=[value_label, target_label], range=["#1f5fa8", "#c2571a"])),
        strokeDash=alt.StrokeDash("series:N", title="", scale=alt.Scale(
            domain=[value_label, target_label], range=[[1, 0], [6, 4]])),
        tooltip=["period:O", "series:N", "value:Q"],
    ).properties(title=title, width=420, height=220)
    spec = chart.to_dict()
    spec["description"] = _("%(name)s: value against target by quarter") % {"name": title}
    return Chart(title, spec, data, [_("quarter"), _("series"), _("value")], lang)


def region_chart(indicator: Indicator, rows: list[SeriesRow], period: str,
                 regions: dict[str, str], language: str | None = None) -> Chart:
    """The cells of one quarter by breakdown (region, or outcome), hidden cells not drawn."""
    lang = reader_language(language)
    data = [{"breakdown": breakdown_label(r.breakdown, regions), "value": _num(r.value),
             "hidden": r.suppressed}
            for r in rows if r.period == period and r.breakdown != TOTAL]
    title = f"{localized(indicator.name, lang).text} — {period}"
    chart = alt.Chart(alt.Data(values=data)).mark_bar(color="#1f5fa8").encode(
        y=alt.Y("breakdown:N", title="", sort="-x"),
        x=alt.X("value:Q", title=str(indicator.get_unit_display())),
        tooltip=["breakdown:N", "value:Q"],
    ).properties(title=title, width=420, height=max(60, 22 * len(data)))
    spec = chart.to_dict()
    spec["description"] = _("%(name)s by breakdown") % {"name": title}
    return Chart(title, spec, data, [_("breakdown"), _("value")], lang)
