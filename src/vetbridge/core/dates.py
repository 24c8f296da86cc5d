"""Dates written out for documents (PDF letters, the care summary, the cooperation report),
through babel's CLDR data in the reader's language: "2 грудня 2026 р.", "1er décembre 2026",
"December 2, 2026" — never ISO."""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date
from django.utils import timezone
from django.utils.translation import get_language


def _lang(language: str | None) -> str:
    lang = (language or get_language() or "uk")[:2]
    return lang if lang in {"uk", "fr", "en"} else "uk"


def long_date(day: dt.date | dt.datetime, language: str | None = None) -> str:
    """The day in words; French writes the first of the month `1er`."""
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    lang = _lang(language)
    text = format_date(day, "long", locale=lang)
    if lang == "fr" and day.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]
    return text


def short_date(day: dt.date | dt.datetime, language: str | None = None) -> str:
    """02.12.2026 (uk), 02/12/2026 (fr), 12/02/2026 (en): four-digit years."""
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    pattern = {"uk": "dd.MM.yyyy", "fr": "dd/MM/yyyy", "en": "MM/dd/yyyy"}[_lang(language)]
    return format_date(day, pattern, locale=_lang(language))


def sentence(text: str) -> str:
    """A sentence for a document: ISO dates localised, and no "р.." where a date ending in an
    abbreviation ("2026 р.") is followed by a full stop."""
    return localise_iso_dates(text).replace("р..", "р.")


ISO_IN_TEXT = re.compile(r"(?<![/\w-])(\d{4})-(\d{2})-(\d{2})(?![/\w-])")


def localise_iso_dates(text: str, language: str | None = None) -> str:
    """ISO dates inside a text (the rules' explanation steps are written with them) rewritten
    as the reader's short date; dates inside addresses (after "/") are left alone."""

    def one(match: re.Match[str]) -> str:
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return match[0]
        return short_date(day, language)

    return ISO_IN_TEXT.sub(one, text)
