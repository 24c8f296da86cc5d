from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import User
from .roles import Capability


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    caps: set[str] = set()
    if isinstance(user, User):
        caps = {c.value for c in Capability if user.can(c)}
    return {"caps": caps}
