"""The second factor (django-otp): TOTP devices, recovery codes, and when to ask for them.

- Every account that enrolled an authenticator app is asked for a code after its password,
  whatever the settings.
- With `VETBRIDGE_MFA_REQUIRED` (on in production settings), every staff role must have one:
  after the password, a staff account without a device is led to enrolment and can open
  nothing else until it is done.
- Recovery codes are a django-otp static device: ten codes, shown once, each usable once.

The login signal (`accounts.signals`) marks a fresh session "second factor pending";
`SecondFactorMiddleware` lets such a session reach only the verification, enrolment and
sign-out pages until `verify` or `totp_confirm` clear the mark. Every step is audited.
"""

from __future__ import annotations

import base64
import re

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import audit_record
from .models import AuditAction, User

PENDING_SESSION_KEY = "vetbridge_mfa_pending"
RECOVERY_CODE_COUNT = 10
MAX_FAILURES = 5


def mfa_required() -> bool:
    return bool(getattr(settings, "VETBRIDGE_MFA_REQUIRED", False))


def must_have_second_factor(user: User) -> bool:
    """Must this account use a second factor (staff roles when MFA is required)?"""
    return mfa_required() and user.is_staff_role


def has_second_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def needs_second_factor(user: User) -> bool:
    """Asked after a password login: must the session prove a second factor first?"""
    return must_have_second_factor(user) or has_second_factor(user)


def mark_pending(request: HttpRequest, user: User) -> None:
    """Called when a session signs in: remember that it still owes its second factor."""
    session = getattr(request, "session", None)
    if session is not None and needs_second_factor(user):
        session[PENDING_SESSION_KEY] = True


def is_pending(request: HttpRequest) -> bool:
    """Does this signed-in session still owe a second factor (verification or enrolment)?"""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    if DEVICE_ID_SESSION_KEY in request.session and _verified(user):
        return False
    return bool(request.session.get(PENDING_SESSION_KEY)) or must_have_second_factor(user)


def _verified(user: User) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _done(request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
    otp_login(request, device)
    request.session.pop(PENDING_SESSION_KEY, None)
    request.session.pop("vetbridge_mfa_failures", None)
    request.session.cycle_key()


def verify(request: HttpRequest, code: str) -> bool:
    """Check a code from the authenticator app, or a recovery code (then used up)."""
    user = request.user
    assert isinstance(user, User)
    token = _normalise(code)
    if token:
        for device in devices_for_user(user, confirmed=True):
            with transaction.atomic():
                if device.verify_token(token):
                    kind = "recovery code" if isinstance(device, StaticDevice) else "totp"
                    audit_record(
                        actor=user,
                        action=AuditAction.LOGIN,
                        obj=user,
                        summary=f"second factor: {kind}",
                    )
                    _done(request, device)
                    return True
    failures = int(request.session.get("vetbridge_mfa_failures", 0)) + 1
    request.session["vetbridge_mfa_failures"] = failures
    audit_record(actor=user, action=AuditAction.LOGIN_FAILED, obj=user, summary="second factor")
    return False


def too_many_failures(request: HttpRequest) -> bool:
    return int(request.session.get("vetbridge_mfa_failures", 0)) >= MAX_FAILURES


def totp_pending_device(user: User) -> TOTPDevice:
    """The authenticator being enrolled: one unconfirmed device, kept across page loads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The shared secret in base32, in groups of four (for typing it in by hand)."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice, title: str) -> str:
    """The enrolment QR code as inline SVG markup (no image request, no script)."""
    svg = str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=5, border=2, title=title, svgclass="qr", lineclass=None, omitsize=False
        )
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)


@transaction.atomic
def totp_confirm(request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the enrolled app with a first code. Returns the new recovery codes, or None
    when the code is wrong."""
    user = request.user
    assert isinstance(user, User) and device.user_id == user.pk
    if not device.verify_token(_normalise(code)):
        audit_record(
            actor=user, action=AuditAction.LOGIN_FAILED, obj=user, summary="second factor enrolment"
        )
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=user, action=AuditAction.CREATE, obj=device, summary="second factor enrolled"
    )
    codes = recovery_codes_new(user)
    _done(request, device)
    return codes


@transaction.atomic
def recovery_codes_new(user: User) -> list[str]:
    """Ten new recovery codes (the previous ones stop working). Shown once: only the
    device stores them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    audit_record(actor=user, action=AuditAction.CREATE, obj=device, summary="recovery codes issued")
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
