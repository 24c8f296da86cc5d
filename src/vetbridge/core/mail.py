"""E-mail notices, each in its recipient's language.

A service that records something a person should hear about calls `notify_users`; the
e-mails leave only once the transaction has committed (nothing is sent for a write that
was rolled back), through Django's e-mail framework (`EMAIL_URL`; the console under
`make run`). Each recipient gets the text rendered in their own account language, only if
they have an address and have not turned notices off on their account page. A notice
never carries medical details: it says what changed and where to read it after signing in.
A failure to send is logged and never breaks the request that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger(__name__)

Context = Callable[[Any], dict[str, Any]]


def site_url(path: str = "") -> str:
    return settings.VETBRIDGE_SITE_URL.rstrip("/") + path


def notify_users(
    user_ids: Iterable[int], template: str, context: dict[str, Any], per_user: Context | None = None
) -> None:
    """After commit, e-mail `emails/<template>_subject.txt` + `emails/<template>.txt` to each
    user; `per_user(user)` adds recipient-specific context (e.g. "your claim")."""
    ids = sorted(set(user_ids))
    if ids:
        transaction.on_commit(lambda: send_now(ids, template, context, per_user))


def send_now(
    user_ids: list[int], template: str, context: dict[str, Any], per_user: Context | None = None
) -> int:
    from vetbridge.accounts.models import User

    users = User.objects.filter(pk__in=user_ids, is_active=True, email_notifications=True).exclude(
        email=""
    )
    messages = []
    for user in users:
        ctx = {**context, "recipient": user, **(per_user(user) if per_user else {})}
        with translation.override(user.language):
            subject = " ".join(render_to_string(f"emails/{template}_subject.txt", ctx).split())
            body = render_to_string(f"emails/{template}.txt", ctx)
        message = EmailMessage(subject, body, to=[user.email])
        message.extra_headers["Content-Language"] = user.language
        messages.append(message)
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except OSError:
        log.exception("e-mail notices not sent (%s to %d users)", template, len(messages))
        return 0
