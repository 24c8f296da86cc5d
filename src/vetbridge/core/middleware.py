from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .client_ip import client_ip
from .request_context import Origin, reset_origin, set_origin

__all__ = ["RequestContextMiddleware", "client_ip"]


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        token = set_origin(
            Origin(
                channel=channel,
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                path=request.path[:300],
            )
        )
        try:
            return self.get_response(request)
        finally:
            reset_origin(token)


class InputGateMiddleware:
    """The input gate (`core.inputs`) for what no form sees: every query parameter (searches,
    filters, pages) of every page and endpoint, and the JSON bodies and form fields of the API.

    A refused value answers 422 in the API's error contract, or a 400 page on the site,
    naming each field and its reason; the view never runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .inputs import data_text_errors, text_problem

        errors: dict[str, list[str]] = {}
        for key, values in request.GET.lists():  # searches and filters: one line each
            for value in [key, *values]:
                problem = text_problem(value)
                if problem:
                    errors.setdefault(key if value is not key else "__all__", []).append(problem)
        is_api = request.path.startswith("/api/")
        if is_api and request.method in ("POST", "PUT", "PATCH"):
            content_type = request.META.get("CONTENT_TYPE", "")
            if content_type.startswith("application/json"):
                try:
                    data = json.loads(request.body or b"null")
                except (ValueError, UnicodeDecodeError):
                    data = None  # the API answers its own "not valid JSON"
                errors |= data_text_errors(data)
            elif content_type.startswith(
                ("multipart/form-data", "application/x-www-form-urlencoded")
            ):
                errors |= data_text_errors(dict(request.POST.items()))
        if not errors:
            return self.get_response(request)
        message = _("Some fields are not valid.")
        if is_api:
            return JsonResponse(
                {"error": {"code": "invalid", "message": message, "fields": errors}}, status=422
            )
        from .views import error_page

        details = "; ".join(f"{field}: {' '.join(reasons)}" for field, reasons in errors.items())
        return error_page(request, 400, f"{message} {details}")
