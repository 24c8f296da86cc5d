"""Form helpers shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms

from .exceptions import ApplicationError

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceErrorsMixin:
    """Put an ApplicationError's field errors on the form fields they name."""

    def add_service_error(self, exc: ApplicationError) -> None:
        form: Any = self
        if not exc.fields:
            form.add_error(None, exc.message)
        for field, messages in exc.fields.items():
            key = field.rsplit(".", 1)[-1]
            target = key if key in form.fields else None
            for message in messages:
                form.add_error(target, message)
