"""API authentication: a bearer token (`Authorization: Bearer vb_…`) or the web session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from vetbridge.accounts.models import ApiToken, User
from vetbridge.core.exceptions import PermissionDeniedError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = ApiToken.lookup(token)
        if api_token is None:
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
