"""Survivor pension of a soldier's spouse or partner (L141-16, D141-5), at the soldier rate,
with the special majoration of the spouse who nursed a third-person invalid (L141-18 3°,
L141-20, D141-7). The other supplements of L141-18 are not modelled: each one gives a warning
on the result, as does the grade (the grade tables are not loaded)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from ..errors import InputError
from ..explain import Msg, Trace
from ..inputs import in_force, parse_date
from ..parameters import Parameters, given
from ..version import RULES_VERSION
from .pmi import CENT

SURVIVOR_KEYS = frozenset(
    {"date", "service_death", "deceased_rate", "third_person", "care_years", "allocation_5bis"}
)
NOT_MODELLED = (
    "L141-18 1°: the social supplement (age, invalidity and means conditions) is not computed",
    "L141-18 2°: the supplement bringing a pension to the soldier's normal rate is not computed",
    "L141-18 4°: the majoration when the invalid's pension index was at least 6,000 points "
    "(amount set by decree, not loaded) is not computed",
    "L141-18 5°: the uniform majoration is not computed",
    "L141-18 6°: the majorations for dependent children are not computed",
    "grade: the pension is computed at the soldier rate (D141-5); the grade tables annexed to "
    "the code are not loaded",
)


KIND_TEXT = {"normal": Msg("normal rate"), "simple": Msg("simple rate"), None: Msg("no right")}


def care_majoration(p: Parameters, date: dt.date, years: int, kind: str) -> Decimal:
    """D141-7: points by years of marriage (or PACS) and constant care, and 5 bis a / b."""
    table = p.at("fr.survivor_care_majoration", date)[kind]
    found = Decimal(0)
    for minimum in sorted(table, key=int):
        if years >= int(minimum):
            found = Decimal(table[minimum])
    return found


def compute_survivor(
    *,
    date: dt.date,
    service_death: bool,
    deceased_rate: int,
    third_person: bool = False,
    care_years: int = 0,
    allocation_5bis: str = "a",
    params: Parameters,
) -> dict[str, Any]:
    p = given(params, "fr")
    t = Trace()
    warnings = list(NOT_MODELLED)
    point_value = Decimal(in_force(p, "fr.point_value", date, field="date"))
    normal_min = int(p.at("fr.survivor_normal_min_rate", date))
    simple_min = int(p.at("fr.survivor_simple_min_rate", date))
    ref_rate = p.ref("fr.survivor_normal_min_rate", date)
    if service_death or deceased_rate >= normal_min or third_person:
        kind = "normal"
    elif deceased_rate >= simple_min:
        kind = "simple"
    else:
        kind = None
    yes, no = Msg("yes"), Msg("no")
    t.add(
        ref_rate,
        kind,
        "Service-related death: {service_death}; deceased's rate {rate} %; "
        "third person: {third_person} → {outcome}",
        service_death=yes if service_death else no,
        rate=deceased_rate,
        third_person=yes if third_person else no,
        outcome=KIND_TEXT[kind],
    )
    care = Decimal(0)
    if kind is None:
        points = Decimal(0)
    else:
        normal = Decimal(p.at("fr.survivor_normal_points", date))
        if kind == "normal":
            points = normal
        else:
            frac = Fraction(str(p.at("fr.survivor_simple_fraction", date)))
            points = normal * frac.numerator / frac.denominator
        t.add(
            p.ref("fr.survivor_normal_points", date),
            float(points),
            "Points: {points}",
            points=f"{points:.2f}",
        )
        if third_person and care_years:
            if p.get("fr.survivor_care_majoration", date) is None:
                warnings.append(
                    "L141-18 3°: the special majoration for the spouse who gave "
                    "care (D141-7) is not loaded for this date (table from "
                    "1 January 2020)"
                )
            else:
                care = care_majoration(p, date, care_years, allocation_5bis)
                points += care
                t.add(
                    p.ref("fr.survivor_care_majoration", date),
                    float(care),
                    "Special majoration of the spouse who gave care (D141-7): {years} years "
                    "of care, allocation 5 bis {allocation}: {points} points",
                    years=care_years,
                    allocation=allocation_5bis,
                    points=care,
                )
    amount = (points * point_value).quantize(CENT, rounding=ROUND_HALF_UP)
    t.add(p.ref("fr.point_value", date), float(amount), "Annual amount: €{amount}", amount=amount)
    return {
        "eligible": kind is not None,
        "rate_kind": kind,
        "points": float(points),
        "care_majoration_points": float(care),
        "point_value_eur": float(point_value),
        "annual_amount_eur": float(amount),
        "warnings": warnings,
        "rules_version": RULES_VERSION,
        "params_digest": p.digest,
        "steps": t.as_list(),
    }


def compute_survivor_json(data: Any, params: Parameters) -> dict[str, Any]:
    """Input of `vetbridge rules fr-survivor`: {"date", "service_death": bool,
    "deceased_rate": 0-100, "third_person": bool, "care_years": whole years of marriage or
    PACS and constant care after the third-person majoration opened (default 0),
    "allocation_5bis": "a" | "b" (the invalid's allocation n° 5 bis, default "a")}."""
    if not isinstance(data, dict):
        raise InputError("$", "the case must be a JSON object")
    for key in data:
        if key not in SURVIVOR_KEYS:
            raise InputError(key, "unknown field")
    rate = data.get("deceased_rate", 0)
    if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= 100:
        raise InputError("deceased_rate", "must be a whole number from 0 to 100")
    for key in ("service_death", "third_person"):
        if not isinstance(data.get(key, False), bool):
            raise InputError(key, "must be true or false")
    care_years = data.get("care_years", 0)
    if (
        isinstance(care_years, bool)
        or not isinstance(care_years, int)
        or not 0 <= care_years <= 100
    ):
        raise InputError("care_years", "must be a whole number of years from 0 to 100")
    kind = data.get("allocation_5bis", "a")
    if kind not in ("a", "b"):
        raise InputError("allocation_5bis", "must be 'a' or 'b'")
    if care_years and not data.get("third_person", False):
        raise InputError(
            "care_years",
            "only for the spouse of a holder of the third-person majoration (third_person: true)",
        )
    return compute_survivor(
        date=parse_date(data.get("date")),
        deceased_rate=rate,
        service_death=data.get("service_death", False),
        third_person=data.get("third_person", False),
        care_years=care_years,
        allocation_5bis=kind,
        params=params,
    )
