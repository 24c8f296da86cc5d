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
    return in_force(p, name, on, field=field_name,
                    message=f"no value of {name} in force on {on.isoformat()}")


@dataclass
class Dated:
    date: dt.date
    steps: Trace
    # For the CRI silence clock: an expertise still running (the date is the latest possible).
    suspended: bool = False


def _residence(residence: str) -> None:
    if residence not in RESIDENCES:
        raise InputError("residence", f"must be one of {', '.join(RESIDENCES)}")


def appeal_deadline(country: str, notified: dt.date, residence: str = "metropole", *,
                    params: Parameters, by_post: bool = False) -> Dated:
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
        t.add(p.ref("fr.appeal_months", notified), day.isoformat(),
              uk=f"Попереднє оскарження до Комісії з оскаржень щодо інвалідності (CRI): "
                 f"{months} міс. від повідомлення {notified.isoformat()}"
                 + (f" + {extra} міс. (проживання поза метрополією)" if extra else "")
                 + f": до {day.isoformat()}",
              fr=f"Recours administratif préalable obligatoire devant la Commission de recours "
                 f"de l'invalidité : {months} mois après la notification du "
                 f"{notified.isoformat()}"
                 + (f" + {extra} mois (résidence hors métropole)" if extra else "")
                 + f" : jusqu'au {day.isoformat()}",
              en=f"Mandatory prior appeal to the Commission de recours de l'invalidité: "
                 f"{months} months from the notification on {notified.isoformat()}"
                 + (f" + {extra} months (living outside metropolitan France)" if extra else "")
                 + f": until {day.isoformat()}")
        return Dated(day, t)
    if country == "ua":
        start = notified
        if by_post:
            post = int(_value(p, "ua.postal_delivery_days", notified, "notified_on"))
            start = notified + dt.timedelta(days=post)
            t.add(p.ref("ua.postal_delivery_days", notified), start.isoformat(),
                  uk=f"Рішення надіслано поштою {notified.isoformat()}: вважається врученим "
                     f"{start.isoformat()}",
                  fr=f"Décision envoyée par la poste le {notified.isoformat()} : réputée "
                     f"remise le {start.isoformat()}",
                  en=f"Decision sent by post on {notified.isoformat()}: deemed delivered on "
                     f"{start.isoformat()}")
        days = int(_value(p, "ua.appeal_days", start, "notified_on"))
        day = start + dt.timedelta(days=days)
        t.add(p.ref("ua.appeal_days", start), day.isoformat(),
              uk=f"Адміністративна скарга: {days} днів від доведення рішення "
                 f"({start.isoformat()}), до {day.isoformat()}; після цього — до суду",
              fr=f"Recours administratif : {days} jours après la notification "
                 f"({start.isoformat()}), jusqu'au {day.isoformat()} ; ensuite, recours "
                 f"devant le tribunal",
              en=f"Administrative complaint: {days} days from notification "
                 f"({start.isoformat()}), until {day.isoformat()}; after that, court")
        return Dated(day, t)
    raise InputError("country", "must be fr or ua")


def court_deadline(notified: dt.date, residence: str = "metropole", *,
                   params: Parameters) -> Dated:
    """France: last day to bring the CRI's decision before the tribunal administratif."""
    _residence(residence)
    p = params
    months = int(_value(p, "fr.court_months", notified, "notified_on"))
    extra = int(_value(p, "fr.court_extra_months", notified, "notified_on")[residence])
    day = add_months(notified, months + extra)
    t = Trace()
    t.add(p.ref("fr.court_months", notified), day.isoformat(),
          uk=f"Позов до адміністративного суду (tribunal administratif) проти рішення CRI: "
             f"{months} міс. від повідомлення {notified.isoformat()} (CJA R421-1)"
             + (f" + {extra} міс. на відстань (R421-7)" if extra else "")
             + f": до {day.isoformat()}",
          fr=f"Recours contre la décision de la CRI devant le tribunal administratif : "
             f"{months} mois après la notification du {notified.isoformat()} (CJA R421-1)"
             + (f" + {extra} mois de délai de distance (R421-7)" if extra else "")
             + f" : jusqu'au {day.isoformat()}",
          en=f"Action against the CRI's decision before the tribunal administratif: "
             f"{months} months from the notification on {notified.isoformat()} (CJA R421-1)"
             + (f" + {extra} months' distance extension (R421-7)" if extra else "")
             + f": until {day.isoformat()}")
    return Dated(day, t)


