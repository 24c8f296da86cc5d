"""Charts of a simulation's results: declarative Vega-Lite specs built with altair from the
same rows as the table beside them, rendered to SVG on the server by vl-convert."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

LOCALES = {"fr": "fr-FR", "uk": "uk-UA", "en": "en-US"}


def cost_by_group_spec(rows: list[dict[str, Any]], *, title: str, axis: str) -> dict[str, Any]:
    import altair as alt

    baseline, reform = _("Baseline"), _("Reform")
    values = []
    for row in rows:
        if row.get("suppressed") or row.get("baseline_total_eur") is None:
            continue
        values.append({"group": row["key"], "scenario": baseline,
                       "eur": row["baseline_total_eur"]})
        values.append({"group": row["key"], "scenario": reform, "eur": row["reform_total_eur"]})
    chart = alt.Chart(alt.Data(values=values)).mark_bar().encode(
        x=alt.X("group:N", title=axis, sort=None),
        xOffset=alt.XOffset("scenario:N", sort=[baseline, reform]),
        y=alt.Y("eur:Q", title=_("Annual cost (EUR)"), axis=alt.Axis(format=",.0f")),
        color=alt.Color("scenario:N", title=_("Scenario"), sort=[baseline, reform],
                        scale=alt.Scale(range=["#7a869a", "#1d5fa8"])),
        tooltip=[alt.Tooltip("group:N", title=axis), alt.Tooltip("scenario:N"),
                 alt.Tooltip("eur:Q", format=",.2f")],
    ).properties(width=520, height=260, title=title)
    return chart.to_dict()


@lru_cache(maxsize=64)
def _svg(spec_json: str, locale: str) -> str:
    import vl_convert as vlc

    try:
        return str(vlc.vegalite_to_svg(json.loads(spec_json),
                                       format_locale=locale))  # type: ignore[arg-type]
    except ValueError:
        return str(vlc.vegalite_to_svg(json.loads(spec_json)))


def render_svg(spec: dict[str, Any]) -> str:
    locale = LOCALES.get((get_language() or "en")[:2], "en-US")
    return _svg(json.dumps(spec, sort_keys=True, ensure_ascii=False), locale)
