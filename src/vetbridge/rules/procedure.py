"""Dates and thresholds of the claim procedure (both countries), with their explanation.

Pure: the workflow in `vetbridge.reparation` calls these and stores what they return. Every
function receives its `Parameters` (never loads files itself), so a frozen snapshot or a
reform overlay gives the procedure of that law.

- Deadlines run from the NOTIFICATION of a decision (R711-2 CPMIVG; CJA R421-1), never from
  the day it was signed: until the notification date is known there is no deadline.
- French initial decision → mandatory prior appeal (RAPO) to the CRI: 6 months, + 1 overseas,
  + 2 abroad (R711-2). CRI decision → tribunal administratif: 2 months (CJA R421-1) plus the
  distance extensions (CJA R421-7, CPC art. 643).
- The CRI's silence is a rejection after 4 months; the clock is suspended from the notice of
  a medical expertise until its conclusions, at most 4 months (R711-15).
- A late appeal is flagged, never refused here: admissibility is the officer's decision.
- Revision for aggravation: the 10-point test counts degrees beyond 100 % (100 % + n degrees
  is 100 + 10·n for the test; L154-1 with L125-10).
- Arrears: each period at the point value in force in that period (L125-2, R125-1).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .errors import InputError
from .explain import Trace
from .inputs import in_force
from .parameters import Parameters

RESIDENCES = ("metropole", "overseas", "abroad")
DAY_COUNTS = ("actual_365", "actual_actual")
CENT = Decimal("0.01")


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _value(p: Parameters, name: str, on: dt.date, field_name: str) -> Any:
    return in_force(
        p, name, on, field=field_name, message=f"no value of {name} in force on {on.isoformat()}"
    )


@dataclass
class Dated:
    date: dt.date
    steps: Trace
    # For the CRI silence clock: an expertise still running (the date is the latest possible).
    suspended: bool = False


def _residence(residence: str) -> None:
    if residence not in RESIDENCES:
        raise InputError("residence", f"must be one of {', '.join(RESIDENCES)}")


def appeal_deadline(
    country: str,
    notified: dt.date,
    residence: str = "metropole",
    *,
    params: Parameters,
    by_post: bool = False,
) -> Dated:
    """Last day of the first remedy against a decision notified on `notified`.

    France: the RAPO to the CRI (R711-2). Ukraine: the administrative complaint (Law 2073-IX);
    `by_post`: the act sent by post on `notified` is deemed delivered on a later day (art. 80)."""
    t = Trace()
    p = params
    if country == "fr":
        _residence(residence)
        months = int(_value(p, "fr.appeal_months", notified, "notified_on"))
        extra = int(_value(p, "fr.appeal_extra_months", notified, "notified_on")[residence])
        day = add_months(notified, months + extra)
        if extra:
            t.add(
                p.ref("fr.appeal_months", notified),
                day.isoformat(),
                "Mandatory prior appeal to the Commission de recours de l'invalidité: "
                "{months} months from the notification on {notified} + {extra} months "
                "(living outside metropolitan France): until {day}",
                months=months,
                notified=notified.isoformat(),
                extra=extra,
                day=day.isoformat(),
            )
        else:
            t.add(
                p.ref("fr.appeal_months", notified),
                day.isoformat(),
                "Mandatory prior appeal to the Commission de recours de l'invalidité: "
                "{months} months from the notification on {notified}: until {day}",
                months=months,
                notified=notified.isoformat(),
                day=day.isoformat(),
            )
        return Dated(day, t)
    if country == "ua":
        start = notified
        if by_post:
            post = int(_value(p, "ua.postal_delivery_days", notified, "notified_on"))
            start = notified + dt.timedelta(days=post)
            t.add(
                p.ref("ua.postal_delivery_days", notified),
                start.isoformat(),
                "Decision sent by post on {sent}: deemed delivered on {delivered}",
                sent=notified.isoformat(),
                delivered=start.isoformat(),
            )
        days = int(_value(p, "ua.appeal_days", start, "notified_on"))
        day = start + dt.timedelta(days=days)
        t.add(
            p.ref("ua.appeal_days", start),
            day.isoformat(),
            "Administrative complaint: {days} days from notification ({notified}), until "
            "{day}; after that, court",
            days=days,
            notified=start.isoformat(),
            day=day.isoformat(),
        )
        return Dated(day, t)
    raise InputError("country", "must be fr or ua")


def court_deadline(notified: dt.date, residence: str = "metropole", *, params: Parameters) -> Dated:
    """France: last day to bring the CRI's decision before the tribunal administratif."""
    _residence(residence)
    p = params
    months = int(_value(p, "fr.court_months", notified, "notified_on"))
    extra = int(_value(p, "fr.court_extra_months", notified, "notified_on")[residence])
    day = add_months(notified, months + extra)
    t = Trace()
    if extra:
        t.add(
            p.ref("fr.court_months", notified),
            day.isoformat(),
            "Action against the CRI's decision before the tribunal administratif: {months} "
            "months from the notification on {notified} (CJA R421-1) + {extra} months' "
            "distance extension (R421-7): until {day}",
            months=months,
            notified=notified.isoformat(),
            extra=extra,
            day=day.isoformat(),
        )
    else:
        t.add(
            p.ref("fr.court_months", notified),
            day.isoformat(),
            "Action against the CRI's decision before the tribunal administratif: {months} "
            "months from the notification on {notified} (CJA R421-1): until {day}",
            months=months,
            notified=notified.isoformat(),
            day=day.isoformat(),
        )
    return Dated(day, t)


