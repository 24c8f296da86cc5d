"""The message catalogues of the rules' explanations (gettext domain `rules`).

The explanation steps are written in English with named placeholders in the formulas
(`Trace.add(reference, value, "Total: {points} points", points=…)`); the Ukrainian and French
texts live in `locale/{uk,fr,en}/LC_MESSAGES/rules.po`, compiled to `rules.mo` beside them and
committed, as Django's catalogues are (read with the standard library's gettext: no build step
when the package is installed, nothing compiled at import). After editing a `.po` file:

    python -m vetbridge.rules.catalogue        # recompiles the three .mo files (babel)

The only module of the rules package, with the parameter and reform loaders, that reads files.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

DOMAIN = "rules"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("uk", "fr", "en")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> gettext.GNUTranslations:
    """The compiled catalogue of one language, read once per process."""
    with po_path(lang).with_suffix(".mo").open("rb") as handle:
        return gettext.GNUTranslations(handle)


_memo: dict[tuple[str, str], str] = {}


def translate(lang: str, msgid: str) -> str:
    """The message in `lang`; a message missing from the catalogue stays in English (the
    catalogue test fails on any). Memoised: a step writes several messages in three
    languages, and the formulas run per case."""
    try:
        return _memo[lang, msgid]
    except KeyError:
        text = _memo[lang, msgid] = catalogue(lang).gettext(msgid)
        return text


def compile_catalogues() -> list[Path]:
    """Compile every `rules.po` to its `rules.mo` (babel, a dependency of the project)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for lang in LANGUAGES:
        po = po_path(lang)
        with po.open("rb") as handle:
            cat = read_po(handle, locale=lang, domain=DOMAIN)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, cat)
        written.append(po.with_suffix(".mo"))
    catalogue.cache_clear()
    _memo.clear()
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(path)
