"""Texts stored with their language (`{"uk": ..., "fr": ..., "en": ...}`) and read in the
reader's language, saying so when the text exists only in another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from vetbridge.core.exceptions import field_error

LANGUAGES = ("uk", "fr", "en")
# Ukrainian and French are the languages of the cooperation; English is optional.
REQUIRED_ONE_OF = ("uk", "fr")
ONLY_IN = {
    "uk": gettext_lazy("only in Ukrainian"),
    "fr": gettext_lazy("only in French"),
    "en": gettext_lazy("only in English"),
}
SHOWN_IN = {
    "uk": gettext_lazy("not translated, shown in Ukrainian"),
    "fr": gettext_lazy("not translated, shown in French"),
    "en": gettext_lazy("not translated, shown in English"),
}


@dataclass(frozen=True)
class Localized:
    text: str
    language: str  # the language of `text`
    fallback: bool  # True when `text` is not in the reader's language
    only: bool  # True when the text exists in one language only

    @property
    def notice(self) -> str:
        if not self.fallback:
            return ""
        return str((ONLY_IN if self.only else SHOWN_IN)[self.language])


def reader_language(language: str | None = None) -> str:
    lang = (language or get_language() or "uk")[:2]
    return lang if lang in LANGUAGES else "uk"


def localized(texts: dict[str, Any] | None, language: str | None = None) -> Localized:
    """The text in the reader's language, else Ukrainian or French, else English."""
    lang = reader_language(language)
    present = {
        k: str(v).strip()
        for k, v in (texts or {}).items()
        if k in LANGUAGES and str(v or "").strip()
    }
    if not present:
        return Localized("", lang, False, False)
    order = [lang, *(code for code in ("uk", "fr", "en") if code != lang)]
    chosen = next(code for code in order if code in present)
    return Localized(present[chosen], chosen, chosen != lang, len(present) == 1)


def printable(text: str) -> bool:
    """No control characters but line breaks and tabs (PostgreSQL refuses NUL)."""
    return all(c.isprintable() or c in "\n\r\t" for c in text)


def clean_texts(
    field: str, texts: dict[str, Any] | None, *, required: bool = True, max_length: int = 300
) -> dict[str, str]:
    """Keep the known languages' non-empty texts; refuse unknown languages, over-long texts
    and (when required) a text with neither Ukrainian nor French."""
    out: dict[str, str] = {}
    for code, value in (texts or {}).items():
        if code not in LANGUAGES:
            raise field_error(f"{field}.{code}", _("Unknown language: use uk, fr or en."))
        text = str(value or "").strip()
        if not printable(text):
            raise field_error(f"{field}_{code}", _("Remove the control characters."))
        if len(text) > max_length:
            raise field_error(f"{field}_{code}", _("At most %(n)s characters.") % {"n": max_length})
        if text:
            out[code] = text
    if required and not any(code in out for code in REQUIRED_ONE_OF):
        raise field_error(f"{field}_fr", _("Write it in Ukrainian or in French (or both)."))
    return out