def appeal_silence_date(
    filed: dt.date,
    *,
    params: Parameters,
    expertise_start: dt.date | None = None,
    expertise_end: dt.date | None = None,
) -> Dated:
    """French CRI: the day its silence becomes a rejection (R711-15).

    A medical expertise suspends the clock from its notice (`expertise_start`) until its
    conclusions (`expertise_end`), for at most the parameter's months. While it runs (no end
    yet) the date is the latest possible one and `suspended` is true."""
    p = params
    months = int(_value(p, "fr.appeal_silence_months", filed, "appealed_on"))
    day = add_months(filed, months)
    t = Trace()
    t.add(
        p.ref("fr.appeal_silence_months", filed),
        day.isoformat(),
        "Without an answer from the CRI within {months} months, the appeal is rejected",
        months=months,
    )
    if expertise_start is None:
        if expertise_end is not None:
            raise InputError("expertise_start", "required when the expertise end is given")
        return Dated(day, t)
    if expertise_start < filed:
        raise InputError("expertise_start", "cannot be before the appeal was filed")
    if expertise_start > day:
        raise InputError("expertise_start", "after the silence date: the clock had run out")
    if expertise_end is not None and expertise_end < expertise_start:
        raise InputError("expertise_end", "cannot be before the expertise start")
    cap_months = int(
        _value(p, "fr.expertise_suspension_max_months", expertise_start, "expertise_start")
    )
    cap_end = add_months(expertise_start, cap_months)
    running = expertise_end is None
    stop = cap_end if expertise_end is None else min(expertise_end, cap_end)
    suspended_days = (stop - expertise_start).days
    day = day + dt.timedelta(days=suspended_days)
    ref = p.ref("fr.expertise_suspension_max_months", expertise_start)
    if expertise_end is None:
        t.add(
            ref,
            day.isoformat(),
            "Clock suspended during the medical expertise from {start} "
            "(still running; at most {cap} months): {days} days; silence is a rejection on "
            "{day} at the latest",
            start=expertise_start.isoformat(),
            cap=cap_months,
            days=suspended_days,
            day=day.isoformat(),
        )
    else:
        t.add(
            ref,
            day.isoformat(),
            "Clock suspended during the medical expertise from {start} "
            "to {end} (at most {cap} months): {days} days; silence is a rejection on {day}",
            start=expertise_start.isoformat(),
            end=expertise_end.isoformat(),
            cap=cap_months,
            days=suspended_days,
            day=day.isoformat(),
        )
    return Dated(day, t, suspended=running)


def appeal_is_late(deadline: dt.date | None, appealed_on: dt.date) -> bool | None:
    """True when filed after the deadline, None when the deadline is not known (no
    notification date). Never a refusal: the officer decides admissibility."""
    if deadline is None:
        return None
    return appealed_on > deadline


def temporary_until(start: dt.date, *, params: Parameters) -> Dated:
    p = params
    years = int(_value(p, "fr.temporary_years", start, "filed_at"))
    day = add_years(start, years) - dt.timedelta(days=1)
    t = Trace()
    t.add(
        p.ref("fr.temporary_years", start),
        day.isoformat(),
        "Temporary pension: {years} years from its start date",
        years=years,
    )
    return Dated(day, t)


@dataclass
class RevisionCheck:
    allowed: bool
    difference: int
    minimum: int
    steps: Trace
    previous_percentage: int = 0
    new_percentage: int = 0


def percentage_with_degrees(rate: int, degrees: int, degree_size: int) -> int:
    """The percentage the revision test compares: beyond 100 %, each degree is a slice of
    `degree_size` points (L125-10: "chaque tranche de 10 % prend le nom de degré")."""
    return rate + (degrees * degree_size if rate >= 100 else 0)


def revision_check(
    previous_rate: int,
    new_rate: int,
    on: dt.date,
    *,
    params: Parameters,
    previous_degrees: int = 0,
    new_degrees: int = 0,
) -> RevisionCheck:
    """Revision for aggravation (L154-1): the new percentage must exceed the pensioned one by
    the minimum points, degrees beyond 100 % included."""
    p = params
    minimum = int(_value(p, "fr.revision_min_points", on, "filed_at"))
    size = int(_value(p, "fr.degree_size", on, "filed_at"))
    old = percentage_with_degrees(previous_rate, previous_degrees, size)
    new = percentage_with_degrees(new_rate, new_degrees, size)
    diff = new - old

    def show(rate: int, degrees: int) -> str:
        return f"{rate} % + {degrees} × {size}" if rate >= 100 and degrees else f"{rate} %"

    t = Trace()
    t.add(
        p.ref("fr.revision_min_points", on),
        diff,
        "Revision for aggravation: {new_rate} = {new} against {previous_rate} = {previous} "
        "(+{difference} points; at least {minimum} needed; degrees beyond 100 % counted)",
        new_rate=show(new_rate, new_degrees),
        new=new,
        previous_rate=show(previous_rate, previous_degrees),
        previous=old,
        difference=diff,
        minimum=minimum,
    )
    return RevisionCheck(diff >= minimum, diff, minimum, t, old, new)


