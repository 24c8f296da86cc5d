"""The columns of the people CSV import, described for its page and its template file."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vetbridge.core.import_columns import DATE_FORMATS, Column, region_codes

from .importer import SEX_ALIASES
from .models import Sex, StatusKind


def _sex_codes() -> list[tuple[str, str]]:
    labels = dict(Sex.choices)
    out = []
    for sex in Sex.values:
        codes = [c.upper() for c, v in SEX_ALIASES.items() if v == sex and c]
        if sex == Sex.UNKNOWN:
            codes.append(str(_("(empty)")))
        out.append((", ".join(codes), str(labels[sex])))
    return out


def _status_codes() -> list[tuple[str, str]]:
    out = [(code, str(label)) for code, label in StatusKind.choices]
    out.append(
        (
            "ua_war_disability:1 … :3",
            str(_("a war disability needs its group after a colon: 1, 2 or 3 (or I, II, III)")),
        )
    )
    out.append(("", str(_("(empty): no status"))))
    return out


COLUMNS = (
    Column(
        "external_id",
        True,
        _("the person's identifier in the source list, unique (at most 64 characters)"),
        "MOD-2025-000123",
    ),
    Column("surname", True, _("surname, in any script"), "Шевченко"),
    Column("given_name", True, _("given name (may be empty)"), "Тарас"),
    Column("patronymic", True, _("patronymic (may be empty)"), "Григорович"),
    Column("birth_date", True, _("date of birth (may be empty)"), "1990-03-09", DATE_FORMATS),
    Column("sex", True, _("sex"), "M", allowed=_sex_codes),
    Column(
        "status",
        True,
        _("legal status proven by the list (may be empty)"),
        "ua_combatant",
        allowed=_status_codes,
    ),
    Column(
        "status_from",
        False,
        _("date from which the status is valid (default: today)"),
        "2023-05-01",
        DATE_FORMATS,
    ),
    Column("region", False, _("region of residence, by its code"), "UA-46", allowed=region_codes),
)
