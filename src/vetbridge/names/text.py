"""Folding and tokenisation of names as people type them.

`fold` gives one form to any typed text: Unicode NFC, invisible format characters removed
(zero-width spaces and joiners, direction marks, BOM), apostrophe variants unified, stray
combining marks on Latin letters dropped (the letters with a meaning of their own, such as
ž, š, č, ŝ, are first spelled out), and Latin look-alike letters inside a Cyrillic word turned
into Cyrillic (and the reverse), so that "Шевченкo" with a Latin o still reads as Cyrillic.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 200
MAX_TOKENS = 8

# Latin letters whose diacritic carries a sound (ISO 9, Czech-style spellings, BGN 1965).
_MEANINGFUL_DIACRITICS = {
    "ž": "zh",
    "š": "sh",
    "č": "ch",
    "ŝ": "shch",
    "ĉ": "ch",
    "ẑ": "zh",
    "ć": "ch",
    "ś": "s",
    "ź": "z",
    "ż": "zh",
    "ł": "l",
    "ø": "o",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ŭ": "u",
    "ĭ": "i",
    "ȳ": "y",
    "ì": "i",
    "ï": "i",
    "ê": "ie",
    "û": "iu",
    "â": "ia",
    "ë": "io",
    "ǵ": "g",
    "ġ": "g",
}

# Letters that look the same in Latin and Cyrillic.
_LATIN_TO_CYRILLIC = dict(zip("aceiopxyABCEHIKMOPTXY", "асеіорхуАВСЕНІКМОРТХУ", strict=True))
_CYRILLIC_TO_LATIN = {v: k for k, v in _LATIN_TO_CYRILLIC.items()}

# Invisible characters that separate words; every other format character is dropped.
_WORD_BREAKS = str.maketrans({"\u200b": " ", "\u2060": " ", "\u180e": " "})
_APOSTROPHES = "'’ʼʹ`´‘ʻ"
_MIXED_WORD = re.compile(
    r"[a-z][\u0430-\u044f\u0454\u0456\u0457\u0491]|"
    r"[\u0430-\u044f\u0454\u0456\u0457\u0491][a-z]"
)
_TOKEN_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u052f"


def _fix_homoglyphs(word: str) -> str:
    """In a word mixing scripts, bring look-alike letters into the majority script."""
    cyr = sum(_is_cyrillic(c) for c in word)
    lat = sum(c.isalpha() and not _is_cyrillic(c) for c in word)
    if not cyr or not lat:
        return word
    if cyr >= lat:
        return "".join(_LATIN_TO_CYRILLIC.get(c, c) for c in word)
    return "".join(_CYRILLIC_TO_LATIN.get(c, c) for c in word)


_PLAIN = re.compile(r"[a-z\u0430-\u044f\u0454\u0456\u0457\u0491 .,\-']*")


def fold(text: object) -> str:
    """Lower-case, cleaned form of a name; see the module docstring."""
    raw = str(text or "")[: MAX_QUERY_CHARS * 4]
    lowered = raw.lower()
    if _PLAIN.fullmatch(lowered) and (lowered.isascii() or not _MIXED_WORD.search(lowered)):
        # Fast path: plain ASCII, or plain Ukrainian letters with no Latin inside a word.
        return " ".join(lowered.split())[:MAX_QUERY_CHARS]
    raw = unicodedata.normalize("NFC", raw)
    raw = raw.translate(_WORD_BREAKS)
    raw = "".join(ch for ch in raw if unicodedata.category(ch) != "Cf")
    for ap in _APOSTROPHES:
        raw = raw.replace(ap, "'")
    # casefold() then lower(): casefold maps a few scripts (Cherokee) to their capitals.
    raw = raw.casefold().lower()
    raw = "".join(_MEANINGFUL_DIACRITICS.get(ch, ch) for ch in raw)
    # Drop combining marks unless they complete a Cyrillic letter (й, ї, ё, ў keep theirs).
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", raw):
        if unicodedata.category(ch) == "Mn":
            if out and _is_cyrillic(out[-1]):
                out.append(ch)
            continue
        out.append(ch)
    cleaned = unicodedata.normalize("NFC", "".join(out))
    words = [_fix_homoglyphs(w) for w in cleaned.split()]
    return " ".join(words)[:MAX_QUERY_CHARS]


@dataclass(frozen=True)
class Token:
    text: str  # folded, without apostrophes
    initial: bool  # a single letter, as in "O." or "O"

    @property
    def script(self) -> str:
        return "Cyrl" if any(_is_cyrillic(c) for c in self.text) else "Latn"


def tokenize(text: object) -> list[Token]:
    """Name tokens in order. Hyphenated surnames give one token per part; apostrophes inside
    a word are dropped (Мар'яна → мар яна would be wrong); initials are kept and flagged."""
    folded = fold(text).replace("'", "")
    tokens: list[Token] = []
    seen: set[str] = set()
    for match in _TOKEN_RE.finditer(folded):
        word = match.group(0)
        if word in seen:
            continue
        seen.add(word)
        tokens.append(Token(word, initial=len(word) == 1))
        if len(tokens) >= MAX_TOKENS:
            break
    return tokens
