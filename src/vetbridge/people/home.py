"""Registry work waiting for a user, for the home page (core.homepage)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability
from vetbridge.core.homepage import Panel, Row

from .duplicates import suspects_for


def panels(user: User) -> list[Panel]:
    if not user.can(Capability.PEOPLE_MERGE):
        return []
    qs = suspects_for(user).order_by("-confidence", "-score", "pk")
    rows = [
        Row(
            label=f"{s.person_a.display_name()} / {s.person_b.display_name()}",
            url=reverse("people:duplicates"),
            detail=_("score %(score)s") % {"score": number_format(s.score, 2)},
            urgent=s.confidence == "high",
        )
        for s in qs[: Panel.LIMIT]
    ]
    return [
        Panel(
            key="people.duplicates",
            title=_("Suspected duplicates to review"),
            count=qs.count(),
            rows=rows,
            more_url=reverse("people:duplicates"),
            more_label=_("Open the review queue"),
            empty=_("No suspected duplicate waits for review."),
            order=30,
        )
    ]
