"""Dates and thresholds of the claim procedure (both countries), with their explanation.

Pure: the workflow in `vetbridge.reparation` calls these and stores what they return.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .errors import InputError
from .explain import Trace
from .parameters import Parameters

RESIDENCES = ("metropole", "overseas", "abroad")


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class Dated:
    date: dt.date
    steps: Trace


def appeal_deadline(country: str, notified: dt.date, residence: str = "metropole") -> Dated:
    """Last day to appeal a decision notified on `notified`."""
    t = Trace()
    if country == "fr":
        if residence not in RESIDENCES:
            raise InputError("residence", f"must be one of {', '.join(RESIDENCES)}")
        p = Parameters.load("fr")
        months = int(p.at("fr.appeal_months", notified))
        extra = int(p.at("fr.appeal_extra_months", notified)[residence])
        day = add_months(notified, months + extra)
        t.add(p.ref("fr.appeal_months", notified), day.isoformat(),
              uk=f"Попереднє оскарження до Комісії з оскаржень щодо інвалідності (CRI): "
                 f"{months} міс. від повідомлення"
                 + (f" + {extra} міс. (проживання поза метрополією)" if extra else ""),
              fr=f"Recours administratif préalable obligatoire devant la Commission de recours "
                 f"de l'invalidité : {months} mois après la notification"
                 + (f" + {extra} mois (résidence hors métropole)" if extra else ""),
              en=f"Mandatory prior appeal to the Commission de recours de l'invalidité: "
                 f"{months} months from notification"
                 + (f" + {extra} months (living outside metropolitan France)" if extra else ""))
        return Dated(day, t)
    if country == "ua":
        p = Parameters.load("ua")
        days = int(p.at("ua.appeal_days", notified))
        day = notified + dt.timedelta(days=days)
        t.add(p.ref("ua.appeal_days", notified), day.isoformat(),
              uk=f"Адміністративна скарга: {days} днів від доведення рішення; "
                 f"після цього — до суду",
              fr=f"Recours administratif : {days} jours après la notification ; ensuite, "
                 f"recours devant le tribunal",
              en=f"Administrative complaint: {days} days from notification; after that, "
                 f"court")
        return Dated(day, t)
    raise InputError("country", "must be fr or ua")


def appeal_silence_date(filed: dt.date) -> Dated:
    """French CRI: the day its silence becomes a rejection."""
    p = Parameters.load("fr")
    months = int(p.at("fr.appeal_silence_months", filed))
    day = add_months(filed, months)
    t = Trace()
    t.add(p.ref("fr.appeal_silence_months", filed), day.isoformat(),
          uk=f"Без відповіді CRI за {months} міс. скаргу вважають відхиленою",
          fr=f"Sans réponse de la CRI dans les {months} mois, le recours est rejeté",
          en=f"Without an answer from the CRI within {months} months, the appeal is rejected")
    return Dated(day, t)


def temporary_until(start: dt.date) -> Dated:
    p = Parameters.load("fr")
    years = int(p.at("fr.temporary_years", start))
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


def revision_check(previous_rate: int, new_rate: int, on: dt.date) -> RevisionCheck:
    """Revision for aggravation: the new rate must exceed the old by the minimum points."""
    p = Parameters.load("fr")
    minimum = int(p.at("fr.revision_min_points", on))
    diff = new_rate - previous_rate
    t = Trace()
    t.add(p.ref("fr.revision_min_points", on), diff,
          uk=f"Перегляд через погіршення: {new_rate} % проти {previous_rate} % "
             f"(+{diff} пунктів; потрібно щонайменше +{minimum})",
          fr=f"Révision pour aggravation : {new_rate} % contre {previous_rate} % "
             f"(+{diff} points ; il en faut au moins {minimum})",
          en=f"Revision for aggravation: {new_rate} % against {previous_rate} % "
             f"(+{diff} points; at least {minimum} needed)")
    return RevisionCheck(diff >= minimum, diff, minimum, t)


@dataclass
class Arrears:
    start: dt.date
    end: dt.date
    days: int
    amount_eur: Decimal
    limited: bool
    steps: Trace


def arrears(*, start: dt.date, until: dt.date, annual_amount: Decimal, filed: dt.date,
            late_by_own_doing: bool = False) -> Arrears:
    """Pension due from `start` to `until` (exclusive), limited by L151-3 for late claims."""
    p = Parameters.load("fr")
    t = Trace()
    limited = False
    if late_by_own_doing:
        years = int(p.at("fr.arrears_previous_years", filed))
        floor = dt.date(filed.year - years, 1, 1)
        if start < floor:
            start, limited = floor, True
        t.add(p.ref("fr.arrears_previous_years", filed), floor.isoformat(),
              uk=f"Заява подана із запізненням: виплата за рік подання і {years} попередні роки",
              fr=f"Demande tardive : rappel limité à l'année de la demande et aux {years} "
                 f"années précédentes",
              en=f"Late claim: arrears limited to the year of filing and the {years} previous "
                 f"years")
    days = max((until - start).days, 0)
    amount = (annual_amount * days / Decimal(365)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    t.add(p.ref("fr.arrears_previous_years", filed), float(amount),
          uk=f"Недоплата з {start.isoformat()} по {until.isoformat()}: {days} дн. × "
             f"{annual_amount} € / 365 = {amount} €",
          fr=f"Rappel du {start.isoformat()} au {until.isoformat()} : {days} jours × "
             f"{annual_amount} € / 365 = {amount} €",
          en=f"Arrears from {start.isoformat()} to {until.isoformat()}: {days} days × "
             f"{annual_amount} € / 365 = {amount} €")
    return Arrears(start, until, days, amount, limited, t)
