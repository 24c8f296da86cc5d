"""Writes on accounts: API tokens and password changes, each with its audit row."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.core.exceptions import NotFoundError
from vetbridge.core.services import model_update

from .audit import audit_record
from .models import ApiToken, AuditAction, User


@transaction.atomic
def token_issue(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor; the secret is returned once and never stored."""
    token, raw = ApiToken.issue(user=actor, name=name)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=token,
        summary=token.prefix,
        changes={"expires_at": token.expires_at.isoformat() if token.expires_at else None},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (another's token is "not found")."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFoundError(_("No such token, or not yours."))
    if token.revoked_at is None:
        model_update(
            instance=token, fields={"revoked_at": timezone.now()}, actor=actor, summary="revoked"
        )
    return token


def tokens_revoke_all(*, user: User, actor: User | None, reason: str) -> int:
    """Revoke every active token of an account (call inside the change's transaction)."""
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if count:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="accounts.apitoken",
            summary=f"{count} revoked: {reason}",
            changes={"user": user.pk},
        )
    return count


@transaction.atomic
def password_changed(*, user: User, how: str) -> None:
    """After a password change or reset: audit it and revoke the account's API tokens
    (Django already ends the account's other sessions: their hash no longer matches)."""
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        summary=f"password {how}",
        changes={"fields": {"password": ["***", "***"]}},
    )
    tokens_revoke_all(user=user, actor=user, reason=f"password {how}")
