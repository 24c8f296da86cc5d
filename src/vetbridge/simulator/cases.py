"""One situation, mapped to each law and computed by `vetbridge.rules`.

A `Situation` is what the officer (or the public) entered, already validated by a form or the
API schema. `fr_input` / `ua_input` turn it into the calculators' JSON input; optional keys
are only set when the user set them, so the calculator of today and the one with the new
optional keys (per infirmity `third_person`, `amputation_without_prosthesis`,
`arithmetic_addition`; `left_service`, `children_birth_dates`; UA `death_record_date`) both
accept what a user who does not use them sends. Every choice made to map the situation to a
law is returned as an assumption in the reader's language: nothing is guessed silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vetbridge.core.dates import long_date
from vetbridge.rules.errors import InputError
from vetbridge.rules.parameters import ParameterError

LIVING, DECEASED = "living", "deceased"


@dataclass(frozen=True)
class InfirmityIn:
    label: str
    rate: Decimal
    cause: str = "injury"
    context: str = "peace"
    addition: str = "chain"
    third_person: bool = False
    amputation_without_prosthesis: bool = False
    arithmetic_addition: Decimal | None = None
    source: str = ""  # where the row came from (form prefix or API path), for errors


@dataclass(frozen=True)
class Situation:
    date: dt.date
    infirmities: tuple[InfirmityIn, ...] = ()
    status: str = LIVING
    grade: str = "soldier"
    left_service: bool = False
    third_person: bool = False
    grand_mutile: bool = False
    children: int = 0
    children_birth_dates: tuple[dt.date, ...] = ()
    # Ukrainian side (the mapping is the user's: no group or cause is derived from French data)
    ua_group: int | None = None  # 1, 2, 3; None with ua_loss_percent = partial loss
    ua_loss_percent: Decimal | None = None
    ua_cause: str = ""  # "duty" | "service"
    ua_set_date: dt.date | None = None
    # Death
    death_date: dt.date | None = None
    death_record_date: dt.date | None = None
    recipients: int = 1
    service_death: bool = False
    deceased_rate: int = 0


@dataclass
class Side:
    """One law's answer: its input, its result or its refusal, and what was assumed."""

    law: str
    input: dict[str, Any]
    assumptions: list[str]
    result: dict[str, Any] | None = None
    error: dict[str, str] | None = None  # {"field": situation field, "message": translated}
    explanation: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "law": self.law,
            "input": self.input,
            "assumptions": self.assumptions,
            "result": self.result,
            "error": self.error,
            "explanation": self.explanation,
        }


def reader_language() -> str:
    lang = (get_language() or "en")[:2]
    return lang if lang in ("uk", "fr", "en") else "en"


