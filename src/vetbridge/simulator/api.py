"""POST /api/simulator/compare: one situation under the French and the Ukrainian law.

Nothing is stored and nothing is audited (the situation is a hypothesis, not a record); the
caller must be signed in with a role that may compare (`rules.compare`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from vetbridge.accounts.roles import Capability
from vetbridge.api.security import api_user
from vetbridge.core.exceptions import ApplicationError, PermissionDeniedError

from . import cases
from .forms import CONTROL, EARLIEST, LATEST, parse_rate

router = Router(tags=["simulator"])


def _rate(value: Any, *, low: Decimal, name: str, required: bool = False) -> Decimal | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise PydanticCustomError(
            "rate_number",
            _("“%(field)s” must be a number, such as 12.5 or 12,5.") % {"field": name},
        )
    rate = parse_rate(str(value)) if isinstance(value, str) else Decimal(str(value))
    if rate is None or not rate.is_finite():
        raise PydanticCustomError(
            "rate_number",
            _("“%(field)s” must be a number, such as 12.5 or 12,5.") % {"field": name},
        )
    if rate < low or rate > 100:
        raise PydanticCustomError(
            "rate_range",
            _("“%(field)s” must be between %(min)s and %(max)s.")
            % {"field": name, "min": low, "max": 100},
        )
    if -rate.as_tuple().exponent > 2:  # type: ignore[operator]
        raise PydanticCustomError(
            "rate_decimals", _("“%(field)s” allows at most two decimals.") % {"field": name}
        )
    return rate


def _in_range(value: dt.date | None, name: str) -> dt.date | None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise PydanticCustomError(
            "date_range",
            _("“%(field)s” must be between %(min)s and %(max)s.")
            % {"field": name, "min": EARLIEST.isoformat(), "max": LATEST.isoformat()},
        )
    return value


class InfirmityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    label: str = Field("", max_length=200)
    rate: Decimal = Field(
        description='percent above 0 and at most 100, two decimals; "12,5" and 12.5 alike'
    )
    cause: Literal["injury", "disease"] = "injury"
    context: Literal["peace", "war", "opex", "captivity"] = "peace"
    addition: Literal["chain", "arithmetic"] = "chain"
    third_person: bool = Field(False, description="this infirmity alone needs a third person")
    amputation_without_prosthesis: bool = False
    arithmetic_addition: Decimal | None = Field(
        None, description="points added to this infirmity's own rate (L125-9)"
    )

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, v: Any) -> Decimal | None:
        return _rate(v, low=Decimal("0.01"), name="rate", required=True)

    @field_validator("label")
    @classmethod
    def _label(cls, v: str) -> str:
        if CONTROL.search(v):
            raise PydanticCustomError(
                "control_characters",
                _("“%(field)s” must not contain control characters.") % {"field": "label"},
            )
        return v

    @field_validator("arithmetic_addition", mode="before")
    @classmethod
    def _addition(cls, v: Any) -> Decimal | None:
        return _rate(v, low=Decimal(0), name="arithmetic_addition")


class CompareIn(Schema):
    """One situation. Optional keys left out are not sent to the calculators."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date = Field(description="date of the computation: the law in force then")
    status: Literal["living", "deceased"] = "living"
    grade: str = Field("soldier", max_length=40)
    left_service: bool = False
    third_person: bool = False
    grand_mutile: bool = False
    children: int = Field(0, ge=0, le=30)
    children_birth_dates: list[dt.date] = Field(default_factory=list, max_length=30)
    infirmities: list[InfirmityIn] = Field(default_factory=list, max_length=20)
    ua_group: Literal[1, 2, 3] | None = Field(
        None,
        description="Ukrainian disability group, as set by the Ukrainian expert team "
        "(never derived from the French rate)",
    )
    ua_loss_percent: Decimal | None = Field(
        None, description="without a group: percentage of lost working capacity"
    )
    ua_cause: Literal["duty", "service"] | None = None
    ua_set_date: dt.date | None = Field(None, description="default: `date`")
    death_date: dt.date | None = None
    death_record_date: dt.date | None = Field(None, description="default: `death_date`")
    recipients: int = Field(1, ge=1, le=50)
    service_death: bool = False
    deceased_rate: int = Field(0, ge=0, le=100)

    @field_validator("ua_loss_percent", mode="before")
    @classmethod
    def _loss(cls, v: Any) -> Decimal | None:
        return _rate(v, low=Decimal("0.01"), name="ua_loss_percent")

    @field_validator("date", "ua_set_date", "death_date", "death_record_date")
    @classmethod
    def _dates(cls, v: dt.date | None, info: Any) -> dt.date | None:
        return _in_range(v, info.field_name)

    @field_validator("children_birth_dates")
    @classmethod
    def _births(cls, v: list[dt.date]) -> list[dt.date]:
        for d in v:
            _in_range(d, "children_birth_dates")
        return v


