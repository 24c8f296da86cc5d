"""The site's own localised 404 page also when DEBUG is on.

With DEBUG, Django answers an unknown address with its English technical page; a person
trying the platform under `make run` should read the same page, in their language, as in
production. Only HTML 404 answers that are not already the site's page are replaced; JSON
(the API's error contract) passes through untouched. Off when DEBUG is off: production uses
`handler404` directly.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class FriendlyDebug404Middleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not getattr(response, "vetbridge_page", False)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            from .views import handler404

            return handler404(request)
        return response
