"""The explanation texts of the rules come from their message catalogues (uk, fr, en).

Every message the formulas use is a literal English msgid with named placeholders, translated
in the three catalogues with the same placeholders, and given exactly those values where it is
used; the compiled .mo files match the .po files and ship with the package. The texts are the
ones the rules wrote before the catalogues (frozen decisions replay exactly): see
`explanation_corpus.py`.
"""

from __future__ import annotations

import ast
import gettext
import string
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from vetbridge.rules.catalogue import DOMAIN, LANGUAGES, LOCALE_DIR, po_path
from vetbridge.rules.explain import Msg, Trace

from . import explanation_corpus as corpus

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "src" / "vetbridge" / "rules"


def _placeholders(text: str) -> set[str]:
    fields = set()
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            assert name.isidentifier() and not spec and not conversion, (text, name)
            fields.add(name)
    return fields


def _message_nodes(call: ast.Call) -> ast.expr | None:
    """The msgid argument of `Trace.add(reference, value, msgid, …)` or `Msg(msgid, …)`."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "add" and len(call.args) >= 3:
        return call.args[2]
    if isinstance(func, ast.Name) and func.id == "Msg" and call.args:
        return call.args[0]
    return None


def _used() -> list[tuple[str, str, set[str] | None]]:
    """(msgid, where, keyword names given) of every message used in the rules' code."""
    out = []
    for path in sorted(RULES.rglob("*.py")):
        if path.name == "explain.py":  # the mechanism itself (Trace.add builds a Msg)
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            msg = _message_nodes(node)
            if msg is None:
                continue
            where = f"{path.relative_to(RULES)}:{node.lineno}"
            names = (
                None
                if any(k.arg is None for k in node.keywords)
                else {k.arg for k in node.keywords if k.arg is not None}
            )
            options = [msg.body, msg.orelse] if isinstance(msg, ast.IfExp) else [msg]
            for option in options:
                assert isinstance(option, ast.Constant) and isinstance(option.value, str), (
                    f"{where}: the message must be a literal string, to be checked here"
                )
                out.append((option.value, where, names))
    return out


def _po(lang: str) -> dict[str, tuple[str, bool]]:
    with po_path(lang).open("rb") as handle:
        cat = read_po(handle, locale=lang, domain=DOMAIN)
    return {m.id: (m.string, m.fuzzy) for m in cat if m.id}


def test_the_rules_use_their_catalogue_and_no_inline_prose():
    used = _used()
    assert len({m for m, _w, _n in used}) >= 79
    # No step is written with the former keyword texts uk=/fr=/en= any more.
    for path in RULES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add"
            ):
                assert not {k.arg for k in node.keywords} & {"uk", "fr", "en"}, (
                    f"{path.name}:{node.lineno}"
                )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(lang):
    po = _po(lang)
    used = {m for m, _w, _n in _used()}
    missing = sorted(used - set(po))
    assert missing == [], f"not in {lang}/rules.po: {missing[:5]}"
    unused = sorted(set(po) - used)
    assert unused == [], f"obsolete in {lang}/rules.po: {unused[:5]}"
    for msgid, (msgstr, fuzzy) in po.items():
        assert msgstr and not fuzzy, (lang, msgid)
        assert _placeholders(msgstr) == _placeholders(msgid), (lang, msgid, msgstr)
    if lang == "en":
        assert all(msgstr == msgid for msgid, (msgstr, _f) in po.items())


def test_every_use_gives_exactly_the_placeholders_of_its_message():
    for msgid, where, names in _used():
        assert names is not None, f"{where}: name the values of the message"
        assert names == _placeholders(msgid), (where, msgid, names)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogues_match_the_po_files(lang):
    mo = gettext.GNUTranslations(po_path(lang).with_suffix(".mo").open("rb"))
    stale = [msgid for msgid, (msgstr, _f) in _po(lang).items() if mo.gettext(msgid) != msgstr]
    assert stale == [], f"rules.mo is stale, run python -m vetbridge.rules.catalogue: {stale[:3]}"


def test_a_step_holds_its_three_texts_and_nested_messages_follow_the_language():
    t = Trace()
    labels = Msg("'{label}'", label="genou")
    t.add(
        "https://example.org/L125-8",
        30,
        "Rank {rank}: '{label}' {rate} % → {raised} % of "
        "the remaining validity {remaining} % = {part}; total {total} %",
        rank=2,
        label="genou",
        rate="10",
        raised="15",
        remaining="70",
        part="10.5",
        total="40.5",
    )
    t.add(
        "https://example.org/L133-1",
        1,
        "Third-person majoration (L133-1), {why}: {base} × {fraction} = {points} points",
        why=Msg("a quarter of the pension"),
        base="192",
        fraction="0.25",
        points="48",
    )
    first, second = t.as_list()
    assert set(first["text"]) == set(LANGUAGES)
    assert first["text"]["fr"].startswith("Rang 2 : « genou » 10 % → 15 %")
    assert first["text"]["uk"].startswith("Ранг 2: «genou» 10 % → 15 %")
    assert "le quart de la pension" in second["text"]["fr"]
    assert "чверть пенсії" in second["text"]["uk"]
    assert labels.texts() == {"uk": "«genou»", "fr": "« genou »", "en": "'genou'"}


def test_the_explanations_are_the_texts_the_rules_wrote_before_the_catalogues():
    """Results (texts of every step in uk/fr/en included) equal the frozen corpus, computed
    with the frozen parameter files it carries: a stored decision replays exactly."""
    import json

    golden = json.loads(corpus.GOLDEN.read_text(encoding="utf-8"))
    sets = corpus.param_sets(golden["params"])
    assert len(golden["cases"]) > 70
    for case in golden["cases"]:
        got = corpus._plain(corpus.run(case["rule"], case["input"], sets))
        if got != case["result"]:
            want = case["result"]
            steps = got if isinstance(got, list) else got.get("steps", [])
            old = want if isinstance(want, list) else want.get("steps", [])
            for a, b in zip(steps, old, strict=False):
                assert a == b, (case["rule"], case["input"])
            assert got == want, (case["rule"], case["input"])


def test_the_catalogues_ship_with_the_package():
    """setuptools copies package data by the globs of pyproject.toml: they must take the
    catalogues (and the .mo files must be there, not built at install)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["vetbridge"]
    package = ROOT / "src" / "vetbridge"
    shipped = {p for pattern in patterns for p in package.glob(pattern)}
    for lang in LANGUAGES:
        for suffix in (".po", ".mo"):
            path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"
            assert path.is_file() and path in shipped, path
