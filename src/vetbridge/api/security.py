"""API authentication: a bearer token (`Authorization: Bearer vb_…`) or the web session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from vetbridge.accounts.models import ApiToken, User
from vetbridge.core.exceptions import PermissionDeniedError

TOKEN_REFUSAL_ATTR = "vetbridge_token_refusal"  # noqa: S105 (an attribute name)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = ApiToken.find(token)
        if api_token is None or not api_token.user.is_active:
            setattr(request, TOKEN_REFUSAL_ATTR, "invalid")
            return None
        refusal = api_token.refusal()
        if refusal:
            # Said in the 401 answer (api.errors): expired or revoked, not just "unknown".
            setattr(request, TOKEN_REFUSAL_ATTR, refusal)
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


AUTH = [TokenAuth(), SessionAuth()]


def api_user(request: HttpRequest) -> User:
    """The authenticated account of an API request (every router requires authentication)."""
    if not isinstance(request.user, User):
        raise PermissionDeniedError(_("Your role does not allow this action."))
    return request.user