class StepOut(Schema):
    text: str = Field(description="in the reader's language")
    reference: str
    value: Any = None


class RefusalOut(Schema):
    field: str
    message: str


class SideOut(Schema):
    law: Literal["fr_pmi", "fr_survivor", "ua_assistance"]
    input: dict[str, Any] = Field(description="exactly what the calculator received")
    assumptions: list[str] = Field(description="how the situation was mapped to this law")
    result: dict[str, Any] | None = Field(None, description="the calculator's output")
    error: RefusalOut | None = Field(None, description="the calculator's refusal")
    explanation: list[StepOut]


class CompareOut(Schema):
    fr: SideOut
    ua: SideOut
    notice: str


def _situation(p: CompareIn) -> cases.Situation:
    def required(name: str) -> ApplicationError:
        return ApplicationError(
            _("Some fields are not valid."),
            fields={name: [_("“%(field)s” is required.") % {"field": name}]},
        )

    if p.grade not in cases.known_grades(p.date):
        raise ApplicationError(
            _("Some fields are not valid."), fields={"grade": [_("Not one of the allowed values.")]}
        )
    if p.status == cases.DECEASED:
        if p.death_date is None:
            raise required("death_date")
    else:
        if not p.infirmities:
            raise required("infirmities")
        if p.ua_group is None and p.ua_loss_percent is None:
            raise required("ua_group")
        if p.ua_cause is None:
            raise required("ua_cause")
    infs = tuple(
        cases.InfirmityIn(
            label=i.label.strip() or f"#{n + 1}",
            rate=i.rate,
            cause=i.cause,
            context=i.context,
            addition=i.addition,
            third_person=i.third_person,
            amputation_without_prosthesis=i.amputation_without_prosthesis,
            arithmetic_addition=i.arithmetic_addition,
            source=f"infirmities.{n}",
        )
        for n, i in enumerate(p.infirmities)
    )
    return cases.Situation(
        date=p.date,
        infirmities=infs,
        status=p.status,
        grade=p.grade,
        left_service=p.left_service,
        third_person=p.third_person,
        grand_mutile=p.grand_mutile,
        children=p.children,
        children_birth_dates=tuple(p.children_birth_dates),
        ua_group=p.ua_group,
        ua_loss_percent=None if p.ua_group is not None else p.ua_loss_percent,
        ua_cause=p.ua_cause or "",
        ua_set_date=p.ua_set_date,
        death_date=p.death_date,
        death_record_date=p.death_record_date,
        recipients=p.recipients,
        service_death=p.service_death,
        deceased_rate=p.deceased_rate,
    )


@router.post(
    "/simulator/compare",
    response=CompareOut,
    summary="The same case under the French and the Ukrainian law (nothing stored)",
)
def compare(request: HttpRequest, payload: CompareIn) -> dict[str, Any]:
    """Both calculators on one situation, each explained step by step in the reader's
    language, with what each side assumed. A side the law refuses carries `error` (field and
    reason); when both refuse, the answer is 400 naming the fields."""
    user = api_user(request)
    if not user.can(Capability.RULES_COMPARE):
        raise PermissionDeniedError(_("Your role does not allow this action."))
    sides = cases.compare(_situation(payload))
    errors = [s.error for s in sides.values() if s.error]
    if len(errors) == len(sides):
        fields: dict[str, list[str]] = {}
        for e in errors:
            fields.setdefault(e["field"], []).append(e["message"])
        raise ApplicationError(_("Some fields are not valid."), fields=fields)
    return {
        "fr": sides["fr"].as_dict(),
        "ua": sides["ua"].as_dict(),
        "notice": _("An estimate only: it is not a decision and gives no right."),
    }
