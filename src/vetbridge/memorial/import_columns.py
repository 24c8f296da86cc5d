"""The columns of the memorial list import, described for its page and its template file."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vetbridge.core.import_columns import DATE_FORMATS, Column, region_codes

COLUMNS = (
    Column(
        "external_id",
        True,
        _("the person's identifier in the source list, unique (at most 64 characters)"),
        "BOOK-2025-0042",
    ),
    Column("surname", True, _("surname in Ukrainian (Cyrillic)"), "Шевченко"),
    Column("given_name", True, _("given name in Ukrainian (may be empty)"), "Тарас"),
    Column("death_date", True, _("date of death"), "2024-02-17", DATE_FORMATS),
    Column("patronymic", False, _("patronymic"), "Григорович"),
    Column("surname_en", False, _("surname in English spelling"), "Shevchenko"),
    Column("given_name_en", False, _("given name in English spelling"), "Taras"),
    Column("surname_fr", False, _("surname in French spelling"), "Chevtchenko"),
    Column("given_name_fr", False, _("given name in French spelling"), "Taras"),
    Column(
        "birth_year",
        False,
        _("year of birth"),
        "1990",
        _("four digits, from 1900 to the current year"),
    ),
    Column("birth_region", False, _("region of birth, by its code"), "UA-46", allowed=region_codes),
    Column("death_place", False, _("place of death (at most 200 characters)"), "Авдіївка"),
    Column("unit", False, _("military unit (at most 200 characters)"), "93 ОМБр"),
    Column("rank", False, _("rank (at most 80 characters)"), "солдат"),
    Column("burial_place", False, _("burial place (at most 200 characters)"), "Львів"),
    Column("circumstances", False, _("circumstances of death (at most 4000 characters)"), ""),
    Column(
        "sources",
        False,
        _("sources, e.g. the list or book (at most 2000 characters)"),
        "Книга пам'яті",
    ),
)
