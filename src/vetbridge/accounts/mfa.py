"""Seam for the staff second factor (TOTP).

`needs_second_factor` is consulted after a password login. It returns False until a TOTP
device model is added (django-otp is the intended library); the login view already routes
through it, so turning it on needs no change to views.
"""

from __future__ import annotations

from django.conf import settings

from .models import User


def needs_second_factor(user: User) -> bool:
    if not getattr(settings, "VETBRIDGE_STAFF_MFA_REQUIRED", False):
        return False
    # No device enrolment exists yet: documented in docs/accounts.md as the next step.
    return False
