from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vetbridge.core.forms import DATE, ServiceErrorsMixin

from . import whodas
from .models import EpisodeKind, GoalDomain


class InjuryForm(ServiceErrorsMixin, forms.Form):
    icd10 = forms.CharField(
        label=_("ICD-10 code"),
        max_length=8,
        help_text=_("For example S58.1 (traumatic amputation of the forearm) or F43.1 (PTSD)."),
    )
    label = forms.CharField(label=_("Injury"), max_length=200)
    occurred_on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    context = forms.CharField(label=_("Circumstances"), required=False, max_length=200)


class EpisodeForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of care"), choices=EpisodeKind.choices)
    provider = forms.CharField(label=_("Provider"), max_length=200)
    started_on = forms.DateField(label=_("From"), widget=DATE)
    ended_on = forms.DateField(label=_("Until"), required=False, widget=DATE)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class GoalForm(ServiceErrorsMixin, forms.Form):
    domain = forms.ChoiceField(label=_("Domain"), choices=GoalDomain.choices)
    description = forms.CharField(label=_("Goal"), max_length=300)
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DATE)


class WhodasForm(ServiceErrorsMixin, forms.Form):
    assessed_on = forms.DateField(label=_("Date of the assessment"), widget=DATE)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for code, label in whodas.ITEMS:
            self.fields[code] = forms.TypedChoiceField(
                label=f"{code}. {label}",
                coerce=int,
                # Each level shows the WHO form's printed code (1–5); the value is 0–4.
                choices=[(v, f"{whodas.who_code(v)} — {text}") for v, text in whodas.LEVELS],
                widget=forms.RadioSelect,
            )


class UaFunctioningForm(ServiceErrorsMixin, forms.Form):
    assessed_on = forms.DateField(label=_("Date of the decision"), widget=DATE)
    group = forms.TypedChoiceField(
        label=_("Disability group"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("none")), (1, "I"), (2, "II"), (3, "III")],
    )
    valid_until = forms.DateField(
        label=_("Term until"),
        required=False,
        widget=DATE,
        help_text=_("Empty when set without a term."),
    )
    decision_ref = forms.CharField(label=_("Decision reference"), required=False, max_length=100)


class AppointmentForm(ServiceErrorsMixin, forms.Form):
    at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    with_whom = forms.CharField(label=_("With"), max_length=200)
    place = forms.CharField(label=_("Where"), required=False, max_length=200)
    purpose = forms.CharField(label=_("Purpose"), required=False, max_length=300)


class FollowUpForm(ServiceErrorsMixin, forms.Form):
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    what = forms.CharField(label=_("What to do"), max_length=300)


class NoteForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


FORMS = {
    "injury": InjuryForm,
    "episode": EpisodeForm,
    "goal": GoalForm,
    "whodas": WhodasForm,
    "ua_functioning": UaFunctioningForm,
    "appointment": AppointmentForm,
    "followup": FollowUpForm,
    "note": NoteForm,
}
