from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vetbridge.core.forms import DATE, ServiceErrorsMixin

from .models import CONTACT_FIELDS, CONTACT_LABELS, Outcome, Partner, ServiceKind


class ReferralForm(ServiceErrorsMixin, forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.filter(active=True)
    )
    service = forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)
    message = forms.CharField(
        label=_("What the partner needs to know"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shared with the partner. No medical details."),
    )
    consent_on = forms.DateField(label=_("Consent given on"), widget=DATE)
    consent_text = forms.CharField(
        label=_("What the veteran agreed to share"),
        max_length=300,
        help_text=_("For example: name, phone and the need for a job."),
    )
    shared_contacts = forms.MultipleChoiceField(
        label=_("Contact details the veteran agreed to give the partner"),
        required=False,
        choices=[(f, CONTACT_LABELS[f]) for f in CONTACT_FIELDS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The partner sees only these, taken from the file when they read the referral."
        ),
    )


class OutcomeForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    note = forms.CharField(label=_("Outcome note"), required=False, max_length=1000)
