"""Survivor pension of a soldier's spouse or partner (L141-16, D141-5), at the soldier rate."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from ..errors import InputError
from ..explain import Trace
from ..inputs import parse_date
from ..parameters import Parameters
from ..version import RULES_VERSION
from .pmi import CENT


def compute_survivor(*, date: dt.date, service_death: bool, deceased_rate: int,
                     third_person: bool = False, params: Parameters | None = None,
                     ) -> dict[str, Any]:
    p = params or Parameters.load("fr")
    t = Trace()
    normal_min = int(p.at("fr.survivor_normal_min_rate", date))
    simple_min = int(p.at("fr.survivor_simple_min_rate", date))
    ref_rate = p.ref("fr.survivor_normal_min_rate", date)
    if service_death or deceased_rate >= normal_min or third_person:
        kind = "normal"
    elif deceased_rate >= simple_min:
        kind = "simple"
    else:
        kind = None
    t.add(ref_rate, kind,
          uk=f"Смерть через службу: {'так' if service_death else 'ні'}; ставка померлого "
             f"{deceased_rate} %; догляд: {'так' if third_person else 'ні'} → "
             f"{ {'normal': 'нормальна ставка', 'simple': 'проста ставка', None: 'права немає'}[kind] }",
          fr=f"Décès imputable au service : {'oui' if service_death else 'non'} ; taux du défunt "
             f"{deceased_rate} % ; tierce personne : {'oui' if third_person else 'non'} → "
             f"{ {'normal': 'taux normal', 'simple': 'taux simple', None: 'pas de droit'}[kind] }",
          en=f"Service-related death: {'yes' if service_death else 'no'}; deceased's rate "
             f"{deceased_rate} %; third person: {'yes' if third_person else 'no'} → "
             f"{ {'normal': 'normal rate', 'simple': 'simple rate', None: 'no right'}[kind] }")
    point_value = Decimal(p.at("fr.point_value", date))
    if kind is None:
        points = Decimal(0)
    else:
        normal = Decimal(p.at("fr.survivor_normal_points", date))
        if kind == "normal":
            points = normal
        else:
            frac = Fraction(str(p.at("fr.survivor_simple_fraction", date)))
            points = normal * frac.numerator / frac.denominator
        t.add(p.ref("fr.survivor_normal_points", date), float(points),
              uk=f"Бали: {points:.2f}", fr=f"Points : {points:.2f}", en=f"Points: {points:.2f}")
    amount = (points * point_value).quantize(CENT, rounding=ROUND_HALF_UP)
    t.add(p.ref("fr.point_value", date), float(amount),
          uk=f"Сума на рік: {amount} €", fr=f"Montant annuel : {amount} €",
          en=f"Annual amount: €{amount}")
    return {"eligible": kind is not None, "rate_kind": kind, "points": float(points),
            "point_value_eur": float(point_value), "annual_amount_eur": float(amount),
            "rules_version": RULES_VERSION, "steps": t.as_list()}


def compute_survivor_json(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InputError("$", "the case must be a JSON object")
    rate = data.get("deceased_rate", 0)
    if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= 100:
        raise InputError("deceased_rate", "must be a whole number from 0 to 100")
    for key in ("service_death", "third_person"):
        if not isinstance(data.get(key, False), bool):
            raise InputError(key, "must be true or false")
    return compute_survivor(date=parse_date(data.get("date")), deceased_rate=rate,
                            service_death=data.get("service_death", False),
                            third_person=data.get("third_person", False))
