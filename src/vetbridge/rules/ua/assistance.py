"""Ukrainian one-time cash assistance on death or disability, and the annual payment.

Death: CMU Res. 168 (15 M UAH for deaths from 24 Feb 2022; 1/5 at once and the rest over 40
months, or over 80 months when the death record is dated from 1 Sep 2025; the 2026 cap for
servicemen first listed as missing). Disability: multiples of the able-bodied subsistence minimum of 1 January
of the year the disability group was set (Law 2011-XII Art. 16-2).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from ..errors import InputError
from ..explain import Msg, Trace
from ..inputs import in_force, parse_date
from ..parameters import Parameters, given
from ..version import RULES_VERSION

KOP = Decimal("0.01")
GROUPS = {1: "I", 2: "II", 3: "III"}
STATUSES = ("contract", "mobilised", "conscript")
STATUS_TEXT = {
    "contract": Msg("contract"),
    "mobilised": Msg("mobilised"),
    "conscript": Msg("conscript"),
}
CAUSE_TEXT = {
    "duty": Msg("in the performance of duties"),
    "service": Msg("during the period of service"),
}
DEATH_KEYS = frozenset(
    {
        "kind",
        "death_date",
        "recipients",
        "death_record_date",
        "listed_missing",
        "pay_while_missing_uah",
    }
)
DISABILITY_KEYS = frozenset(
    {"kind", "group", "cause", "set_date", "loss_percent", "service_status"}
)
ANNUAL_KEYS = frozenset({"date", "category"})


def _uah(d: Decimal) -> float:
    return float(d.quantize(KOP, rounding=ROUND_HALF_UP))


def _uncertain_warning(p: Parameters, name: str, date: dt.date) -> list[str]:
    entry = p[name].entry_at(date)
    return [f"{name} from {entry.start}: {entry.uncertain}"] if entry.uncertain else []


def death_assistance(
    *,
    death_date: dt.date,
    recipients: int = 1,
    death_record_date: dt.date | None = None,
    listed_missing: bool = False,
    pay_while_missing_uah: Decimal = Decimal(0),
    params: Parameters,
) -> dict[str, Any]:
    """Res. 168: 15 M UAH for deaths from 24 Feb 2022, shared equally; the schedule depends on
    the date of the death record (default: the date of death)."""
    p = given(params, "ua")
    t = Trace()
    record = death_record_date or death_date
    if record < death_date:
        raise InputError("death_record_date", "cannot be before death_date")
    total = Decimal(
        in_force(
            p,
            "ua.death_amount",
            death_date,
            field="death_date",
            message="the assistance covers deaths under martial law",
        )
    )
    t.add(
        p.ref("ua.death_amount", death_date),
        float(total),
        "One-time assistance on death: UAH {total}",
        total=f"{total:,.0f}",
    )
    sched = in_force(p, "ua.death_instalments", record, field="death_record_date")
    warnings = _uncertain_warning(p, "ua.death_instalments", record)
    if listed_missing:
        cap = p.get("ua.death_cap_missing", record)
        if cap is None:
            t.add(
                p.ref("ua.death_amount", death_date),
                None,
                "First listed as missing: the 2026 cap was not in force on the date of the "
                "death record",
            )
        else:
            cap = Decimal(cap)
            capped = max(min(total, cap - pay_while_missing_uah), Decimal(0))
            t.add(
                p.ref("ua.death_cap_missing", record),
                _uah(capped),
                "First listed as missing: with the pay received while missing (UAH {pay}), "
                "capped at UAH {cap} → UAH {capped} (bill 13646, uncertain)",
                pay=f"{pay_while_missing_uah:,.2f}",
                cap=f"{cap:,.0f}",
                capped=f"{capped:,.2f}",
            )
            warnings.append("ua.death_cap_missing: " + p["ua.death_cap_missing"].uncertain)
            total = capped
    share = (total / recipients).quantize(KOP, rounding=ROUND_DOWN)
    t.add(
        p.ref("ua.death_amount", death_date),
        _uah(share),
        "Shared equally among {recipients} recipients: UAH {share} each",
        recipients=recipients,
        share=f"{share:,.2f}",
    )
    months = int(sched["months"])
    start = p["ua.death_instalments"].entry_at(record).start
    immediate = (share * Decimal(sched["immediate_share"])).quantize(KOP, rounding=ROUND_DOWN)
    monthly = (
        ((share - immediate) / months).quantize(KOP, rounding=ROUND_DOWN) if months else Decimal(0)
    )
    last = share - immediate - monthly * (months - 1) if months else Decimal(0)
    if months:
        t.add(
            p.ref("ua.death_instalments", record),
            _uah(immediate),
            "Death record of {record} (schedule from {start}): UAH {immediate} at once, then "
            "{months} monthly instalments of UAH {monthly}",
            record=record.isoformat(),
            start=start.isoformat(),
            immediate=f"{immediate:,.2f}",
            months=months,
            monthly=f"{monthly:,.2f}",
        )
    else:
        t.add(p.ref("ua.death_instalments", record), _uah(share), "Paid in full at once")
    return {
        "kind": "death",
        "total_uah": _uah(total),
        "recipients": recipients,
        "per_recipient_uah": _uah(share),
        "immediate_uah": _uah(immediate if months else share),
        "instalments": months,
        "monthly_uah": _uah(monthly),
        "last_instalment_uah": _uah(last),
        "death_record_date": record.isoformat(),
        "schedule_from": start.isoformat(),
        "warnings": warnings,
        "rules_version": RULES_VERSION,
        "steps": t.as_list(),
    }


def disability_assistance(
    *,
    group: int | None,
    cause: str,
    set_date: dt.date,
    loss_percent: Decimal | None = None,
    service_status: str = "contract",
    params: Parameters,
) -> dict[str, Any]:
    p = given(params, "ua")
    t = Trace()
    jan1 = dt.date(set_date.year, 1, 1)
    pm = Decimal(
        in_force(
            p,
            "ua.subsistence_minimum_able_bodied",
            jan1,
            field="set_date",
            message="no subsistence minimum is known for this year",
        )
    )
    warnings: list[str] = []
    t.add(
        p.ref("ua.subsistence_minimum_able_bodied", jan1),
        float(pm),
        "Subsistence minimum for able-bodied persons on 1 January {year}: UAH {minimum}",
        year=set_date.year,
        minimum=pm,
    )
    if group is None:
        if loss_percent is None:
            raise InputError("loss_percent", "required when there is no disability group")
        by_status = in_force(p, "ua.partial_loss_multiplier", set_date, field="set_date")
        mult = Decimal(by_status[service_status] if isinstance(by_status, dict) else by_status)
        warnings.append("ua.partial_loss_multiplier: " + p["ua.partial_loss_multiplier"].uncertain)
        amount = loss_percent / 100 * mult * pm
        t.add(
            p.ref("ua.partial_loss_multiplier", set_date),
            _uah(amount),
            "Partial loss of capacity {loss} % × {multiplier} SM ({status}) = UAH {amount}",
            loss=loss_percent,
            multiplier=mult,
            status=STATUS_TEXT[service_status],
            amount=f"{amount:,.2f}",
        )
    else:
        name = (
            "ua.disability_multiplier_duty"
            if cause == "duty"
            else "ua.disability_multiplier_service"
        )
        mult = Decimal(in_force(p, name, set_date, field="set_date")[group])
        amount = mult * pm
        t.add(
            p.ref(name, set_date),
            _uah(amount),
            "Group {group}, {cause}: {multiplier} × {minimum} = UAH {amount}",
            group=GROUPS[group],
            cause=CAUSE_TEXT[cause],
            multiplier=mult,
            minimum=pm,
            amount=f"{amount:,.2f}",
        )
    return {
        "kind": "disability",
        "group": group,
        "cause": cause,
        "subsistence_minimum_uah": float(pm),
        "multiplier": float(mult),
        "total_uah": _uah(amount),
        "warnings": warnings,
        "rules_version": RULES_VERSION,
        "steps": t.as_list(),
    }


def annual_payment(*, date: dt.date, category: str, params: Parameters) -> dict[str, Any]:
    p = given(params, "ua")
    table = in_force(
        p,
        "ua.annual_payment",
        date,
        field="date",
        message="no annual payment resolution is known for this date",
    )
    if category not in table:
        raise InputError("category", f"must be one of {', '.join(sorted(table))}")
    amount = Decimal(table[category])
    t = Trace()
    t.add(
        p.ref("ua.annual_payment", date),
        float(amount),
        "Annual Independence Day payment, category {category}: UAH {amount}",
        category=category,
        amount=amount,
    )
    return {
        "category": category,
        "amount_uah": float(amount),
        "rules_version": RULES_VERSION,
        "params_digest": p.digest,
        "steps": t.as_list(),
    }


def _refuse_unknown(data: dict[str, Any], known: frozenset[str]) -> None:
    for key in data:
        if key not in known:
            raise InputError(str(key), "unknown field")


def _number(data: dict[str, Any], key: str) -> Decimal | None:
    """A JSON number (not a string, not true/false), or None when absent or null."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(key, "must be a number")
    d = Decimal(str(value))
    if not d.is_finite():
        raise InputError(key, "must be a finite number")
    return d


