from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability

from .exceptions import ApplicationError

View = Callable[..., HttpResponseBase]


def permission_required_page(capability: Capability) -> Callable[[View], View]:
    """Login required, then the capability; ApplicationErrors become friendly error pages."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not isinstance(user, User) or not user.can(capability):
                return error_page(request, 403, _("Your role does not allow this page."))
            try:
                return view(request, *args, **kwargs)
            except ApplicationError as exc:
                return error_page(request, exc.status_code, exc.message)

        return wrapped

    return decorator


def signed_in_user(request: HttpRequest) -> User:
    """The account of a request that `permission_required_page` let through."""
    assert isinstance(request.user, User)
    return request.user


def error_page(request: HttpRequest, status: int, message: str) -> HttpResponse:
    response = render(request, "error.html", {"status": status, "message": message}, status=status)
    response.vetbridge_page = True  # type: ignore[attr-defined]  # see debug_errors
    return response


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    assert isinstance(user, User)
    from .homepage import panels_for

    return render(request, "home.html", {"panels": panels_for(user)})


def glossary(request: HttpRequest) -> HttpResponse:
    """Terms explained in plain words; public, like the memorial."""
    from .glossary import TERMS

    return render(request, "glossary.html", {"terms": TERMS})


def favicon(request: HttpRequest) -> HttpResponseBase:
    """Browsers ask for /favicon.ico whatever the page says: send them to the static icon."""
    from django.templatetags.static import static

    return redirect(static("favicon.svg"), permanent=True)


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404, _("This page does not exist."))


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403, _("You do not have access to this page."))


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400, _("The request could not be understood."))


def handler500(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "error.html",
        {
            "status": 500,
            "message": _("An unexpected error occurred. It has been logged."),
        },
        status=500,
    )
