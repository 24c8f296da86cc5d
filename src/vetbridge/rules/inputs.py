"""Input helpers shared by every calculator: dates, and parameters that must be in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .errors import InputError
from .parameters import ParameterError, Parameters


def parse_date(value: Any, name: str = "date") -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise InputError(name, "must be a date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(name, f"'{value[:40]}' is not a date as YYYY-MM-DD") from exc


def in_force(p: Parameters, name: str, date: dt.date, *, field: str, message: str) -> Any:
    """The parameter's value at `date`; a date outside its series is the caller's bad input."""
    try:
        return p.at(name, date)
    except ParameterError as exc:
        raise InputError(field, message) from exc
