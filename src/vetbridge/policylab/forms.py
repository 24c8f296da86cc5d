from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vetbridge.core.forms import DATE, ServiceErrorsMixin
from vetbridge.rules.reform import example_reforms, load_reform

from .models import PopulationKind


def reform_choices() -> list[tuple[str, Any]]:
    return [("", _("No reform (baseline only)"))] + [
        (key, load_reform(path).name) for key, path in example_reforms().items()
    ]


class RunForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    population_kind = forms.ChoiceField(
        label=_("Population"),
        choices=PopulationKind.choices,
        initial=PopulationKind.SYNTHETIC,
        widget=forms.RadioSelect,
    )
    synthetic_size = forms.IntegerField(
        label=_("Persons in the synthetic population"),
        min_value=1,
        max_value=2_000_000,
        initial=10_000,
        required=False,
    )
    synthetic_seed = forms.IntegerField(
        label=_("Seed of the synthetic population"),
        min_value=0,
        max_value=2**31,
        initial=2026,
        required=False,
    )
    upload = forms.FileField(
        label=_("File of anonymised cases (CSV or Parquet)"),
        required=False,
        help_text=_(
            "One row per infirmity: person_id, rate, cause, "
            "context; optional region, status, country, "
            "ua_group."
        ),
    )
    date = forms.DateField(label=_("Law in force on"), widget=DATE)
    reform_key = forms.ChoiceField(label=_("Reform"), required=False, choices=())
    reform_yaml = forms.CharField(
        label=_("Or your own reform (YAML)"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("Overrides the reform chosen above. See the shipped reforms for the format."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["reform_key"]
        field.choices = reform_choices()
        self.fields["date"].initial = timezone.localdate()
