"""Exports of the registry: the search results and list the reader sees, and the statistics."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from vetbridge.accounts.roles import Capability
from vetbridge.core.exports import bounded, export_response
from vetbridge.core.views import permission_required_page, signed_in_user

from . import selectors
from .forms import PersonFilterForm

SEARCH_LIMIT = 200


@permission_required_page(Capability.PEOPLE_VIEW)
def people_export(request: HttpRequest) -> HttpResponse:
    """The registry list or search results with the page's filters, within the reader's
    scope: the same columns as the page."""
    user = signed_in_user(request)
    form = PersonFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    header = [
        _("No."),
        _("External identifier"),
        _("Name"),
        _("Birth date"),
        _("Region"),
        _("Lifecycle"),
    ]
    if filters.get("q"):
        search = selectors.person_search(
            user=user, q=filters["q"], filters=filters, limit=SEARCH_LIMIT
        )
        people = [h.person for h in search.hits]
        header += [_("Score"), _("Why")]
        extra = {h.person.pk: [round(h.score, 3), h.reason_text()] for h in search.hits}
    else:
        people = bounded(selectors.person_list(user=user, filters=filters).order_by("pk"))
        extra = {}
    rows: list[list[Any]] = [
        [
            p.pk,
            p.external_id or "",
            p.display_name(),
            p.birth_date,
            p.region.localized_name() if p.region else "",
            p.get_lifecycle_display(),
            *extra.get(p.pk, []),
        ]
        for p in people
    ]
    return export_response(
        request=request,
        user=user,
        what="people.list",
        header=header,
        rows=rows,
        filters=filters,
        title=_("Registry"),
    )


@permission_required_page(Capability.STATS_VIEW)
def stats_export(request: HttpRequest) -> HttpResponse:
    """The registry statistics, small cells hidden exactly as on the page."""
    user = signed_in_user(request)
    stats = selectors.registry_stats(user=user)
    hidden = _("fewer than %(n)s") % {"n": stats["min_cell"]}

    def count(row: dict[str, Any]) -> Any:
        return hidden if row["count"] is None else row["count"]

    rows: list[list[Any]] = [[_("Total"), "", "", count({"count": stats["total"]})]]
    rows += [[_("Lifecycle"), r["label"], "", count(r)] for r in stats["by_lifecycle"]]
    rows += [
        [_("Current status"), r["label"], r.get("disability_group") or "", count(r)]
        for r in stats["by_status"]
    ]
    rows += [[_("Region"), r["label"], "", count(r)] for r in stats["by_region"]]
    return export_response(
        request=request,
        user=user,
        what="people.stats",
        header=[_("Breakdown"), _("Category"), _("Group"), _("Count")],
        rows=rows,
        title=_("Registry statistics"),
    )
