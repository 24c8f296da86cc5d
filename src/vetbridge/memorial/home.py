"""What the memorial desk has to moderate, for the home page (core.homepage)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability
from vetbridge.core.homepage import Panel, Row

from .selectors import tribute_queue


def panels(user: User) -> list[Panel]:
    if not user.can(Capability.MEMORIAL_EDIT):
        return []
    qs = tribute_queue().order_by("submitted_at")
    rows = [
        Row(
            label=t.record.person.display_name(),
            url=reverse("memorial:desk") + f"#tr-{t.pk}",
            detail=t.get_kind_display(),
            when=t.submitted_at,
        )
        for t in qs[: Panel.LIMIT]
    ]
    return [
        Panel(
            key="memorial.moderation",
            title=_("Tributes, photos and corrections to moderate, oldest first"),
            count=qs.count(),
            rows=rows,
            more_url=reverse("memorial:desk"),
            more_label=_("Open the memorial desk"),
            empty=_("Nothing waits for moderation."),
            order=10,
        )
    ]
