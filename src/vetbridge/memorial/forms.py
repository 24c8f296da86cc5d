from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vetbridge.core.forms import DATE, ServiceErrorsMixin, TextGateMixin
from vetbridge.core.models import Region

from .models import CORRECTABLE, PublicationBasis, TributeKind


class SearchForm(TextGateMixin, forms.Form):
    q = forms.CharField(
        label=_("Name, in any script or spelling"),
        required=False,
        help_text=_("Шевченко, Shevchenko, Chevtchenko, Schewtschenko…"),
    )
    death_from = forms.DateField(label=_("Died from"), required=False, widget=DATE)
    death_to = forms.DateField(label=_("Died until"), required=False, widget=DATE)
    death_place = forms.CharField(label=_("Place of death"), required=False, max_length=100)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=100)
    birth_region = forms.ModelChoiceField(
        label=_("Region of birth"), required=False, queryset=Region.objects.all()
    )
    burial_place = forms.CharField(label=_("Burial place"), required=False, max_length=100)


class TributeForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What you are sending"), choices=TributeKind.choices)
    author_name = forms.CharField(label=_("Your name"), max_length=120)
    relation = forms.CharField(
        label=_("Your relation to the person"), required=False, max_length=120
    )
    text = forms.CharField(
        label=_("Your words"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("They will appear after a memorial editor reads them."),
    )
    photo = forms.FileField(label=_("Photo (JPEG or PNG, at most 5 MB)"), required=False)
    # A correction may propose values for the record's fields (all optional, beside the text).
    proposed_death_date = forms.DateField(
        label=_("Correct date of death"), required=False, widget=DATE
    )
    proposed_death_place = forms.CharField(
        label=_("Correct place of death"), required=False, max_length=200
    )
    proposed_birth_year = forms.IntegerField(
        label=_("Correct year of birth"), required=False, min_value=1900, max_value=2100
    )
    proposed_rank = forms.CharField(label=_("Correct rank"), required=False, max_length=80)
    proposed_unit = forms.CharField(label=_("Correct unit"), required=False, max_length=200)
    proposed_burial_place = forms.CharField(
        label=_("Correct burial place"), required=False, max_length=200
    )
    proposed_circumstances = forms.CharField(
        label=_("Correct circumstances"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.EmailField(
        label=_("Your e-mail (optional)"),
        required=False,
        max_length=200,
        help_text=_("Only to tell you what the editors decided about a correction; never shown."),
    )

    def proposal_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("proposed_")]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("proposed_")]


class CorrectionForm(ServiceErrorsMixin, forms.Form):
    """Which proposed value goes to which record field (or none)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, proposal: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("do not apply")), *CORRECTABLE.items()]
        for key in proposal:
            self.fields[f"target_{key}"] = forms.ChoiceField(
                label=CORRECTABLE.get(key, key),
                choices=choices,
                required=False,
                initial=key,
                help_text=_("Record field that receives this value."),
            )


class CorrectionRejectForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting"), max_length=300)


class RecordForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    rank = forms.CharField(label=_("Rank"), required=False, max_length=80)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=200)
    death_date = forms.DateField(label=_("Date of death"), required=False, widget=DATE)
    death_place = forms.CharField(label=_("Place of death"), required=False, max_length=200)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1900, max_value=2100
    )
    birth_region = forms.ModelChoiceField(
        label=_("Region of birth"), required=False, queryset=Region.objects.all()
    )
    burial_place = forms.CharField(label=_("Burial place"), required=False, max_length=200)
    circumstances = forms.CharField(
        label=_("Circumstances"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sources = forms.CharField(
        label=_("Sources"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    source = forms.CharField(
        label=_("Source of this change"),
        max_length=300,
        help_text=_("Where the new information comes from."),
    )


class PublishForm(ServiceErrorsMixin, forms.Form):
    publication_basis = forms.ChoiceField(
        label=_("Basis"), choices=PublicationBasis.choices, widget=forms.RadioSelect
    )
    publication_note = forms.CharField(label=_("Consent or decision reference"), max_length=300)


class UnpublishForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for unpublishing"), max_length=300)


class ImportForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: external_id, surname, given_name, death_date; optional: patronymic, "
            "surname_en, given_name_en, surname_fr, given_name_fr, birth_year, birth_region, "
            "death_place, unit, rank, burial_place, circumstances, sources. UTF-8."
        ),
    )
    keep_valid = forms.BooleanField(
        label=_("Import the valid rows even if others are rejected"), required=False
    )
