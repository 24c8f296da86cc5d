"""The charts of the registry statistics page, drawn from `selectors.registry_stats` (the same
figures as its export, small cells already hidden)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vetbridge.core import charts


def status_label(row: dict[str, Any]) -> str:
    group = row.get("disability_group")
    if group:
        return _("%(status)s, group %(group)s") % {"status": row["label"], "group": group}
    return str(row["label"])


def registry_charts(
    stats: dict[str, Any],
    language: str | None = None,
) -> dict[str, charts.Chart]:
    lang = charts.language_of(language)
    k = stats["min_cell"]
    people = _("people")
    return {
        "by_lifecycle": charts.bar_chart(
            [charts.Bar(r["label"], r["count"]) for r in stats["by_lifecycle"]],
            dom_id="people-lifecycle",
            title=_("People by lifecycle"),
            category=_("Lifecycle"),
            value=people,
            min_cell=k,
            language=lang,
        ),
        "by_status": charts.bar_chart(
            [charts.Bar(status_label(r), r["count"]) for r in stats["by_status"]],
            dom_id="people-status",
            title=_("People by current status"),
            category=_("Status"),
            value=people,
            min_cell=k,
            language=lang,
        ),
        "by_region": charts.bar_chart(
            [
                charts.Bar(r["label"] or _("Region not known"), r["count"])
                for r in stats["by_region"]
            ],
            dom_id="people-region",
            title=_("People by region"),
            category=_("Region"),
            value=people,
            min_cell=k,
            language=lang,
        ),
    }
