from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
