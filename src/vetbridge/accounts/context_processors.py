from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import User
from .roles import Capability


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    caps: set[str] = set()
    unread = 0
    if isinstance(user, User):
        caps = {c.value for c in Capability if user.can(c)}
        if Capability.CLAIMS_VIEW in caps:
            from vetbridge.reparation.services import unread_count

            unread = unread_count(user)
    # The menu is cached per set of capabilities (templates/base.html, "fragments" cache).
    return {"caps": caps, "unread_notifications": unread, "nav_key": ",".join(sorted(caps))}
