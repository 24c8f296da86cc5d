"""Ukrainian one-time cash assistance on death or disability, and the annual payment.

Death: CMU Res. 168 (15 M UAH; paid 1/5 at once and the rest over 80 months for deaths
from 1 Sep 2025). Disability: multiples of the able-bodied subsistence minimum of 1 January
of the year the disability group was set (Law 2011-XII Art. 16-2).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from ..errors import InputError
from ..explain import Trace
from ..inputs import in_force, parse_date
from ..parameters import Parameters
from ..version import RULES_VERSION

KOP = Decimal("0.01")
GROUPS = {1: "I", 2: "II", 3: "III"}


def _uah(d: Decimal) -> float:
    return float(d.quantize(KOP, rounding=ROUND_HALF_UP))


def death_assistance(*, death_date: dt.date, recipients: int = 1,
                     params: Parameters | None = None) -> dict[str, Any]:
    p = params or Parameters.load("ua")
    t = Trace()
    total = Decimal(in_force(p, "ua.death_amount", death_date, field="death_date",
                             message="no assistance rule is in force for this date"))
    t.add(p.ref("ua.death_amount", death_date), float(total),
          uk=f"Одноразова допомога у разі загибелі: {total:,.0f} грн",
          fr=f"Aide unique en cas de décès : {total:,.0f} UAH",
          en=f"One-time assistance on death: UAH {total:,.0f}")
    share = (total / recipients).quantize(KOP, rounding=ROUND_DOWN)
    t.add(p.ref("ua.death_amount", death_date), _uah(share),
          uk=f"Ділиться порівну між {recipients} отримувачами: {share:,.2f} грн кожному",
          fr=f"Partagée à parts égales entre {recipients} bénéficiaires : {share:,.2f} UAH chacun",
          en=f"Shared equally among {recipients} recipients: UAH {share:,.2f} each")
    sched = p.at("ua.death_instalments", death_date)
    months = int(sched["months"])
    immediate = (share * Decimal(sched["immediate_share"])).quantize(KOP, rounding=ROUND_DOWN)
    monthly = ((share - immediate) / months).quantize(KOP, rounding=ROUND_DOWN) if months else \
        Decimal(0)
    last = share - immediate - monthly * (months - 1) if months else Decimal(0)
    if months:
        t.add(p.ref("ua.death_instalments", death_date), _uah(immediate),
              uk=f"Смерть з {p['ua.death_instalments'].entry_at(death_date).start}: "
                 f"{immediate:,.2f} грн одразу, потім {months} щомісячних виплат по "
                 f"{monthly:,.2f} грн",
              fr=f"Décès depuis le {p['ua.death_instalments'].entry_at(death_date).start} : "
                 f"{immediate:,.2f} UAH immédiatement, puis {months} mensualités de "
                 f"{monthly:,.2f} UAH",
              en=f"Death on or after {p['ua.death_instalments'].entry_at(death_date).start}: "
                 f"UAH {immediate:,.2f} at once, then {months} monthly instalments of "
                 f"UAH {monthly:,.2f}")
    else:
        t.add(p.ref("ua.death_instalments", death_date), _uah(share),
              uk="Виплачується одразу повністю", fr="Versée en une seule fois",
              en="Paid in full at once")
    return {"kind": "death", "total_uah": _uah(total), "recipients": recipients,
            "per_recipient_uah": _uah(share), "immediate_uah": _uah(immediate if months else share),
            "instalments": months, "monthly_uah": _uah(monthly), "last_instalment_uah": _uah(last),
            "rules_version": RULES_VERSION, "steps": t.as_list()}


def disability_assistance(*, group: int | None, cause: str, set_date: dt.date,
                          loss_percent: Decimal | None = None,
                          params: Parameters | None = None) -> dict[str, Any]:
    p = params or Parameters.load("ua")
    t = Trace()
    jan1 = dt.date(set_date.year, 1, 1)
    pm = Decimal(in_force(p, "ua.subsistence_minimum_able_bodied", jan1, field="set_date",
                          message="no subsistence minimum is known for this year"))
    t.add(p.ref("ua.subsistence_minimum_able_bodied", jan1), float(pm),
          uk=f"Прожитковий мінімум для працездатних на 1 січня {set_date.year}: {pm} грн",
          fr=f"Minimum vital des personnes aptes au travail au 1er janvier {set_date.year} : "
             f"{pm} UAH",
          en=f"Subsistence minimum for able-bodied persons on 1 January {set_date.year}: "
             f"UAH {pm}")
    if group is None:
        if loss_percent is None:
            raise InputError("loss_percent", "required when there is no disability group")
        mult = Decimal(p.at("ua.partial_loss_multiplier", set_date))
        amount = loss_percent / 100 * mult * pm
        t.add(p.ref("ua.partial_loss_multiplier", set_date), _uah(amount),
              uk=f"Часткова втрата працездатності {loss_percent} % × {mult} ПМ = {amount:,.2f} грн",
              fr=f"Perte partielle de capacité {loss_percent} % × {mult} MV = {amount:,.2f} UAH",
              en=f"Partial loss of capacity {loss_percent} % × {mult} SM = UAH {amount:,.2f}")
    else:
        name = "ua.disability_multiplier_duty" if cause == "duty" else \
            "ua.disability_multiplier_service"
        mult = Decimal(p.at(name, set_date)[group])
        amount = mult * pm
        cause_txt = {"duty": ("під час виконання обов'язків", "en service commandé",
                              "in the performance of duties"),
                     "service": ("в період служби", "pendant le service",
                                 "during the period of service")}[cause]
        t.add(p.ref(name, set_date), _uah(amount),
              uk=f"Група {GROUPS[group]}, {cause_txt[0]}: {mult} × {pm} = {amount:,.2f} грн",
              fr=f"Groupe {GROUPS[group]}, {cause_txt[1]} : {mult} × {pm} = {amount:,.2f} UAH",
              en=f"Group {GROUPS[group]}, {cause_txt[2]}: {mult} × {pm} = UAH {amount:,.2f}")
    return {"kind": "disability", "group": group, "cause": cause,
            "subsistence_minimum_uah": float(pm), "multiplier": float(mult),
            "total_uah": _uah(amount), "rules_version": RULES_VERSION, "steps": t.as_list()}


def annual_payment(*, date: dt.date, category: str, params: Parameters | None = None,
                   ) -> dict[str, Any]:
    p = params or Parameters.load("ua")
    table = in_force(p, "ua.annual_payment", date, field="date",
                     message="no annual payment resolution is known for this date")
    if category not in table:
        raise InputError("category", f"must be one of {', '.join(sorted(table))}")
    amount = Decimal(table[category])
    t = Trace()
    t.add(p.ref("ua.annual_payment", date), float(amount),
          uk=f"Щорічна разова допомога до Дня Незалежності, категорія {category}: {amount} грн",
          fr=f"Aide annuelle de la fête de l'Indépendance, catégorie {category} : {amount} UAH",
          en=f"Annual Independence Day payment, category {category}: UAH {amount}")
    return {"category": category, "amount_uah": float(amount), "rules_version": RULES_VERSION,
            "steps": t.as_list()}


def ua_assistance_json(data: Any, params: Parameters | None = None) -> dict[str, Any]:
    """Input of `vetbridge rules ua-assistance`:
    {"kind": "death", "death_date": "YYYY-MM-DD", "recipients": 2} or
    {"kind": "disability", "group": 1|2|3|null, "cause": "duty"|"service",
     "set_date": "YYYY-MM-DD", "loss_percent": number (only without a group)}."""
    if not isinstance(data, dict):
        raise InputError("$", "the case must be a JSON object")
    kind = data.get("kind")
    if kind == "death":
        recipients = data.get("recipients", 1)
        if isinstance(recipients, bool) or not isinstance(recipients, int) or \
                not 1 <= recipients <= 50:
            raise InputError("recipients", "must be a whole number from 1 to 50")
        return death_assistance(death_date=parse_date(data.get("death_date"), "death_date"),
                                recipients=recipients, params=params)
    if kind == "disability":
        group = data.get("group")
        if group is not None and group not in GROUPS:
            raise InputError("group", "must be 1, 2, 3 or null")
        cause = data.get("cause", "duty")
        if cause not in ("duty", "service"):
            raise InputError("cause", "must be 'duty' or 'service'")
        loss = data.get("loss_percent")
        loss_d = None
        if loss is not None:
            if isinstance(loss, bool) or not isinstance(loss, int | float) or not 0 < loss <= 100:
                raise InputError("loss_percent", "must be a number above 0 and at most 100")
            loss_d = Decimal(str(loss))
        return disability_assistance(group=group, cause=cause,
                                     set_date=parse_date(data.get("set_date"), "set_date"),
                                     loss_percent=loss_d, params=params)
    raise InputError("kind", "must be 'death' or 'disability'")
