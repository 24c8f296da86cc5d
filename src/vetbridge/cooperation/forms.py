"""Forms of the cooperation pages: they parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vetbridge.core.forms import DATE, ServiceErrorsMixin

from .models import ActionStatus, Axis, MeetingKind, Objective, Organisation, OrganisationKind, Side
from .texts import localized

LANG_LABELS = {"uk": _("in Ukrainian"), "fr": _("in French"), "en": _("in English (optional)")}


def _text_fields(
    prefix: str,
    label: Any,
    widget: Any = None,
    max_length: int = 300,
) -> dict[str, forms.Field]:
    return {
        f"{prefix}_{code}": forms.CharField(
            label=_("%(what)s %(language)s") % {"what": label, "language": lang_label},
            required=False,
            max_length=max_length,
            widget=widget,
        )
        for code, lang_label in LANG_LABELS.items()
    }


def texts_of(cleaned: dict[str, Any], prefix: str) -> dict[str, str]:
    return {code: cleaned.get(f"{prefix}_{code}") or "" for code in LANG_LABELS}


class AxisChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return localized(obj.name).text


class ObjectiveChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {localized(obj.title).text}"


class ActionForm(ServiceErrorsMixin, forms.Form):
    axis = AxisChoice(label=_("Axis"), queryset=Axis.objects.all())
    objective = ObjectiveChoice(
        label=_("Objective"), queryset=Objective.objects.all(), required=False
    )
    lead_fr = forms.ModelChoiceField(
        label=_("French lead institution"),
        required=False,
        queryset=Organisation.objects.filter(country=Side.FR),
    )
    lead_ua = forms.ModelChoiceField(
        label=_("Ukrainian lead institution"),
        required=False,
        queryset=Organisation.objects.filter(country=Side.UA),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"), required=False, queryset=Organisation.objects.all()
    )
    start_on = forms.DateField(label=_("Start"), required=False, widget=DATE)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DATE)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100, initial=0)
    is_public = forms.BooleanField(label=_("Show on the public page"), required=False)
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = dict(self.fields)
        self.fields = {"axis": fields["axis"], "objective": fields["objective"]}
        self.fields.update(_text_fields("title", _("Title")))
        self.fields.update(
            _text_fields("description", _("Description"), forms.Textarea(attrs={"rows": 3}), 4000)
        )
        for name, f in fields.items():
            if name not in self.fields:
                self.fields[name] = f


class StatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=ActionStatus.choices)
    progress = forms.IntegerField(
        label=_("Progress (%)"), min_value=0, max_value=100, required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DependencyForm(ServiceErrorsMixin, forms.Form):
    depends_on = forms.IntegerField(label=_("Depends on action number"), min_value=1)


class MilestoneForm(ServiceErrorsMixin, forms.Form):
    due_on = forms.DateField(label=_("Due"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_text_fields("title", _("Milestone")))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence (PDF, PNG or JPEG)"))


class RiskForm(ServiceErrorsMixin, forms.Form):
    likelihood = forms.IntegerField(label=_("Likelihood (1–5)"), min_value=1, max_value=5)
    impact = forms.IntegerField(label=_("Impact (1–5)"), min_value=1, max_value=5)
    mitigation = forms.CharField(label=_("Mitigation"), required=False, max_length=2000)
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=Organisation.objects.all()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_text_fields("description", _("Risk")))


class OrganisationForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("organisation", "Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    country = forms.ChoiceField(label=_("Country"), choices=Side.choices)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    referral_partner_id = forms.TypedChoiceField(
        label=_("The same organisation among the referral partners"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from vetbridge.reintegration.services import partners_directory

        super().__init__(*args, **kwargs)
        self.fields["referral_partner_id"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((p.pk, p.name) for p in partners_directory()),
        ]


class ContactForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    position = forms.CharField(label=_("Position"), required=False, max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    consent_on = forms.DateField(
        label=_("Consent given on"),
        required=False,
        widget=DATE,
        help_text=_("Without a consent the contact is never shown."),
    )
    consent_scope = forms.CharField(
        label=_("What the person agreed to"), required=False, max_length=300
    )


class MeetingForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"), required=False, queryset=Organisation.objects.all()
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    participants = forms.CharField(
        label=_("Participants"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_text_fields("title", _("Title")))


class MinutesForm(ServiceErrorsMixin, forms.Form):
    agenda = forms.CharField(
        label=_("Agenda"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    participants = forms.CharField(
        label=_("Participants"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(ServiceErrorsMixin, forms.Form):
    action = forms.IntegerField(label=_("Action number (to update)"), required=False, min_value=1)
    new_status = forms.ChoiceField(
        label=_("New status of the action"),
        required=False,
        choices=[("", "—"), *ActionStatus.choices],
    )
    new_action_axis = AxisChoice(
        label=_("Or create an action under the axis"), queryset=Axis.objects.all(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            _text_fields("text", _("Decision"), forms.Textarea(attrs={"rows": 2}), 2000)
        )


class IndicatorForm(ServiceErrorsMixin, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    axis = AxisChoice(label=_("Axis"), queryset=Axis.objects.all())
    objective = ObjectiveChoice(
        label=_("Objective"), queryset=Objective.objects.all(), required=False
    )
    action = forms.IntegerField(label=_("Action measured (number)"), required=False, min_value=1)
    unit = forms.ChoiceField(label=pgettext_lazy("indicator", "Unit"), choices=[])
    numerator = forms.ChoiceField(
        label=_("Numerator (computed from the platform)"), required=False, choices=[]
    )
    denominator = forms.ChoiceField(
        label=_("Denominator (for a share)"), required=False, choices=[]
    )
    baseline_value = forms.DecimalField(
        label=_("Baseline"), required=False, max_digits=14, decimal_places=2
    )
    baseline_on = forms.DateField(label=_("Baseline date"), required=False, widget=DATE)
    is_public = forms.BooleanField(label=_("Show on the public page"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from vetbridge.core.indicators import published

        from .models import IndicatorUnit

        super().__init__(*args, **kwargs)
        figures = [("", _("— entered by hand —")), *((c, c) for c in sorted(published()))]
        self.fields["numerator"].choices = figures  # type: ignore[attr-defined]
        self.fields["denominator"].choices = [("", "—"), *figures[1:]]  # type: ignore[attr-defined]
        self.fields["unit"].choices = IndicatorUnit.choices  # type: ignore[attr-defined]
        self.fields.update(_text_fields("name", pgettext_lazy("indicator", "Name")))
        self.fields.update(
            _text_fields("definition", _("Definition"), forms.Textarea(attrs={"rows": 2}), 2000)
        )


class TargetForm(ServiceErrorsMixin, forms.Form):
    period = forms.CharField(label=_("Quarter (YYYY-Qn)"), max_length=7)
    value = forms.CharField(label=_("Target"), max_length=20)


class ValueForm(ServiceErrorsMixin, forms.Form):
    period = forms.CharField(label=_("Quarter (YYYY-Qn)"), max_length=7)
    value = forms.CharField(label=_("Value"), max_length=20)
    breakdown = forms.CharField(
        label=_("Region code (empty: the whole)"), required=False, max_length=20
    )
    source = forms.CharField(label=_("Source"), max_length=300)


class RefreshForm(ServiceErrorsMixin, forms.Form):
    periods = forms.CharField(label=_("Quarters (YYYY-Qn, separated by spaces)"), max_length=200)
