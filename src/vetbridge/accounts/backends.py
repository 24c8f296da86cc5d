"""Password spraying: one address failing across many accounts is stopped too.

django-axes locks a username+address pair (`AXES_LOCKOUT_PARAMETERS`), so a user is never
locked out from everywhere by someone else's failures. That alone would let one address
try one password on every account; this backend, placed before the others, refuses any
password check from an address whose failures across all accounts reached
`VETBRIDGE_LOGIN_ADDRESS_FAILURE_LIMIT` within the axes cool-off period. It counts the
failures axes already stores (shared by every process), with the same client address.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from vetbridge.core.client_ip import client_ip


def address_failures(ip: str) -> int:
    hours = float(getattr(settings, "AXES_COOLOFF_TIME", 0.25) or 0.25)
    since = timezone.now() - dt.timedelta(hours=hours)
    total = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


def address_locked(request: HttpRequest) -> bool:
    ip = client_ip(request)
    limit = int(getattr(settings, "VETBRIDGE_LOGIN_ADDRESS_FAILURE_LIMIT", 20))
    return bool(ip) and limit > 0 and address_failures(str(ip)) >= limit


class AddressThrottleBackend:
    """Authenticates no one; refuses every attempt from a spraying address."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is not None and address_locked(request):
            request.vetbridge_address_locked = True  # type: ignore[attr-defined]
            raise PermissionDenied
        return None

    # No get_user(): this backend never holds a session (Django's test client picks the
    # first backend that has one for force_login).
