from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Role
from vetbridge.core.forms import DATE, ServiceErrorsMixin, TextGateMixin
from vetbridge.core.models import Region

from .models import Lifecycle, LinkKind, NameLanguage, Person, Sex, StatusKind
from .name_index import Born

BORN_ERROR = _("Enter a year (YYYY) or a date (YYYY-MM-DD).")


class PersonForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "birth_date",
            "birth_place",
            "sex",
            "region",
            "lifecycle",
            "lifecycle_date",
            "phone",
            "email",
            "address",
            "preferred_language",
            "contact_person",
            "external_id",
        ]
        widgets = {"birth_date": DATE, "lifecycle_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_person"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            role=Role.CASE_WORKER, is_active=True
        ).order_by("last_name", "username")
        self.fields["region"].queryset = Region.objects.all()  # type: ignore[attr-defined]

    def validate_unique(self) -> None:
        # Uniqueness is checked by the service, inside its transaction.
        pass


class NameForm(ServiceErrorsMixin, forms.Form):
    surname = forms.CharField(label=_("Surname"), max_length=120)
    given_name = forms.CharField(label=_("Given name"), max_length=120, required=False)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=120, required=False)
    language = forms.ChoiceField(
        label=_("Language of spelling"), choices=NameLanguage.choices, initial=NameLanguage.UK
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=120,
        required=False,
        help_text=_("Where this spelling was seen: passport, press, list…"),
    )
    is_preferred = forms.BooleanField(
        label=_("Preferred spelling in this language"), required=False
    )


class PersonCreateForm(PersonForm):
    surname = forms.CharField(label=_("Surname"), max_length=120)
    given_name = forms.CharField(label=_("Given name"), max_length=120, required=False)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=120, required=False)
    name_language = forms.ChoiceField(
        label=_("Language of spelling"), choices=NameLanguage.choices, initial=NameLanguage.UK
    )

    field_order = ["surname", "given_name", "patronymic", "name_language"]


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Status"), choices=StatusKind.choices)
    disability_group = forms.TypedChoiceField(
        label=_("Disability group"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "I"), (2, "II"), (3, "III")],
        help_text=_("Only for a disability due to war."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    document_type = forms.CharField(label=_("Proving document"), max_length=120)
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    document_date = forms.DateField(label=_("Document date"), required=False, widget=DATE)
    issuer = forms.CharField(label=_("Issued by"), max_length=200, required=False)


class FamilyLinkForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("This person has a"), choices=LinkKind.choices)
    relative = forms.IntegerField(label=_("Registry number of the relative"), min_value=1)


class PersonFilterForm(TextGateMixin, forms.Form):
    # No max_length: an over-long search is cut by the selector, with a notice, not refused.
    q = forms.CharField(
        label=_("Name or external identifier"),
        required=False,
        help_text=_("Any script or spelling: Шевченко, Shevchenko, Chevtchenko…"),
    )
    lifecycle = forms.ChoiceField(
        label=_("Lifecycle"), required=False, choices=[("", _("All")), *Lifecycle.choices]
    )
    status = forms.ChoiceField(
        label=_("Current status"), required=False, choices=[("", _("All")), *StatusKind.choices]
    )
    region = forms.ModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.all(), empty_label=_("All")
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", _("All")), *Sex.choices])
    born = forms.CharField(
        label=_("Born (year or date)"),
        required=False,
        max_length=10,
        help_text=_("YYYY or YYYY-MM-DD: tells namesakes apart."),
    )
    patronymic = forms.CharField(label=_("Patronymic"), required=False, max_length=120)

    def clean_born(self) -> Born | None:
        value = self.cleaned_data.get("born", "").strip()
        if not value:
            return None
        try:
            return Born.parse(value)
        except ValueError:
            raise forms.ValidationError(BORN_ERROR, code="invalid") from None


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: external_id, surname, given_name, patronymic, birth_date, sex, status. UTF-8."
        ),
    )
    keep_valid = forms.BooleanField(
        label=_("Import the valid rows even if some are rejected"), required=False
    )
