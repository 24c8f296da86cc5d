"""Forms of the simulator: every error names its field, in the reader's language."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vetbridge.core.forms import DATE
from vetbridge.reparation.choices import Addition, Cause, Context

from .cases import DECEASED, LIVING, InfirmityIn, Situation, grade_label, known_grades

EARLIEST = dt.date(1950, 1, 1)
LATEST = dt.date(2100, 12, 31)
_NUMBER = re.compile(r"^\d{1,3}(?:[.,]\d+)?$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse_rate(raw: str) -> Decimal | None:
    """'12,5', '12.5', ' 12,5 % ' → Decimal('12.5'); anything else → None."""
    text = raw.strip().replace("\u00a0", "").replace(" ", "").removesuffix("%")
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover (the pattern admits only digits)
        return None


class RateField(forms.CharField):
    """A percentage typed the French or the English way; the error names the field."""

    def __init__(self, *, min_value: Decimal, max_value: Decimal, **kwargs: Any) -> None:
        self.min_value, self.max_value = min_value, max_value
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        rate = parse_rate(text)
        if rate is None:
            raise forms.ValidationError(
                _("“%(field)s” must be a number, such as 12.5 or 12,5."),
                code="invalid",
                params={"field": self.label},
            )
        if rate < self.min_value or rate > self.max_value:
            raise forms.ValidationError(
                _("“%(field)s” must be between %(min)s and %(max)s."),
                code="range",
                params={"field": self.label, "min": self.min_value, "max": self.max_value},
            )
        if -rate.as_tuple().exponent > 2:  # type: ignore[operator]
            raise forms.ValidationError(
                _("“%(field)s” allows at most two decimals."),
                code="decimals",
                params={"field": self.label},
            )
        return rate

    def clean(self, value: Any) -> Decimal | None:
        rate = self.to_python(value)
        if rate is None and self.required:
            raise forms.ValidationError(
                _("“%(field)s” is required."), code="required", params={"field": self.label}
            )
        return rate


class CaseDateField(forms.DateField):
    widget = DATE

    def clean(self, value: Any) -> dt.date | None:
        try:
            d = super().clean(value)
        except forms.ValidationError as exc:
            if exc.code == "required":
                raise forms.ValidationError(
                    _("“%(field)s” is required."), code="required", params={"field": self.label}
                ) from exc
            raise forms.ValidationError(
                _("“%(field)s” must be a date, such as 2026-03-15."),
                code="invalid",
                params={"field": self.label},
            ) from exc
        if d is not None and not EARLIEST <= d <= LATEST:
            raise forms.ValidationError(
                _("“%(field)s” must be between %(min)s and %(max)s."),
                code="range",
                params={
                    "field": self.label,
                    "min": EARLIEST.isoformat(),
                    "max": LATEST.isoformat(),
                },
            )
        return d


def _today() -> dt.date:
    return timezone.localdate()


class SituationForm(forms.Form):
    """The French pension part of the situation (the whole public simulator)."""

    date = CaseDateField(
        label=_("Date of the estimate"),
        initial=_today,
        help_text=_("The law in force on this date is applied."),
    )
    grade = forms.ChoiceField(label=_("Grade"), initial="soldier")
    left_service = forms.BooleanField(label=_("Has left the service"), required=False)
    children = forms.IntegerField(
        label=_("Number of children"), required=False, min_value=0, max_value=30, initial=0
    )
    children_birth_dates = forms.CharField(
        label=_("Children's dates of birth"),
        required=False,
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Optional: one date per line or separated by commas, such as "
            "2015-06-30. When given, the calculator counts the children who qualify."
        ),
    )
    third_person = forms.BooleanField(
        label=_("Needs the constant help of another person (third person)"), required=False
    )
    grand_mutile = forms.BooleanField(
        label=_("Meets the conditions of a grand mutilé"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, grade_label(g)) for g in known_grades()]  # type: ignore[attr-defined]
        self.fields["children"].error_messages.update(
            {
                "invalid": _("“Number of children” must be a whole number."),
                "min_value": _("“Number of children” must be between 0 and 30."),
                "max_value": _("“Number of children” must be between 0 and 30."),
            }
        )

    def clean_children_birth_dates(self) -> list[dt.date]:
        text = self.cleaned_data.get("children_birth_dates") or ""
        dates = []
        for part in re.split(r"[\s,;]+", text.strip()):
            if not part:
                continue
            try:
                d = dt.date.fromisoformat(part)
            except ValueError:
                raise forms.ValidationError(
                    _("“Children's dates of birth”: “%(value)s” is not a date such as 2015-06-30."),
                    params={"value": part[:20]},
                ) from None
            if not EARLIEST <= d <= LATEST:
                raise forms.ValidationError(
                    _("“Children's dates of birth”: %(value)s is out of range."),
                    params={"value": part},
                )
            dates.append(d)
        if len(dates) > 30:
            raise forms.ValidationError(_("“Children's dates of birth”: at most 30 dates."))
        return dates


class InfirmityForm(forms.Form):
    label = forms.CharField(
        label=_("Infirmity"),
        max_length=200,
        required=False,
        help_text=_("For example: loss of hearing, right knee."),
    )
    rate = RateField(
        label=_("Rate (%)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        help_text=_("As set by the military doctor, e.g. 12,5 or 12.5."),
    )
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices, initial=Cause.INJURY)
    context = forms.ChoiceField(label=_("Context"), choices=Context.choices, initial=Context.PEACE)
    addition = forms.ChoiceField(
        label=_("How it adds up"), choices=Addition.choices, initial=Addition.CHAIN
    )
    third_person = forms.BooleanField(
        label=_("This infirmity alone requires a third person"), required=False
    )
    amputation_without_prosthesis = forms.BooleanField(
        label=_("Amputation that cannot be fitted with a prosthesis"), required=False
    )
    arithmetic_addition = RateField(
        label=_("Arithmetic addition (points)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        help_text=_(
            "Optional: points added to this infirmity's own rate (L125-9), e.g. troubles of a limb."
        ),
    )

    def clean_label(self) -> str:
        label = str(self.cleaned_data.get("label") or "")
        if CONTROL.search(label):
            raise forms.ValidationError(
                _("“%(field)s” must not contain control characters."),
                params={"field": self.fields["label"].label},
            )
        return label

    def is_active(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool((data.get("label") or "").strip()) or data.get("rate") is not None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            ((data.get("label") or "").strip() or self._typed("arithmetic_addition"))
            and data.get("rate") is None
            and "rate" not in self.errors
        ):
            self.add_error(
                "rate",
                forms.ValidationError(
                    _("“%(field)s” is required."),
                    code="required",
                    params={"field": self.fields["rate"].label},
                ),
            )
        return data

    def _typed(self, name: str) -> bool:
        return bool(str(self.data.get(self.add_prefix(name), "")).strip())


class BaseInfirmityFormSet(forms.BaseFormSet):
    require_one = True  # the comparison of a death needs no infirmity

    def clean(self) -> None:
        if any(self.errors):
            return
        if self.require_one and not any(f.is_active() for f in self.forms):
            if self.forms:
                self.forms[0].add_error("rate", _("Enter at least one infirmity with its rate."))
            raise forms.ValidationError(_("Enter at least one infirmity with its rate."))


InfirmityFormSet = forms.formset_factory(
    InfirmityForm, formset=BaseInfirmityFormSet, extra=0, min_num=1, max_num=20, validate_max=True
)
INITIAL_ROWS = 3


def infirmity_formset(data: Any = None, *, rows: int = INITIAL_ROWS) -> Any:
    if data is None:
        formset = forms.formset_factory(
            InfirmityForm, formset=BaseInfirmityFormSet, extra=rows, max_num=20, validate_max=True
        )
        return formset(prefix="inf")
    return InfirmityFormSet(data, prefix="inf")


class UkraineForm(forms.Form):
    """The staff comparison: status and the explicit mapping to the Ukrainian law."""

    status = forms.ChoiceField(
        label=_("Status"),
        widget=forms.RadioSelect,
        initial=LIVING,
        choices=[(LIVING, _("living, with infirmities")), (DECEASED, _("deceased"))],
    )
    ua_group = forms.ChoiceField(
        label=_("Ukrainian disability group"),
        required=False,
        choices=[
            ("", "—"),
            ("1", "I"),
            ("2", "II"),
            ("3", "III"),
            ("none", _("no group: partial loss of working capacity")),
        ],
        help_text=_("Set by the Ukrainian expert team; never derived from the French rate."),
    )
    ua_loss_percent = RateField(
        label=_("Loss of working capacity (%)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
    )
    ua_cause = forms.ChoiceField(
        label=_("Ukrainian cause"),
        required=False,
        choices=[
            ("", "—"),
            ("duty", _("in the performance of duties (defence of the Motherland)")),
            ("service", _("during the period of service")),
        ],
    )
    ua_set_date = CaseDateField(label=_("Date the group was set"), required=False)
    death_date = CaseDateField(label=_("Date of death"), required=False)
    death_record_date = CaseDateField(label=_("Date of the death record"), required=False)
    recipients = forms.IntegerField(
        label=_("Family members entitled"), required=False, min_value=1, max_value=50, initial=1
    )
    service_death = forms.BooleanField(label=_("Death caused by service"), required=False)
    deceased_rate = forms.IntegerField(
        label=_("Pension rate of the deceased (%)"),
        required=False,
        min_value=0,
        max_value=100,
        initial=0,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("recipients", "deceased_rate"):
            f = self.fields[name]
            lo, hi = (1, 50) if name == "recipients" else (0, 100)
            msg = _("“%(field)s” must be a whole number between %(min)s and %(max)s.") % {
                "field": f.label,
                "min": lo,
                "max": hi,
            }
            f.error_messages.update({"invalid": msg, "min_value": msg, "max_value": msg})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        required = _("“%(field)s” is required.")
        if data.get("status") == DECEASED:
            if not data.get("death_date") and "death_date" not in self.errors:
                self.add_error("death_date", required % {"field": self.fields["death_date"].label})
        elif data.get("status") == LIVING:
            for name in ("ua_group", "ua_cause"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, required % {"field": self.fields[name].label})
            if (
                data.get("ua_group") == "none"
                and data.get("ua_loss_percent") is None
                and "ua_loss_percent" not in self.errors
            ):
                self.add_error(
                    "ua_loss_percent", required % {"field": self.fields["ua_loss_percent"].label}
                )
        return data


def situation_from_forms(
    case: SituationForm,
    infs: Any,
    ua: UkraineForm | None = None,
) -> Situation:
    c = case.cleaned_data
    rows = tuple(
        InfirmityIn(
            label=(f.cleaned_data.get("label") or "").strip() or f"#{n + 1}",
            rate=f.cleaned_data["rate"],
            cause=f.cleaned_data["cause"],
            context=f.cleaned_data["context"],
            addition=f.cleaned_data["addition"],
            third_person=bool(f.cleaned_data.get("third_person")),
            amputation_without_prosthesis=bool(f.cleaned_data.get("amputation_without_prosthesis")),
            arithmetic_addition=f.cleaned_data.get("arithmetic_addition"),
            source=f.prefix,
        )
        for n, f in enumerate(infs.forms)
        if f.is_active()
    )
    extra: dict[str, Any] = {}
    if ua is not None:
        u = ua.cleaned_data
        group = u.get("ua_group") or ""
        extra = {
            "status": u["status"],
            "ua_group": int(group) if group.isdigit() else None,
            "ua_loss_percent": u.get("ua_loss_percent") if group == "none" else None,
            "ua_cause": u.get("ua_cause") or "",
            "ua_set_date": u.get("ua_set_date"),
            "death_date": u.get("death_date"),
            "death_record_date": u.get("death_record_date"),
            "recipients": u.get("recipients") or 1,
            "service_death": bool(u.get("service_death")),
            "deceased_rate": u.get("deceased_rate") or 0,
        }
    return Situation(
        date=c["date"],
        infirmities=rows,
        grade=c["grade"],
        left_service=bool(c.get("left_service")),
        third_person=bool(c.get("third_person")),
        grand_mutile=bool(c.get("grand_mutile")),
        children=c.get("children") or 0,
        children_birth_dates=tuple(c.get("children_birth_dates") or ()),
        **extra,
    )
