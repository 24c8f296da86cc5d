"""The error contract: services raise these; views and the API turn them into responses."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business rule refused the operation. `message` is already translated."""

    status_code = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}

    def full_text(self) -> str:
        """The message followed by every field's reason: for a one-line flash message."""
        return " ".join([self.message, *(m for msgs in self.fields.values() for m in msgs)])


def field_error(field: str, message: str) -> ApplicationError:
    """The usual refusal of one field: "Some fields are not valid." with the field's reason."""
    from django.utils.translation import gettext as _

    return ApplicationError(_("Some fields are not valid."), fields={field: [message]})


class NotFoundError(ApplicationError):
    status_code = 404
    code = "not_found"


class PermissionDeniedError(ApplicationError):
    status_code = 403
    code = "forbidden"


class ConflictError(ApplicationError):
    """Optimistic locking: the record changed since the client read it."""

    status_code = 409
    code = "conflict"


class UnprocessableError(ApplicationError):
    """A value the schema lets through but the record cannot hold (e.g. null for a required
    choice): refused like a schema error."""

    status_code = 422
