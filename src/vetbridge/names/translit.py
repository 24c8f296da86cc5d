"""Cyrillic (Ukrainian) to Latin in the systems a name is met in.

KMU 2010, BGN/PCGN 1965, ISO 9, the 2007 passport practice and German usage come from
`translitua`, whose tables are right for them. French usage is not a table but a set of
context rules (ou for у, ch for ш, tch for ч, ï for й inside a word, ss between vowels,
-sky endings), which translitua's French table lacks; they are written here.
"""

from __future__ import annotations

import re
from typing import Any

import translitua

SYSTEMS = ("kmu", "bgn1965", "iso9", "passport2007", "de", "fr")

_TABLES: dict[str, Any] = {
    "kmu": translitua.UkrainianKMU,
    "bgn1965": translitua.UkrainianBGN,
    "iso9": translitua.UkrainianISO9,
    "passport2007": translitua.UkrainianPassport2007,
    "de": translitua.UkrainianGerman,
}

_VOWELS = set("аеєиіїоуюяы")
_FR_PLAIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "ж": "j",
    "з": "z",
    "и": "y",
    "і": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "ou",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "tch",
    "ш": "ch",
    "щ": "chtch",
    "ь": "",
    "'": "",
    "ю": "iou",
    "я": "ia",
    "є": "ie",
    "ї": "ï",
    "й": "ï",
}
_FR_AFTER_I = {"я": "a", "ю": "ou", "є": "e"}
_FR_ENDINGS = (("ський", "sky"), ("цький", "tsky"), ("зький", "zky"), ("ий", "y"), ("ій", "iï"))


def _french_word(word: str) -> str:
    lower = word.lower()
    tail = ""
    for ending, latin in _FR_ENDINGS:
        if lower.endswith(ending) and len(lower) > len(ending) + 1:
            lower, tail = lower[: -len(ending)], latin
            break
    out: list[str] = []
    for i, ch in enumerate(lower):
        prev = lower[i - 1] if i else ""
        nxt = lower[i + 1] if i + 1 < len(lower) else ""
        if ch == "с" and prev in _VOWELS and nxt in _VOWELS:
            out.append("ss")
        elif ch in _FR_AFTER_I and prev == "і":  # Юлія → Ioulia, not Iouliia
            out.append(_FR_AFTER_I[ch])
        elif (ch in "йї" and i == 0) or (ch == "й" and prev not in _VOWELS):
            out.append("i")
        else:
            out.append(_FR_PLAIN.get(ch, ch))
    text = "".join(out) + tail
    return text[:1].upper() + text[1:] if word[:1].isupper() else text


def to_french(text: str) -> str:
    return re.sub(r"[А-Яа-яЄєІіЇїҐґ'’ʼ]+", lambda m: _french_word(m.group(0)), text)


def transliterate(text: str, system: str = "kmu") -> str:
    """`text` in Cyrillic, spelled in the Latin `system` (one of SYSTEMS)."""
    if system == "fr":
        return to_french(text)
    try:
        table = _TABLES[system]
    except KeyError:
        raise ValueError(f"unknown transliteration system {system!r}") from None
    return str(translitua.translit(text, table))
