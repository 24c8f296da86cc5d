"""What each role has to do about claims, for the home page (core.homepage)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability, Role
from vetbridge.core.charts import number
from vetbridge.core.homepage import Panel, Row

from .models import Claim, ClaimState
from .selectors import claim_queue, claims_stats, days_in_state, next_step


def _row(claim: Claim, detail: str, urgent: bool = False) -> Row:
    return Row(
        label=f"{claim.reference} · {claim.get_kind_display()} — {claim.person.display_name()}",
        url=reverse("reparation:detail", args=[claim.pk]),
        detail=detail,
        when=claim.state_since,
        urgent=urgent,
    )


def _queue_panel(
    user: User, key: str, title: str, states: list[str], empty: str, order: int, stalled_after: int
) -> Panel:
    qs = claim_queue(user=user, filters={}).filter(state__in=states)
    rows = []
    for claim in qs[: Panel.LIMIT]:
        days = days_in_state(claim)
        rows.append(
            _row(
                claim, _("%(days)s days in this step") % {"days": days}, urgent=days > stalled_after
            )
        )
    state = states[0] if len(states) == 1 else ""
    more = reverse("reparation:list") + (f"?state={state}" if state else "")
    return Panel(
        key=key,
        title=title,
        count=qs.count(),
        rows=rows,
        more_url=more,
        more_label=_("Open the queue"),
        empty=empty,
        order=order,
    )


def _indicators(user: User) -> Panel:
    stats = claims_stats(user=user)
    unknown = _("hidden (fewer than %(n)s cases)") % {"n": stats["min_cell"]}
    median = stats["median_days_to_decision"]
    rows = [
        Row(label=_("Claims filed"), url=reverse("reparation:stats"), detail=str(stats["total"])),
        Row(
            label=_("Median days from filing to the first decision"),
            url=reverse("reparation:stats"),
            detail=unknown if median is None else number(median, digits=1),
        ),
        Row(
            label=_("Open claims filed more than 90 days ago"),
            url=reverse("reparation:stats"),
            detail=unknown
            if stats["open_over_90_days"] is None
            else str(stats["open_over_90_days"]),
            urgent=bool(stats["open_over_90_days"]),
        ),
    ]
    return Panel(
        key="claims.indicators",
        title=_("Claim indicators"),
        count=len(rows),
        rows=rows,
        more_url=reverse("reparation:stats"),
        more_label=_("All claim indicators"),
        order=40,
    )


def panels(user: User) -> list[Panel]:
    out = []
    if user.can(Capability.STATS_VIEW) and not user.can(Capability.CLAIMS_FILE):
        out.append(_indicators(user))
    if not user.can(Capability.CLAIMS_VIEW):
        return out
    if user.role == Role.VETERAN:
        qs = claim_queue(user=user, filters={}).exclude(state=ClaimState.WITHDRAWN)
        rows = [
            _row(
                c,
                f"{c.get_state_display()} — {next_step(c)}",
                urgent=c.state == ClaimState.NEEDS_INFORMATION,
            )
            for c in qs.order_by("-filed_at")[: Panel.LIMIT]
        ]
        out.append(
            Panel(
                key="claims.mine",
                title=_("My claims: the next step"),
                count=qs.count(),
                rows=rows,
                more_url=reverse("reparation:list"),
                more_label=_("All my claims"),
                empty=_("You have no claim. Your case worker can help you file one."),
                order=10,
            )
        )
        return out
    if user.can(Capability.CLAIMS_ASSESS):
        out.append(
            _queue_panel(
                user,
                "claims.assess",
                _("Claims in medical assessment, oldest first"),
                [ClaimState.IN_ASSESSMENT, ClaimState.SUBMITTED],
                _("No claim waits for an assessment."),
                10,
                stalled_after=30,
            )
        )
    if user.can(Capability.CLAIMS_DECIDE):
        out.append(
            _queue_panel(
                user,
                "claims.decide",
                _("Claims ready for decision, oldest first"),
                [ClaimState.READY_FOR_DECISION],
                _("No claim waits for a decision."),
                10,
                stalled_after=30,
            )
        )
        out.append(
            _queue_panel(
                user,
                "claims.appeals",
                _("Appeals to decide"),
                [ClaimState.APPEALED],
                _("No appeal waits for a decision."),
                12,
                stalled_after=90,
            )
        )
    if user.can(Capability.CLAIMS_FILE) and not user.can(Capability.CLAIMS_DECIDE):
        out.append(
            _queue_panel(
                user,
                "claims.information",
                _("Claims waiting for information from the claimant"),
                [ClaimState.NEEDS_INFORMATION],
                _("No claim waits for information."),
                20,
                stalled_after=30,
            )
        )
    return out