@dataclass
class ArrearsPeriod:
    start: dt.date
    end: dt.date  # inclusive
    days: int
    point_value: Decimal
    amount: Decimal  # unrounded

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "point_value_eur": float(self.point_value),
            "amount_eur": float(self.amount.quantize(CENT, ROUND_HALF_UP)),
        }


@dataclass
class Arrears:
    start: dt.date
    end: dt.date  # exclusive: the decision day
    days: int
    amount_eur: Decimal
    limited: bool
    steps: Trace
    periods: list[ArrearsPeriod] = field(default_factory=list)


def arrears(
    *,
    start: dt.date,
    until: dt.date,
    filed: dt.date,
    params: Parameters,
    points: Decimal | None = None,
    annual_amount: Decimal | None = None,
    late_by_own_doing: bool = False,
) -> Arrears:
    """Pension due from `start` to the day before `until`, period by period at the point
    value in force in each period, limited by L151-3 for late claims.

    The pension is a number of index points (L125-2); `annual_amount` (the amount at the
    filing date's point value) is accepted instead and turned back into points. Each period:
    points × point value × days / divisor (365, or the days of its year under the
    `actual_actual` convention); the periods are summed, then rounded to the cent."""
    p = params
    if points is None:
        if annual_amount is None:
            raise InputError("points", "required (or annual_amount)")
        points = Decimal(annual_amount) / Decimal(_value(p, "fr.point_value", filed, "filed_at"))
        points = points.quantize(CENT) if points == points.quantize(CENT) else points
    t = Trace()
    limited = False
    if late_by_own_doing:
        years = int(_value(p, "fr.arrears_previous_years", filed, "filed_at"))
        floor = dt.date(filed.year - years, 1, 1)
        if start < floor:
            start, limited = floor, True
        t.add(
            p.ref("fr.arrears_previous_years", filed),
            floor.isoformat(),
            "Late claim: arrears limited to the year of filing and the {years} previous years",
            years=years,
        )
    convention = str(_value(p, "fr.arrears_day_count", filed, "filed_at"))
    if convention not in DAY_COUNTS:
        raise InputError("fr.arrears_day_count", f"must be one of {', '.join(DAY_COUNTS)}")
    periods: list[ArrearsPeriod] = []
    cuts = sorted(
        {d for d in p["fr.point_value"].change_dates() if start < d < until}
        | {
            dt.date(y, 1, 1)
            for y in range(start.year + 1, until.year + 1)
            if convention == "actual_actual"
        }
    )
    bounds = [start, *cuts, until] if until > start else []
    for a, b in zip(bounds, bounds[1:], strict=False):
        value = Decimal(_value(p, "fr.point_value", a, "filed_at"))
        days = (b - a).days
        divisor = Decimal(366 if convention == "actual_actual" and calendar.isleap(a.year) else 365)
        periods.append(
            ArrearsPeriod(a, b - dt.timedelta(days=1), days, value, points * value * days / divisor)
        )
    days = sum(x.days for x in periods)
    amount = sum((x.amount for x in periods), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
    for x in periods:
        annual = (points * x.point_value).quantize(CENT)
        share = x.amount.quantize(CENT, ROUND_HALF_UP)
        value = x.point_value.quantize(CENT)
        t.add(
            p.ref("fr.point_value", x.start),
            float(share),
            "From {start} to {end}: {days} days × {points} points × €{point_value} a year "
            "({annual} €) = {amount} €",
            start=x.start.isoformat(),
            end=x.end.isoformat(),
            days=x.days,
            points=points,
            point_value=value,
            annual=annual,
            amount=share,
        )
    last = (until - dt.timedelta(days=1)).isoformat()
    if convention == "actual_365":
        t.add(
            p.ref("fr.arrears_day_count", filed),
            float(amount),
            "Arrears from {start} to {end}: {days} days at each period's point value, total "
            "{amount} € (365-day year)",
            start=start.isoformat(),
            end=last,
            days=days,
            amount=amount,
        )
    else:
        t.add(
            p.ref("fr.arrears_day_count", filed),
            float(amount),
            "Arrears from {start} to {end}: {days} days at each period's point value, total "
            "{amount} € (actual year)",
            start=start.isoformat(),
            end=last,
            days=days,
            amount=amount,
        )
    return Arrears(start, until, days, amount, limited, t, periods)
