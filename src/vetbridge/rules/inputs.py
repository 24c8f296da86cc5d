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


def in_force(p: Parameters, name: str, date: dt.date, *, field: str, message: str = "") -> Any:
    """The parameter's value at `date`; a date outside its series (before its first value or
    after its `known_until`) is the caller's bad input: "no value in force at DATE"."""
    try:
        return p.at(name, date)
    except ParameterError as exc:
        text = f"no value in force at {date.isoformat()}"
        param = p.params.get(name)
        if param is not None and param.known_until is not None and date > param.known_until:
            text += f" ({param.description}: known until {param.known_until.isoformat()})"
        elif param is not None and param.values:
            text += f" ({param.description}: series starts {param.values[0].start.isoformat()})"
        if message:
            text += f"; {message}"
        raise InputError(field, text) from exc
