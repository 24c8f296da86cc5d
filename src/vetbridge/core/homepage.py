"""The home page of each role: what to do now, with counts.

Each app that has something to ask of a user publishes it in its own `home.py`, as a
function `panels(user) -> list[Panel]` that reads through that app's own selectors (and so
through the user's scope). This module only collects them: it imports no app's models.
A panel counts in the database and lists at most `Panel.LIMIT` rows, oldest or most
urgent first, with a link to the full queue.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps


@dataclass
class Row:
    label: str
    url: str
    detail: str = ""
    when: dt.date | dt.datetime | None = None
    urgent: bool = False  # overdue, past a legal deadline, late


@dataclass
class Panel:
    LIMIT = 8

    key: str
    title: str
    count: int
    rows: list[Row] = field(default_factory=list)
    more_url: str = ""
    more_label: str = ""
    empty: str = ""  # what to say when there is nothing to do
    order: int = 50  # smaller first


def panels_for(user: Any) -> list[Panel]:
    """Every app's panels for this user, most pressing first (then by the apps' order)."""
    out: list[Panel] = []
    for config in apps.get_app_configs():
        name = f"{config.name}.home"
        if importlib.util.find_spec(name) is None:
            continue
        out.extend(importlib.import_module(name).panels(user))
    return sorted(out, key=lambda p: (p.order, p.key))