def explain(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The calculator's steps in the reader's language (English if a step lacks it)."""
    lang = reader_language()
    return [
        {
            "text": s["text"].get(lang) or s["text"].get("en", ""),
            "reference": s.get("reference", ""),
            "value": s.get("value"),
        }
        for s in steps
    ]


def _num(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def _date(d: dt.date) -> str:
    return long_date(d)


def _pct(d: Decimal | int) -> str:
    return formats.number_format(d, decimal_pos=None if d == int(d) else 2) + " %"


# ---------------------------------------------------------------- France


def fr_input(s: Situation) -> dict[str, Any]:
    """The `vetbridge rules fr-pmi` case of the situation (living person)."""
    infs: list[dict[str, Any]] = []
    for inf in s.infirmities:
        row: dict[str, Any] = {
            "label": inf.label,
            "rate": _num(inf.rate),
            "cause": inf.cause,
            "context": inf.context,
        }
        if inf.addition != "chain":
            row["addition"] = inf.addition
        if inf.third_person:
            row["third_person"] = True
        if inf.amputation_without_prosthesis:
            row["amputation_without_prosthesis"] = True
        if inf.arithmetic_addition is not None:
            row["arithmetic_addition"] = _num(inf.arithmetic_addition)
        infs.append(row)
    data: dict[str, Any] = {"date": s.date.isoformat(), "infirmities": infs}
    if s.grade != "soldier":
        data["grade"] = s.grade
    if s.left_service:
        data["left_service"] = True
    if s.third_person:
        data["third_person"] = True
    if s.grand_mutile:
        data["grand_mutile"] = True
    if s.children_birth_dates:
        data["children_birth_dates"] = [d.isoformat() for d in s.children_birth_dates]
    elif s.children:
        data["children"] = s.children
    return data


def fr_assumptions(s: Situation) -> list[str]:
    out = [
        _("Computed at %(date)s, with the point value and the tables in force on that date.")
        % {"date": _date(s.date)},
        _(
            "Each infirmity is taken with the rate, cause and context entered; the rates are "
            "those of the French scale (guide-barème), as a French military doctor would set "
            "them."
        ),
        _("Grade: %(grade)s; %(service)s.")
        % {
            "grade": grade_label(s.grade),
            "service": _("has left the service")
            if s.left_service
            else _("still in active service (or not stated)"),
        },
    ]
    if s.children_birth_dates:
        out.append(
            _(
                "Children: %(n)s dates of birth entered; the calculator counts those "
                "who qualify on the date of the estimate."
            )
            % {"n": len(s.children_birth_dates)}
        )
    else:
        out.append(_("Children counted: %(n)s (as entered).") % {"n": s.children})
    out.append(
        _("Need of a third person: %(third)s; grand mutilé conditions: %(gm)s.")
        % {
            "third": _("yes")
            if s.third_person or any(i.third_person for i in s.infirmities)
            else _("no"),
            "gm": _("yes") if s.grand_mutile else _("no"),
        }
    )
    return out


def survivor_input(s: Situation) -> dict[str, Any]:
    return {
        "date": s.date.isoformat(),
        "service_death": s.service_death,
        "deceased_rate": s.deceased_rate,
        "third_person": s.third_person,
    }


def survivor_assumptions(s: Situation) -> list[str]:
    return [
        _(
            "The French side is the pension of the surviving spouse or partner, computed at "
            "%(date)s."
        )
        % {"date": _date(s.date)},
        _("Death caused by service: %(yes)s; pension rate of the deceased: %(rate)s (as entered).")
        % {"yes": _("yes") if s.service_death else _("no"), "rate": _pct(s.deceased_rate)},
    ]


def grade_label(grade: str) -> str:
    labels = {
        "soldier": _("soldier"),
        "adjudant": _("warrant officer (adjudant)"),
        "officier_superieur": _("senior officer"),
    }
    return labels.get(grade, grade.replace("_", " "))


def known_grades(on: dt.date | None = None) -> list[str]:
    """The grades whose tables the calculator ships (the soldier's always)."""
    from vetbridge.rules.parameters import default_set

    p = default_set("fr")
    try:
        table = p.at("fr.grade_principal_points", on or timezone.localdate())
    except (ParameterError, KeyError):
        return ["soldier"]
    return ["soldier", *sorted(k for k in table if k != "soldier")]


# ---------------------------------------------------------------- Ukraine


def ua_input(s: Situation) -> dict[str, Any]:
    if s.status == DECEASED:
        data: dict[str, Any] = {
            "kind": "death",
            "death_date": _iso(s.death_date),
            "recipients": s.recipients,
        }
        if s.death_record_date:
            data["death_record_date"] = s.death_record_date.isoformat()
        return data
    data = {
        "kind": "disability",
        "group": s.ua_group,
        "cause": s.ua_cause,
        "set_date": (s.ua_set_date or s.date).isoformat(),
    }
    if s.ua_group is None and s.ua_loss_percent is not None:
        data["loss_percent"] = _num(s.ua_loss_percent)
    return data


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def ua_assumptions(s: Situation) -> list[str]:
    if s.status == DECEASED:
        out = [
            _(
                "One-time assistance on the death of a serviceman, shared among "
                "%(n)s family members entitled (as entered)."
            )
            % {"n": s.recipients}
        ]
        if s.death_record_date:
            out.append(
                _(
                    "The payment schedule follows the date of the death record: "
                    "%(date)s (as entered)."
                )
                % {"date": _date(s.death_record_date)}
            )
        else:
            out.append(
                _(
                    "No date of the death record entered: the date of death is used for "
                    "the payment schedule."
                )
            )
        return out
    out = []
    if s.ua_group:
        out.append(
            _(
                "Disability group %(group)s, as entered. A French rate does not determine "
                "a Ukrainian group: the group is set by a Ukrainian expert team on "
                "functional criteria, so none is derived from the French rates."
            )
            % {"group": {1: "I", 2: "II", 3: "III"}[s.ua_group]}
        )
    else:
        out.append(
            _(
                "No disability group: partial loss of working capacity of %(pct)s, as "
                "entered (not converted from the French rates)."
            )
            % {"pct": _pct(s.ua_loss_percent or 0)}
        )
    out.append(
        {
            "duty": _(
                "Cause: in the performance of duties (defence of the Motherland), as entered."
            ),
            "service": _(
                "Cause: during the period of service, not in the performance of duties, as entered."
            ),
        }.get(s.ua_cause, _("Cause: not entered."))
    )
    if s.ua_set_date:
        out.append(
            _("Group set on %(date)s: the subsistence minimum of 1 January of that year applies.")
            % {"date": _date(s.ua_set_date)}
        )
    else:
        out.append(
            _("Date the group was set not entered: the date of the case, %(date)s, is used.")
            % {"date": _date(s.date)}
        )
    out.append(
        _(
            "The French infirmities and rates are not used on this side: the Ukrainian "
            "assistance depends on the group (or percentage) and the cause only."
        )
    )
    return out


# ---------------------------------------------------------------- running

# Rules field → situation field (the API's names; forms map them to their own inputs).
UA_FIELDS = {
    "set_date": "ua_set_date",
    "group": "ua_group",
    "cause": "ua_cause",
    "loss_percent": "ua_loss_percent",
    "death_date": "death_date",
    "recipients": "recipients",
    "death_record_date": "death_record_date",
    "kind": "status",
}
_INF = re.compile(r"^infirmities\[(\d+)\](?:\.(\w+))?$")


def situation_field(rules_field: str, s: Situation, side: str) -> str:
    """The situation's name of a field a calculator refused ("infirmities.0.rate")."""
    m = _INF.match(rules_field)
    if m:
        index = int(m.group(1))
        sub = m.group(2) or "rate"
        source = s.infirmities[index].source if index < len(s.infirmities) else ""
        return f"{source or f'infirmities.{index}'}.{sub}"
    if side == "ua":
        return UA_FIELDS.get(rules_field, rules_field)
    if side == "fr_survivor" and rules_field == "date":
        return "date"
    return rules_field


def refusal_message(exc: InputError | ParameterError, field_name: str) -> str:
    """The calculator's refusal, in the reader's language (its own words kept for detail)."""
    raw = exc.message if isinstance(exc, InputError) else str(exc)
    if raw == "unknown field":
        return _("This option is not supported by the calculator in its present version.")
    if (
        field_name in ("date", "ua_set_date", "death_date", "death_record_date")
        or "in force" in raw
        or "is known" in raw
    ):
        return _("No value of the law is known for this date (%(detail)s).") % {"detail": raw}
    if field_name == "grade":
        return _("The calculator has no table for this grade at this rate (%(detail)s).") % {
            "detail": raw
        }
    return _("The calculator refused this value (%(detail)s).") % {"detail": raw}


def _run(
    law: str,
    data: dict[str, Any],
    assumptions: list[str],
    s: Situation,
    side: str,
) -> Side:
    from vetbridge.rules.fr.pmi import compute_pmi_json
    from vetbridge.rules.fr.survivor import compute_survivor_json
    from vetbridge.rules.parameters import default_set
    from vetbridge.rules.ua.assistance import ua_assistance_json

    calculators: dict[str, tuple[Callable[..., dict[str, Any]], str]] = {
        "fr_pmi": (compute_pmi_json, "fr"),
        "fr_survivor": (compute_survivor_json, "fr"),
        "ua_assistance": (ua_assistance_json, "ua"),
    }
    compute, country = calculators[law]
    out = Side(law=law, input=data, assumptions=assumptions)
    try:
        out.result = compute(data, default_set(country))
    except InputError as exc:
        name = situation_field(exc.field, s, side)
        out.error = {"field": name, "message": refusal_message(exc, name)}
    except ParameterError as exc:
        out.error = {"field": "date", "message": refusal_message(exc, "date")}
    else:
        out.explanation = explain(out.result.get("steps", []))
    return out


def french_side(s: Situation) -> Side:
    if s.status == DECEASED:
        return _run("fr_survivor", survivor_input(s), survivor_assumptions(s), s, "fr_survivor")
    return _run("fr_pmi", fr_input(s), fr_assumptions(s), s, "fr")


def ukrainian_side(s: Situation) -> Side:
    return _run("ua_assistance", ua_input(s), ua_assumptions(s), s, "ua")


def compare(s: Situation) -> dict[str, Side]:
    return {"fr": french_side(s), "ua": ukrainian_side(s)}