def appeal_silence_date(filed: dt.date, *, params: Parameters,
                        expertise_start: dt.date | None = None,
                        expertise_end: dt.date | None = None) -> Dated:
    """French CRI: the day its silence becomes a rejection (R711-15).

    A medical expertise suspends the clock from its notice (`expertise_start`) until its
    conclusions (`expertise_end`), for at most the parameter's months. While it runs (no end
    yet) the date is the latest possible one and `suspended` is true."""
    p = params
    months = int(_value(p, "fr.appeal_silence_months", filed, "appealed_on"))
    day = add_months(filed, months)
    t = Trace()
    t.add(p.ref("fr.appeal_silence_months", filed), day.isoformat(),
          uk=f"Без відповіді CRI за {months} міс. скаргу вважають відхиленою",
          fr=f"Sans réponse de la CRI dans les {months} mois, le recours est rejeté",
          en=f"Without an answer from the CRI within {months} months, the appeal is rejected")
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
    cap_months = int(_value(p, "fr.expertise_suspension_max_months", expertise_start,
                            "expertise_start"))
    cap_end = add_months(expertise_start, cap_months)
    running = expertise_end is None
    stop = cap_end if expertise_end is None else min(expertise_end, cap_end)
    suspended_days = (stop - expertise_start).days
    day = day + dt.timedelta(days=suspended_days)
    begin = expertise_start.isoformat()
    if expertise_end is None:
        uk_span, fr_span, en_span = (f"з {begin} (триває; щонайбільше",
                                     f"à compter du {begin} (en cours ; au plus",
                                     f"from {begin} (still running; at most")
    else:
        finish = expertise_end.isoformat()
        uk_span, fr_span, en_span = (f"з {begin} до {finish} (щонайбільше",
                                     f"du {begin} au {finish} (au plus",
                                     f"from {begin} to {finish} (at most")
    t.add(p.ref("fr.expertise_suspension_max_months", expertise_start), day.isoformat(),
          uk=f"Строк зупинено на час медичної експертизи {uk_span} {cap_months} міс.): "
             f"{suspended_days} дн.; мовчання означає відмову з {day.isoformat()}"
             + (" найпізніше" if running else ""),
          fr=f"Délai suspendu pendant l'expertise médicale {fr_span} {cap_months} mois) : "
             f"{suspended_days} jours ; silence valant rejet le {day.isoformat()}"
             + (" au plus tard" if running else ""),
          en=f"Clock suspended during the medical expertise {en_span} {cap_months} months): "
             f"{suspended_days} days; silence is a rejection on {day.isoformat()}"
             + (" at the latest" if running else ""))
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
    t.add(p.ref("fr.temporary_years", start), day.isoformat(),
          uk=f"Тимчасова пенсія: {years} роки від дати початку",
          fr=f"Pension temporaire : {years} ans à compter de sa date d'effet",
          en=f"Temporary pension: {years} years from its start date")
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


def revision_check(previous_rate: int, new_rate: int, on: dt.date, *, params: Parameters,
                   previous_degrees: int = 0, new_degrees: int = 0) -> RevisionCheck:
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
    t.add(p.ref("fr.revision_min_points", on), diff,
          uk=f"Перегляд через погіршення: {show(new_rate, new_degrees)} = {new} проти "
             f"{show(previous_rate, previous_degrees)} = {old} (+{diff} пунктів; потрібно "
             f"щонайменше +{minimum}; ступені понад 100 % враховано)",
          fr=f"Révision pour aggravation : {show(new_rate, new_degrees)} = {new} contre "
             f"{show(previous_rate, previous_degrees)} = {old} (+{diff} points ; il en faut au "
             f"moins {minimum} ; degrés au-delà de 100 % compris)",
          en=f"Revision for aggravation: {show(new_rate, new_degrees)} = {new} against "
             f"{show(previous_rate, previous_degrees)} = {old} (+{diff} points; at least "
             f"{minimum} needed; degrees beyond 100 % counted)")
    return RevisionCheck(diff >= minimum, diff, minimum, t, old, new)


