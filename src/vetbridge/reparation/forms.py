from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from vetbridge.core.forms import DATE, ServiceErrorsMixin, TextGateMixin

from .kinds import KINDS, ClaimFiling, FrenchSituation
from .models import Addition, Cause, ClaimKind, ClaimState, Context, Grade, Residence

RATE_RE = re.compile(r"[0-9]{1,3}(?:[.,][0-9]+)?")


class PercentField(forms.CharField):
    """A percentage typed in any language: "12,5" and "12.5" are both 12.5, whatever the
    interface language; anything else is refused with a reason (never read as 125).

    A text input (inputmode="decimal"), not type="number": browsers drop or reinterpret what
    a number input cannot parse in their own locale, and the user would not see why."""

    def __init__(
        self,
        *,
        min_value: Decimal = Decimal("0.01"),
        max_value: Decimal = Decimal(100),
        **kwargs: Any,
    ) -> None:
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "maxlength": "12"})
        return attrs

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):  # shown as the reader writes it (12,5 in French)
            value = (
                value.quantize(Decimal(1))
                if value == value.to_integral_value()
                else value.normalize()
            )
            return formats.number_format(value, use_l10n=True)
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = str(super().to_python(value) or "").strip().replace("\u00a0", "")
        if not text:
            return None
        if not RATE_RE.fullmatch(text):
            raise forms.ValidationError(_("Enter a number, e.g. 12.5 or 12,5."), code="invalid")
        number = Decimal(text.replace(",", "."))
        if number != number.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("At most two decimals."), code="decimals")
        return number

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not self.min_value <= value <= self.max_value:
            raise forms.ValidationError(
                _("Enter a number from %(low)s to %(high)s.")
                % {
                    "low": formats.number_format(self.min_value, use_l10n=True),
                    "high": formats.number_format(self.max_value, use_l10n=True),
                },
                code="range",
            )


class DateListField(forms.CharField):
    """Several dates, one a line (or separated by commas): each read like a date field in
    the interface language (and as YYYY-MM-DD)."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(d.isoformat() if isinstance(d, dt.date) else str(d) for d in value)
        return value

    def to_python(self, value: Any) -> list[dt.date]:  # type: ignore[override]
        text = str(super().to_python(value) or "")
        one = forms.DateField()
        out = []
        for token in re.split(r"[\s,;]+", text.strip()):
            if not token:
                continue
            try:
                day = one.to_python(token)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date.") % {"value": token[:20]}, code="invalid"
                ) from None
            if day is not None:
                out.append(day)
        return out


class SituationMixin(forms.Form):
    """The French claimant's situation besides the infirmities (filing and the fiche)."""

    children_birth_dates = DateListField(
        label=_("Children's birth dates"),
        required=False,
        help_text=_("One date a line, e.g. 2015-09-01. Leave empty if none."),
    )
    grade = forms.ChoiceField(
        label=_("Last grade held"), choices=Grade.choices, initial=Grade.SOLDIER, required=False
    )
    left_service = forms.BooleanField(
        label=_("Has left the service"),
        required=False,
        help_text=_("While in active service the pension is paid at the soldier's rate."),
    )
    third_person = forms.BooleanField(
        label=_("Needs a third person for the acts of everyday life"), required=False
    )
    grand_mutile = forms.BooleanField(
        label=_("Grand mutilé conditions met (L125-11)"), required=False
    )

    SITUATION = FrenchSituation.SITUATION

    def situation(self) -> FrenchSituation:
        """The situation as typed (valid form only)."""
        return FrenchSituation.from_data({k: self.cleaned_data[k] for k in self.SITUATION})


