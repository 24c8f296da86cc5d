from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from vetbridge.core.forms import TextGateMixin

from .audit import audit_record
from .models import AuditAction
from .selectors import AUDIT_FIRST_DAY, AUDIT_LAST_DAY


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class AuditFilterForm(TextGateMixin, forms.Form):
    actor = forms.CharField(label=_("Username"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All actions")), *AuditAction.choices],
    )
    object_type = forms.CharField(label=_("Record type"), required=False, max_length=64)
    person = forms.IntegerField(
        label=_("Person number"), required=False, min_value=1, max_value=2**63 - 1
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        validators=[MinValueValidator(AUDIT_FIRST_DAY), MaxValueValidator(AUDIT_LAST_DAY)],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        validators=[MinValueValidator(AUDIT_FIRST_DAY), MaxValueValidator(AUDIT_LAST_DAY)],
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class TokenForm(TextGateMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the tool that uses it."),
    )


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The 6-digit code shown by your authenticator app, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form; the e-mail is written in the account's own language."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )
        audit_record(
            actor=None, action=AuditAction.UPDATE, obj=user, summary="password reset e-mail sent"
        )
