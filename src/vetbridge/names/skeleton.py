"""The phonetic skeleton: one key for every spelling of a name token.

Every spelling system folds into one reduced alphabet: the hushing family (ш ч щ; sh ch tch
shch chtch sch tsch) is `S`; ж zh is `Z`; г ґ х h g kh gh are `h`; й и і ї y j are `i`; у ou
are `u`; в w are `v`; ц ts tz are `C`; a lone c is `k`; soft signs and apostrophes vanish; doubled letters
collapse. Cyrillic maps straight into the same alphabet, so "Шевченко", "Shevchenko",
"Chevtchenko" and "Schewtschenko" share the key "SevSenko".

The key is versioned: stored keys from another version must be rebuilt (`names reindex`).
"""

from __future__ import annotations

import re
from functools import lru_cache

SKELETON_VERSION = "1"

_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "h",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ж": "Z",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "C",
    "ч": "S",
    "ш": "S",
    "щ": "S",
    "ь": "",
    "ъ": "",
    "ю": "iu",
    "я": "ia",
    "ы": "i",
    "э": "e",
    "ё": "io",
    "ў": "u",
}

# Longest spellings first; applied left to right in one pass.
_LATIN_RULES = {
    "schtsch": "S",
    "shtch": "S",
    "chtch": "S",
    "shch": "S",
    "tsch": "S",
    "sch": "S",
    "tch": "S",
    "sh": "S",
    "ch": "S",
    "cz": "S",
    "sz": "S",
    "zh": "Z",
    "kh": "h",
    "gh": "h",
    "ts": "C",
    "tz": "C",
    "ou": "u",
    "ph": "f",
    "th": "t",
    "ck": "k",
    "qu": "k",
    "x": "ks",
    "w": "v",
    "y": "i",
    "j": "i",
    "g": "h",
    "c": "k",
    "q": "k",
    "h": "h",
}
_LATIN_RE = re.compile(r"gu(?=[eiy])|" + "|".join(sorted(_LATIN_RULES, key=len, reverse=True)))


_RUNS = re.compile(r"[\u0400-\u052f]+|[^\u0400-\u052f]+")
_CYR_RUN = re.compile(r"[\u0400-\u052f]")


def _latin(match: re.Match[str]) -> str:
    text = match.group(0)
    return "h" if text == "gu" else _LATIN_RULES[text]


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """The key of one folded token (see `text.tokenize`); empty for no letters."""
    # Cyrillic letters map one by one; Latin runs through the spelling rules. Kept apart so
    # that с+х never reads as the Latin "sh".
    mapped = "".join(
        "".join(_CYRILLIC.get(ch, ch) for ch in run)
        if _CYR_RUN.match(run)
        else _LATIN_RE.sub(_latin, run)
        for run in _RUNS.findall(token)
    )
    out: list[str] = []
    for ch in mapped:
        if not ch.isalpha():
            continue
        if out and out[-1] == ch:
            continue
        out.append(ch)
    return "".join(out)
