from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from vetbridge.core.forms import DATE, ServiceErrorsMixin, TextGateMixin

from .models import Addition, Cause, ClaimKind, ClaimState, Context, Residence


class ClaimFileForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of claim"), choices=ClaimKind.choices)
    statement = forms.CharField(label=_("What happened"), required=False, max_length=4000,
                                widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("The wound or illness, where and when."))
    residence = forms.ChoiceField(label=_("Place of residence"), choices=Residence.choices,
                                  initial=Residence.METROPOLE)
    revision_of = forms.TypedChoiceField(label=_("Pension to revise"), required=False,
                                         coerce=int, empty_value=None, choices=[])
    disability_group = forms.TypedChoiceField(
        label=_("Disability group"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), (1, "I"), (2, "II"), (3, "III")])
    ua_cause = forms.ChoiceField(label=_("Cause"), required=False, choices=[
        ("", "—"), ("duty", _("in the performance of duties (defence of the Motherland)")),
        ("service", _("during the period of service"))])
    group_set_at = forms.DateField(label=_("Date the group was set"), required=False,
                                   widget=DATE)
    death_date = forms.DateField(label=_("Date of death"), required=False, widget=DATE)
    recipients = forms.IntegerField(label=_("Family members entitled"), required=False,
                                    min_value=1, max_value=50)
    document = forms.FileField(label=_("Supporting document (PDF, PNG or JPEG)"),
                               required=False)

    def __init__(self, *args: object, revisable: list[tuple[int, str]] | None = None,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["revision_of"].choices = [("", "—"), *(revisable or [])]  # type: ignore[attr-defined]


class DocumentForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(label=_("Document (PDF, PNG or JPEG)"))
    description = forms.CharField(label=_("Description"), required=False, max_length=200)


class TransitionForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class InfirmityForm(TextGateMixin, forms.Form):
    label = forms.CharField(label=_("Infirmity"), max_length=200)
    icd10 = forms.CharField(label=_("ICD-10 code"), max_length=8, required=False)
    rate = forms.DecimalField(label=_("Rate (%)"), max_digits=5, decimal_places=2,
                              min_value=Decimal("0.01"), max_value=Decimal("100"))
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices)
    context = forms.ChoiceField(label=_("Context"), choices=Context.choices)
    addition = forms.ChoiceField(label=_("How it adds up"), choices=Addition.choices)
    grouping = forms.CharField(label=_("Same limb or same injury"), max_length=60,
                               required=False)
    incurable = forms.BooleanField(label=_("Incurable"), required=False)

    def has_changed(self) -> bool:
        """A row counts once its infirmity is named: the selects of an untouched extra row
        carry their first option, which is not a change."""
        return bool(str(self.data.get(self.add_prefix("label"), "")).strip()) or \
            super().has_changed() and bool(self.initial)


InfirmityFormSet = forms.formset_factory(InfirmityForm, extra=2, max_num=20,
                                         validate_max=True)


class DecideForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    grant = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "1", choices=[
        ("1", _("Grant")), ("0", _("Reject"))], widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reasons"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Required for a rejection."))


class QueueFilterForm(TextGateMixin, forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states")), *ClaimState.choices])
    kind = forms.ChoiceField(label=_("Kind of claim"), required=False,
                             choices=[("", _("All kinds")), *ClaimKind.choices])
    stalled_days = forms.IntegerField(label=_("In this state for more than (days)"),
                                      required=False, min_value=1, max_value=3650)
