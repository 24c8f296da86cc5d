"""One error format for every 4xx: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from vetbridge.core.exceptions import ApplicationError

FIELD_REASONS = {
    "missing": lambda: _("This field is required."),
    "string_too_long": lambda: _("The value is too long."),
    "string_too_short": lambda: _("The value is too short."),
    "date_from_datetime_parsing": lambda: _("Not a valid date (use YYYY-MM-DD)."),
    "date_parsing": lambda: _("Not a valid date (use YYYY-MM-DD)."),
    "date_from_datetime_inexact": lambda: _("Not a valid date (use YYYY-MM-DD)."),
    "int_parsing": lambda: _("Not a whole number."),
    "literal_error": lambda: _("Not one of the allowed values."),
    "enum": lambda: _("Not one of the allowed values."),
    "json_invalid": lambda: _("The request body is not valid JSON."),
    "extra_forbidden": lambda: _("Unknown field."),
}


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def _app_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body(exc.code, exc.message, exc.fields, **exc.extra),
            status=exc.status_code,
        )

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            loc = [
                str(p)
                for p in err.get("loc", ())
                if p not in ("body", "query", "path", "payload", "data")
            ]
            key = ".".join(loc) or "__all__"
            reason = FIELD_REASONS.get(err.get("type", ""))
            fields.setdefault(key, []).append(reason() if reason else str(err.get("msg", "")))
        return api.create_response(
            request, error_body("invalid", _("Some fields are not valid."), fields), status=422
        )

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return api.create_response(
            request, error_body("invalid", _("Some fields are not valid."), fields), status=400
        )

    # Defence in depth: a value the schema allows but the database cannot store (a NUL
    # character on PostgreSQL, a number beyond 64 bits) is the client's error, never a 500.
    # Field-level checks (the input gate) name the field; this answers what slips through.
    # The transaction of the request was already rolled back when the handler runs.
    @api.exception_handler(DataError)
    @api.exception_handler(OverflowError)
    def _unstorable(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request,
            error_body(
                "invalid",
                _("A value is out of range or contains a character that cannot be stored."),
            ),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def _auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        refusal = getattr(request, "vetbridge_token_refusal", None)
        if refusal == "expired":
            body = error_body(
                "token_expired",
                _("This API token has expired. Create a new one on your account page."),
            )
        elif refusal == "revoked":
            body = error_body(
                "token_revoked",
                _("This API token was revoked. Create a new one on your account page."),
            )
        elif refusal == "invalid":
            body = error_body("token_invalid", _("This API token is not valid."))
        else:
            body = error_body("unauthenticated", _("Authentication required."))
        response = api.create_response(request, body, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(PermissionDenied)
    def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, error_body("forbidden", _("Your role does not allow this action.")), status=403
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body("not_found", _("Not found.")), status=404)

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja raises these with English text (e.g. an unparsable body): answer in the
        # user's language, keeping ninja's words only as a detail for developers.
        if exc.status_code == 403:  # ninja's CSRF check of session-authenticated calls
            return api.create_response(
                request,
                error_body(
                    "csrf_failed",
                    _(
                        "The CSRF check failed: send the CSRF token with your session, or "
                        "authenticate with a bearer token."
                    ),
                    detail=str(exc),
                ),
                status=403,
            )
        message = (
            _("The request body is not valid JSON.")
            if exc.status_code == 400
            else _("The request could not be understood.")
        )
        return api.create_response(
            request, error_body("bad_request", message, detail=str(exc)), status=exc.status_code
        )