class ClaimFileForm(ServiceErrorsMixin, SituationMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of claim"), choices=ClaimKind.choices)
    statement = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The wound or illness, where and when."),
    )
    residence = forms.ChoiceField(
        label=_("Place of residence"), choices=Residence.choices, initial=Residence.METROPOLE
    )
    revision_of = forms.TypedChoiceField(
        label=_("Pension to revise"), required=False, coerce=int, empty_value=None, choices=[]
    )
    disability_group = forms.TypedChoiceField(
        label=_("Disability group"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "I"), (2, "II"), (3, "III")],
    )
    ua_cause = forms.ChoiceField(
        label=_("Cause"),
        required=False,
        choices=[
            ("", "—"),
            ("duty", _("in the performance of duties (defence of the Motherland)")),
            ("service", _("during the period of service")),
        ],
    )
    group_set_at = forms.DateField(label=_("Date the group was set"), required=False, widget=DATE)
    death_date = forms.DateField(label=_("Date of death"), required=False, widget=DATE)
    death_record_date = forms.DateField(
        label=_("Date of the death record"),
        required=False,
        widget=DATE,
        help_text=_(
            "Date of the civil-status record of the death; it decides the payment schedule."
        ),
    )
    recipients = forms.IntegerField(
        label=_("Family members entitled"), required=False, min_value=1, max_value=50
    )
    document = forms.FileField(label=_("Supporting document (PDF, PNG or JPEG)"), required=False)

    COMMON = ("kind", "statement", "residence", "document")

    def __init__(
        self,
        *args: object,
        revisable: list[tuple[int, str]] | None = None,
        kind: str | None = None,
        **kwargs: object,
    ) -> None:
        """Only the fields of `kind` (the chosen claim type) are kept: a living veteran is
        never asked a date of death. Without a kind, only the choice of the type."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["revision_of"].choices = [("", "—"), *(revisable or [])]  # type: ignore[attr-defined]
        spec = KINDS.get(kind or "")
        self.claim_kind = spec.code if spec else None
        keep = {"kind"} if spec is None else {*self.COMMON, *spec.fields}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if spec is not None:
            self.fields["kind"].initial = spec.code
            for name in spec.required & set(self.fields):
                self.fields[name].required = True

    @property
    def situation_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in SituationMixin.SITUATION if n in self.fields]

    @property
    def kind_fields(self) -> list[forms.BoundField]:
        """The fields of the chosen type besides the French situation."""
        spec = KINDS.get(self.claim_kind or "")
        return [self[n] for n in (spec.fields if spec else ()) if n not in SituationMixin.SITUATION]

    def filing(self) -> ClaimFiling:
        """What the claimant files, typed (valid form of a chosen kind only)."""
        assert self.claim_kind is not None
        return ClaimFiling.from_fields(self.claim_kind, self.cleaned_data)


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
    rate = PercentField(label=_("Rate (%)"), help_text=_("e.g. 12,5 or 12.5"))
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices)
    context = forms.ChoiceField(label=_("Context"), choices=Context.choices)
    addition = forms.ChoiceField(label=_("How it adds up"), choices=Addition.choices)
    grouping = forms.CharField(label=_("Same limb or same injury"), max_length=60, required=False)
    incurable = forms.BooleanField(label=_("Incurable"), required=False)
    third_person = forms.BooleanField(label=_("Causes the need of a third person"), required=False)
    amputation_without_prosthesis = forms.BooleanField(
        label=_("Amputation that allows no prosthesis (+5)"), required=False
    )
    arithmetic_addition = PercentField(
        label=_("Points added arithmetically (L125-9)"),
        required=False,
        min_value=Decimal(0),
        help_text=_("Limb troubles indemnified as a majoration of this infirmity."),
    )

    def has_changed(self) -> bool:
        """A row counts once its infirmity is named: the selects of an untouched extra row
        carry their first option, which is not a change."""
        return (
            bool(str(self.data.get(self.add_prefix("label"), "")).strip())
            or super().has_changed()
            and bool(self.initial)
        )


InfirmityFormSet = forms.formset_factory(InfirmityForm, extra=2, max_num=20, validate_max=True)


class FicheForm(ServiceErrorsMixin, SituationMixin, forms.Form):
    """The rest of the assessor's fiche: the situation and the notes (kept when the
    infirmities have an error)."""

    medical_notes = forms.CharField(
        label=_("Assessor's notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NotifyForm(ServiceErrorsMixin, forms.Form):
    notified_on = forms.DateField(
        label=_("Notified to the claimant on"),
        widget=DATE,
        help_text=_("The day of receipt (acknowledgement of receipt); the deadline runs from it."),
    )
    by_post = forms.BooleanField(
        label=_("Sent by post (Ukraine: the date above is the day of sending)"), required=False
    )


class AdmissibilityForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    admissible = forms.TypedChoiceField(
        label=_("Is the late appeal admissible?"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Admissible")), ("0", _("Inadmissible"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Reasons"), max_length=500)


class ExpertiseForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    started_on = forms.DateField(label=_("Medical expertise notified on"), widget=DATE)
    ended_on = forms.DateField(
        label=_("Conclusions received on"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty while it runs."),
    )


class DecideForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    grant = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Grant")), ("0", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reasons"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a rejection."),
    )


class QueueFilterForm(TextGateMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *ClaimState.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind of claim"), required=False, choices=[("", _("All kinds")), *ClaimKind.choices]
    )
    stalled_days = forms.IntegerField(
        label=_("In this state for more than (days)"), required=False, min_value=1, max_value=3650
    )
    assigned = forms.ChoiceField(
        label=_("Assigned"),
        required=False,
        choices=[
            ("", _("Everyone's claims")),
            ("me", _("Assigned to me")),
            ("none", _("Not assigned")),
        ],
    )


class AssignForm(ServiceErrorsMixin, forms.Form):
    """Take a claim ("me"), give it to a colleague (their id) or release it ("")."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    assigned_to = forms.CharField(label=_("Assign to"), required=False, max_length=12)

    def clean_assigned_to(self) -> str:
        value = str(self.cleaned_data.get("assigned_to") or "").strip()
        if value not in ("", "me") and not value.isdigit():
            raise forms.ValidationError(_("Choose a colleague from the list."), code="invalid")
        return value
