"""What the care pathway asks of a user today, for the home page (core.homepage)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability, Role
from vetbridge.core.homepage import Panel, Row

from .services import appointments_open, caseload


def panels(user: User) -> list[Panel]:
    if user.role == Role.VETERAN and user.person is not None and user.can(Capability.CARE_VIEW):
        coming = appointments_open(user.person).filter(at__gte=timezone.now()).order_by("at")
        rows = [
            Row(
                label=a.with_whom,
                detail=" — ".join(x for x in (a.purpose, a.place) if x),
                url=reverse("care:file", args=[user.person_id]),
                when=a.at,
            )
            for a in coming[:1]
        ]
        return [
            Panel(
                key="care.next",
                title=_("My next appointment"),
                count=coming.count(),
                rows=rows,
                more_url=reverse("care:file", args=[user.person_id]),
                more_label=_("My care pathway"),
                empty=_("No appointment is planned."),
                order=20,
            )
        ]
    if not user.can(Capability.REFERRALS_MANAGE) or not user.can(Capability.CARE_EDIT):
        return []
    rows = []
    pressing = 0
    for r in caseload(user=user):
        what = []
        if r.overdue:
            what.append(
                ngettext("%(n)s follow-up overdue", "%(n)s follow-ups overdue", len(r.overdue))
                % {"n": len(r.overdue)}
            )
        if r.appointments_unrecorded:
            what.append(
                ngettext(
                    "%(n)s passed appointment without outcome",
                    "%(n)s passed appointments without outcome",
                    len(r.appointments_unrecorded),
                )
                % {"n": len(r.appointments_unrecorded)}
            )
        if r.unanswered:
            what.append(
                ngettext(
                    "%(n)s referral without answer", "%(n)s referrals without answer", r.unanswered
                )
                % {"n": r.unanswered}
            )
        if r.needs_information:
            what.append(
                ngettext(
                    "%(n)s claim waiting for information",
                    "%(n)s claims waiting for information",
                    r.needs_information,
                )
                % {"n": r.needs_information}
            )
        if not what:
            continue
        pressing += 1
        if len(rows) < Panel.LIMIT:
            rows.append(
                Row(
                    label=r.person.display_name(),
                    url=reverse("care:file", args=[r.person.pk]),
                    detail="; ".join(what),
                    urgent=bool(r.overdue or r.appointments_unrecorded or r.unanswered),
                )
            )
    return [
        Panel(
            key="care.caseload",
            title=_("My caseload: what is overdue"),
            count=pressing,
            rows=rows,
            more_url=reverse("care:caseload"),
            more_label=_("Open my caseload"),
            empty=_("Nothing is overdue in your caseload."),
            order=5,
        )
    ]