@dataclass
class ArrearsPeriod:
    start: dt.date
    end: dt.date  # inclusive
    days: int
    point_value: Decimal
    amount: Decimal  # unrounded

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "days": self.days, "point_value_eur": float(self.point_value),
                "amount_eur": float(self.amount.quantize(CENT, ROUND_HALF_UP))}


@dataclass
class Arrears:
    start: dt.date
    end: dt.date  # exclusive: the decision day
    days: int
    amount_eur: Decimal
    limited: bool
    steps: Trace
    periods: list[ArrearsPeriod] = field(default_factory=list)


def arrears(*, start: dt.date, until: dt.date, filed: dt.date, params: Parameters,
            points: Decimal | None = None, annual_amount: Decimal | None = None,
            late_by_own_doing: bool = False) -> Arrears:
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
        t.add(p.ref("fr.arrears_previous_years", filed), floor.isoformat(),
              uk=f"Заява подана із запізненням: виплата за рік подання і {years} попередні роки",
              fr=f"Demande tardive : rappel limité à l'année de la demande et aux {years} "
                 f"années précédentes",
              en=f"Late claim: arrears limited to the year of filing and the {years} previous "
                 f"years")
    convention = str(_value(p, "fr.arrears_day_count", filed, "filed_at"))
    if convention not in DAY_COUNTS:
        raise InputError("fr.arrears_day_count", f"must be one of {', '.join(DAY_COUNTS)}")
    periods: list[ArrearsPeriod] = []
    cuts = sorted({d for d in p["fr.point_value"].change_dates() if start < d < until}
                  | {dt.date(y, 1, 1) for y in range(start.year + 1, until.year + 1)
                     if convention == "actual_actual"})
    bounds = [start, *cuts, until] if until > start else []
    for a, b in zip(bounds, bounds[1:], strict=False):
        value = Decimal(_value(p, "fr.point_value", a, "filed_at"))
        days = (b - a).days
        divisor = Decimal(366 if convention == "actual_actual" and calendar.isleap(a.year)
                          else 365)
        periods.append(ArrearsPeriod(a, b - dt.timedelta(days=1), days, value,
                                     points * value * days / divisor))
    days = sum(x.days for x in periods)
    amount = sum((x.amount for x in periods), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
    for x in periods:
        annual = (points * x.point_value).quantize(CENT)
        share = x.amount.quantize(CENT, ROUND_HALF_UP)
        value = x.point_value.quantize(CENT)
        t.add(p.ref("fr.point_value", x.start), float(share),
              uk=f"З {x.start.isoformat()} по {x.end.isoformat()}: {x.days} дн. × "
                 f"{points} балів × {value} € / рік = {share} €",
              fr=f"Du {x.start.isoformat()} au {x.end.isoformat()} : {x.days} jours × "
                 f"{points} points × {value} € par an ({annual} €) = {share} €",
              en=f"From {x.start.isoformat()} to {x.end.isoformat()}: {x.days} days × "
                 f"{points} points × €{value} a year ({annual} €) = {share} €")
    last = (until - dt.timedelta(days=1)).isoformat()
    t.add(p.ref("fr.arrears_day_count", filed), float(amount),
          uk=f"Недоплата з {start.isoformat()} по {last}: {days} дн., за вартістю бала в кожному "
             f"періоді, разом {amount} € (рік = {'365 дн.' if convention == 'actual_365' else 'фактичні дні'})",
          fr=f"Rappel du {start.isoformat()} au {last} : {days} jours, à la valeur du point de "
             f"chaque période, total {amount} € (année de "
             f"{'365 jours' if convention == 'actual_365' else 'durée réelle'})",
          en=f"Arrears from {start.isoformat()} to {last}: {days} days at each period's point "
             f"value, total {amount} € ({'365-day' if convention == 'actual_365' else 'actual'}"
             f" year)")
    return Arrears(start, until, days, amount, limited, t, periods)
