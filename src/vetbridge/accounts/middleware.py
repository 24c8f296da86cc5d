from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .models import User


class UserLanguageMiddleware:
    """A logged-in user's remembered language wins over cookie and browser headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        lang = getattr(user, "language", None) if user and user.is_authenticated else None
        if lang in self.codes:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        if lang in self.codes:
            response.headers.setdefault("Content-Language", lang)
        return response


# Pages a session that still owes its second factor may open (names, with namespace).
SECOND_FACTOR_OPEN = {
    "accounts:mfa_verify",
    "accounts:mfa_setup",
    "accounts:logout",
    "accounts:set_language",
    "health",
    "accounts:login",
}


class SecondFactorMiddleware:
    """A signed-in session that owes its second factor (accounts.mfa) reaches only the
    verification, enrolment and sign-out pages; anything else leads there, with a message
    that says why. API calls on such a session get a 403 in the error format."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from . import mfa

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not mfa.is_pending(request):
            return self.get_response(request)
        if request.path.startswith(
            settings.STATIC_URL
            if settings.STATIC_URL.startswith("/")
            else "/" + settings.STATIC_URL
        ):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
            name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        except Resolver404:
            name = None
        if name in SECOND_FACTOR_OPEN:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            if request.META.get("HTTP_AUTHORIZATION"):
                return self.get_response(request)  # a bearer token, not this session
            from vetbridge.api.errors import error_body

            return JsonResponse(
                error_body(
                    "second_factor_required",
                    _("Confirm your second factor on the sign-in page first."),
                ),
                status=403,
            )
        assert isinstance(user, User)
        enrolled = mfa.has_second_factor(user)
        messages.info(
            request,
            _("Enter the code from your authenticator app to continue.")
            if enrolled
            else _("Your role requires a second factor. Set up an authenticator app to continue."),
        )
        target = reverse("accounts:mfa_verify" if enrolled else "accounts:mfa_setup")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)


IDLE_SESSION_KEY = "vetbridge_last_seen"


class SessionIdleMiddleware:
    """Staff sessions end after `VETBRIDGE_SESSION_IDLE_MINUTES` without a request (30 by
    default). The last-seen time is stored at most once a minute (no write per request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated or not user.is_staff_role:
            return self.get_response(request)
        if request.path.startswith("/api/") and request.META.get("HTTP_AUTHORIZATION"):
            return self.get_response(request)
        idle = int(getattr(settings, "VETBRIDGE_SESSION_IDLE_MINUTES", 30)) * 60
        now = int(time.time())
        last = request.session.get(IDLE_SESSION_KEY)
        if isinstance(last, int) and idle > 0 and now - last > idle:
            logout(request)
            if request.path.startswith("/api/"):
                from vetbridge.api.errors import error_body

                return JsonResponse(
                    error_body(
                        "session_expired",
                        _("Your session ended after a period of inactivity. Sign in again."),
                    ),
                    status=401,
                )
            messages.info(
                request, _("Your session ended after a period of inactivity. Sign in again.")
            )
            return redirect_to_login(request.get_full_path())
        if not isinstance(last, int) or now - last >= 60:
            request.session[IDLE_SESSION_KEY] = now
            if idle > 0:
                request.session.set_expiry(idle)
        return self.get_response(request)
