"""The phonetic skeleton folds every spelling system into one key."""

from __future__ import annotations

import pytest

from vetbridge.names import fold, skeleton
from vetbridge.names.translit import SYSTEMS, transliterate


def key(text: str) -> str:
    return skeleton(fold(text).replace("'", ""))


@pytest.mark.parametrize(
    "spellings",
    [
        ["Шевченко", "Shevchenko", "Chevtchenko", "Schewtschenko", "Ševčenko"],
        ["Юрій", "Yurii", "Yuriy", "Iouri", "Jurij"],
        ["Михайло", "Mykhailo", "Mykhaylo", "Mykhaïlo"],
        ["Зеленський", "Zelenskyi", "Zelensky", "Zelenskyy"],
        ["Євген", "Yevhen", "Ievguen"],
        ["Кличко", "Klychko", "Klitschko"],
        ["Щербак", "Shcherbak", "Chtcherbak", "Schtscherbak"],
    ],
)
def test_spellings_of_one_name_share_a_key(spellings):
    assert len({key(s) for s in spellings}) == 1, {s: key(s) for s in spellings}


@pytest.mark.parametrize(
    "name",
    [
        "Олександр",
        "Григорій",
        "Ярослав",
        "Мар'яна",
        "Жанна",
        "Щербаченко",
        "Ковальський",
        "Василь",
        "Юлія",
        "Їжак",
    ],
)
def test_every_transliteration_lands_within_two_edits(name):
    from rapidfuzz.distance import OSA

    target = key(name)
    for system in SYSTEMS:
        assert OSA.distance(key(transliterate(name, system)), target) <= 2, (system, name)


def test_cyrillic_letters_never_form_latin_digraphs():
    # с + х is not "sh", к + х is not "kh".
    assert key("Схід") == "shid"
    assert key("Схід") != key("Шід")


def test_key_is_empty_without_letters():
    assert skeleton("") == ""
