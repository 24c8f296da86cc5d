"""Form helpers shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms

from .exceptions import ApplicationError
from .inputs import MULTI_LINE, SINGLE_LINE, TextGateValidator

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TextGateMixin:
    """The input gate (`core.inputs`) on every text field of the form: control characters
    refused, new lines only in a Textarea; the error is on the field."""

    def full_clean(self) -> None:
        form: Any = self
        for field in form.fields.values():
            if isinstance(field, forms.CharField) and not any(
                isinstance(v, TextGateValidator) for v in field.validators
            ):
                gate = MULTI_LINE if isinstance(field.widget, forms.Textarea) else SINGLE_LINE
                field.validators = [*field.validators, gate]
        super().full_clean()  # type: ignore[misc]


class ServiceErrorsMixin(TextGateMixin):
    """Put an ApplicationError's field errors on the form fields they name (and apply the
    input gate)."""

    def add_service_error(self, exc: ApplicationError) -> None:
        form: Any = self
        if not exc.fields:
            form.add_error(None, exc.message)
        for field, messages in exc.fields.items():
            key = field.rsplit(".", 1)[-1]
            target = key if key in form.fields else None
            for message in messages:
                form.add_error(target, message)
