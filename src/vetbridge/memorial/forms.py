from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vetbridge.core.forms import DATE, ServiceErrorsMixin, TextGateMixin
from vetbridge.core.models import Region

from .models import PublicationBasis, TributeKind


class SearchForm(TextGateMixin, forms.Form):
    q = forms.CharField(label=_("Name, in any script or spelling"), required=False,
                        help_text=_("Шевченко, Shevchenko, Chevtchenko, Schewtschenko…"))
    death_from = forms.DateField(label=_("Died from"), required=False, widget=DATE)
    death_to = forms.DateField(label=_("Died until"), required=False, widget=DATE)
    death_place = forms.CharField(label=_("Place of death"), required=False, max_length=100)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=100)
    birth_region = forms.ModelChoiceField(label=_("Region of birth"), required=False,
                                          queryset=Region.objects.all())
    burial_place = forms.CharField(label=_("Burial place"), required=False, max_length=100)


class TributeForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What you are sending"), choices=TributeKind.choices)
    author_name = forms.CharField(label=_("Your name"), max_length=120)
    relation = forms.CharField(label=_("Your relation to the person"), required=False,
                               max_length=120)
    text = forms.CharField(label=_("Your words"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("They will appear after a memorial editor reads them."))
    photo = forms.FileField(label=_("Photo (JPEG or PNG, at most 5 MB)"), required=False)


class RecordForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    rank = forms.CharField(label=_("Rank"), required=False, max_length=80)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=200)
    death_date = forms.DateField(label=_("Date of death"), required=False, widget=DATE)
    death_place = forms.CharField(label=_("Place of death"), required=False, max_length=200)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900,
                                    max_value=2100)
    birth_region = forms.ModelChoiceField(label=_("Region of birth"), required=False,
                                          queryset=Region.objects.all())
    burial_place = forms.CharField(label=_("Burial place"), required=False, max_length=200)
    circumstances = forms.CharField(label=_("Circumstances"), required=False, max_length=4000,
                                    widget=forms.Textarea(attrs={"rows": 4}))
    sources = forms.CharField(label=_("Sources"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(label=_("Source of this change"), max_length=300,
                             help_text=_("Where the new information comes from."))


class PublishForm(ServiceErrorsMixin, forms.Form):
    publication_basis = forms.ChoiceField(label=_("Basis"), choices=PublicationBasis.choices,
                                          widget=forms.RadioSelect)
    publication_note = forms.CharField(label=_("Consent or decision reference"),
                                       max_length=300)


class UnpublishForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for unpublishing"), max_length=300)


class ImportForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "Columns: external_id, surname, given_name, death_date; optional: patronymic, "
        "surname_en, given_name_en, surname_fr, given_name_fr, birth_year, birth_region, "
        "death_place, unit, rank, burial_place, circumstances, sources. UTF-8."))
    keep_valid = forms.BooleanField(label=_("Import the valid rows even if others are "
                                            "rejected"), required=False)
