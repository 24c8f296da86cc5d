"""Exports of the claim queue the reader sees, and of the claim indicators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.accounts.roles import Capability
from vetbridge.core import charts
from vetbridge.core.exports import bounded, export_response
from vetbridge.core.views import permission_required_page, signed_in_user

from . import selectors
from .forms import QueueFilterForm


@permission_required_page(Capability.CLAIMS_VIEW)
def queue_export(request: HttpRequest) -> HttpResponse:
    """The queue with the page's filters and order, in the reader's scope, with the page's
    columns (and the day the claim entered its state); no medical content."""
    user = signed_in_user(request)
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    sort, descending = selectors.queue_sort(request.GET)
    claims = bounded(
        selectors.claim_queue(user=user, filters=filters, sort=sort, descending=descending)
    )
    today = timezone.localdate()

    def deadline(claim: Any) -> Any:
        found = selectors.deadline_of(claim, today)
        return found["day"] if found else ""

    def assigned(claim: Any) -> str:
        if claim.assigned_to is None:
            return _("nobody")
        return claim.assigned_to.get_full_name() or claim.assigned_to.get_username()

    rows: list[list[Any]] = [
        [
            c.reference,
            c.person.display_name(),
            c.get_kind_display(),
            c.get_state_display(),
            selectors.days_in_state(c),
            c.filed_at,
            deadline(c),
            assigned(c),
            c.state_since,
        ]
        for c in claims
    ]
    header = [
        _("Reference"),
        _("Claimant"),
        _("Kind of claim"),
        _("State"),
        _("Days in this state"),
        _("Filed on"),
        _("Deadline"),
        _("Assigned to"),
        _("In this state since"),
    ]
    return export_response(
        request=request,
        user=user,
        what="claims.queue",
        header=header,
        rows=rows,
        filters={**filters, "sort": sort, "dir": "desc" if descending else "asc"},
        title=_("Claims"),
    )


@permission_required_page(Capability.STATS_VIEW)
def stats_export(request: HttpRequest) -> HttpResponse:
    """The claim indicators, small cells hidden exactly as on the page."""
    user = signed_in_user(request)
    stats = selectors.claims_stats(user=user)
    hidden = _("fewer than %(n)s") % {"n": stats["min_cell"]}

    def shown(value: Any) -> Any:
        return hidden if value is None else value

    rows: list[list[Any]] = [[_("Claims in all"), shown(stats["total"])]]
    rows += [[r["label"], shown(r["count"])] for r in stats["by_state"]]
    median = stats["median_days_to_decision"]
    rows.append([_("Median days from filing to the first decision"), shown(median)])
    rows.append(
        [
            _("90th percentile of days from filing to the first decision"),
            shown(stats["p90_days_to_decision"]),
        ]
    )
    rows += [
        [
            _("Decided claims taking %(low)s to %(high)s days")
            % {"low": b["low"], "high": b["high"]},
            shown(b["count"]),
        ]
        for b in stats["days_to_decision"]
    ]
    rows += [
        [
            _("Claims filed in %(month)s")
            % {"month": charts.month_label(dt.date.fromisoformat(m["month"] + "-01"), short=False)},
            shown(m["count"]),
        ]
        for m in stats["by_month"]
    ]
    rows.append([_("Open claims filed more than 90 days ago"), shown(stats["open_over_90_days"])])
    return export_response(
        request=request,
        user=user,
        what="claims.stats",
        header=[_("Indicator"), _("Value")],
        rows=rows,
        title=_("Claim indicators"),
    )
