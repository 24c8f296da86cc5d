"""Referrals that wait for someone, for the home page (core.homepage)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability, Role
from vetbridge.core.homepage import Panel, Row

from .models import ReferralStatus
from .services import is_late, late, referrals_for, unanswered_before


def panels(user: User) -> list[Panel]:
    if user.role == Role.PARTNER and user.can(Capability.REFERRALS_ANSWER):
        qs = referrals_for(user).filter(status=ReferralStatus.SENT).order_by("sent_at")
        title = _("Referrals to answer, oldest first")
        empty = _("No referral waits for your answer.")
        order = 5
    elif user.can(Capability.REFERRALS_MANAGE):
        qs = referrals_for(user).filter(late()).order_by("sent_at")
        title = _("Referrals without an answer in time")
        empty = _("Every referral was answered in time.")
        order = 15
    else:
        return []
    before = unanswered_before()
    rows = [
        Row(
            label=f"{r.get_service_display()} — {r.person.display_name()}",
            url=reverse("reintegration:detail", args=[r.pk]),
            detail=_("sent %(days)s days ago") % {"days": (timezone.now() - r.sent_at).days},
            when=r.sent_at,
            urgent=is_late(r, before),
        )
        for r in qs.prefetch_related("person__names")[: Panel.LIMIT]
    ]
    return [
        Panel(
            key="referrals",
            title=title,
            count=qs.count(),
            rows=rows,
            more_url=reverse("reintegration:list"),
            more_label=_("All referrals"),
            empty=empty,
            order=order,
        )
    ]
