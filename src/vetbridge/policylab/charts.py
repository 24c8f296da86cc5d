"""Charts of a simulation's results: declarative Vega-Lite specs built with altair from the
same rows as the table beside them, rendered to SVG on the server by the shared renderer
(`core.charts`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vetbridge.core import charts


def cost_by_group_spec(rows: list[dict[str, Any]], *, title: str, axis: str) -> dict[str, Any]:
    import altair as alt

    baseline, reform = _("Baseline"), _("Reform")
    values = []
    for row in rows:
        if row.get("suppressed") or row.get("baseline_total_eur") is None:
            continue
        values.append({"group": row["key"], "scenario": baseline, "eur": row["baseline_total_eur"]})
        values.append({"group": row["key"], "scenario": reform, "eur": row["reform_total_eur"]})
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=alt.X("group:N", title=axis, sort=None),
            xOffset=alt.XOffset("scenario:N", sort=[baseline, reform]),
            y=alt.Y("eur:Q", title=_("Annual cost (EUR)"), axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "scenario:N",
                title=_("Scenario"),
                sort=[baseline, reform],
                scale=alt.Scale(range=["#7a869a", "#1d5fa8"]),
            ),
            tooltip=[
                alt.Tooltip("group:N", title=axis),
                alt.Tooltip("scenario:N"),
                alt.Tooltip("eur:Q", format=",.2f"),
            ],
        )
        .properties(width=520, height=260, title=title)
    )
    return chart.to_dict()


def render_svg(spec: dict[str, Any]) -> str:
    """The SVG in the reader's language, through the shared renderer (cached by digest)."""
    return charts.render_svg(spec)