def ua_assistance_json(data: Any, params: Parameters) -> dict[str, Any]:
    """Input of `vetbridge rules ua-assistance`:
    {"kind": "death", "death_date": "YYYY-MM-DD", "recipients": 2,
     "death_record_date": "YYYY-MM-DD" (default: death_date), "listed_missing": false,
     "pay_while_missing_uah": 0} or
    {"kind": "disability", "group": 1|2|3|null, "cause": "duty"|"service",
     "set_date": "YYYY-MM-DD", "loss_percent": number (only without a group),
     "service_status": "contract"|"mobilised"|"conscript" (default contract)}.
    Numbers must be JSON numbers; unknown keys are refused by name."""
    if not isinstance(data, dict):
        raise InputError("$", "the case must be a JSON object")
    kind = data.get("kind")
    if kind == "death":
        _refuse_unknown(data, DEATH_KEYS)
        recipients = data.get("recipients", 1)
        if (
            isinstance(recipients, bool)
            or not isinstance(recipients, int)
            or not 1 <= recipients <= 50
        ):
            raise InputError("recipients", "must be a whole number from 1 to 50")
        missing = data.get("listed_missing", False)
        if not isinstance(missing, bool):
            raise InputError("listed_missing", "must be true or false")
        pay = _number(data, "pay_while_missing_uah") or Decimal(0)
        if pay < 0:
            raise InputError("pay_while_missing_uah", "must be 0 or more")
        if pay and not missing:
            raise InputError("pay_while_missing_uah", "only with listed_missing: true")
        record = data.get("death_record_date")
        return death_assistance(
            death_date=parse_date(data.get("death_date"), "death_date"),
            recipients=recipients,
            death_record_date=None if record is None else parse_date(record, "death_record_date"),
            listed_missing=missing,
            pay_while_missing_uah=pay,
            params=params,
        )
    if kind == "disability":
        _refuse_unknown(data, DISABILITY_KEYS)
        group = data.get("group")
        if group is not None and (
            isinstance(group, bool) or not isinstance(group, int) or group not in GROUPS
        ):
            raise InputError(
                "group", "must be 1, 2 or 3 (or null for a partial loss without a group)"
            )
        cause = data.get("cause", "duty")
        if cause not in ("duty", "service"):
            raise InputError("cause", "must be 'duty' or 'service'")
        status = data.get("service_status", "contract")
        if status not in STATUSES:
            raise InputError("service_status", f"must be one of {', '.join(STATUSES)}")
        loss_d = _number(data, "loss_percent")
        if loss_d is not None:
            if not 0 < loss_d <= 100:
                raise InputError("loss_percent", "must be a number above 0 and at most 100")
            if group is not None:
                raise InputError("loss_percent", "only for a partial loss without a group")
        return disability_assistance(
            group=group,
            cause=cause,
            set_date=parse_date(data.get("set_date"), "set_date"),
            loss_percent=loss_d,
            service_status=status,
            params=params,
        )
    raise InputError("kind", "must be 'death' or 'disability'")


def annual_payment_json(data: Any, params: Parameters) -> dict[str, Any]:
    """Input of `vetbridge rules ua-annual`: {"date": "YYYY-MM-DD", "category": "..."}."""
    if not isinstance(data, dict):
        raise InputError("$", "the case must be a JSON object")
    _refuse_unknown(data, ANNUAL_KEYS)
    category = data.get("category")
    if not isinstance(category, str):
        raise InputError("category", "required, as text")
    return annual_payment(
        date=parse_date(data.get("date"), "date"), category=category, params=params
    )
