"""Audit of logins and logouts, through Django's documented authentication signals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record
from .mfa import mark_pending
from .models import AuditAction, User


@receiver(user_logged_in, dispatch_uid="vetbridge_audit_login")
def _on_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user)
    if request is not None:
        # A fresh session owes its second factor before it may open anything (accounts.mfa).
        mark_pending(request, user)


@receiver(user_logged_out, dispatch_uid="vetbridge_audit_logout")
def _on_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, obj=user)


@receiver(user_login_failed, dispatch_uid="vetbridge_audit_login_failed")
def _on_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None, action=AuditAction.LOGIN_FAILED, object_type="accounts.user", summary=username
    )
