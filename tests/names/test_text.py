"""Folding and tokenisation of typed names."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetbridge.names.text import MAX_QUERY_CHARS, fold, tokenize


def texts(raw: str) -> list[str]:
    return [t.text for t in tokenize(raw)]


def test_invisible_characters_are_removed_and_zero_width_space_separates_words():
    assert fold("Шев\u200dченко") == "шевченко"  # zero-width joiner inside a word
    assert fold("\ufeffTaras\u200bShevchenko\u200e") == "taras shevchenko"


def test_latin_homoglyphs_inside_a_cyrillic_word_become_cyrillic_and_back():
    assert fold("Шевченкo") == "шевченко"  # Latin o
    assert fold("Kоvalenko") == "kovalenko"  # Cyrillic о in a Latin word


def test_stray_combining_marks_dropped_but_cyrillic_letters_kept():
    assert fold("Shevche\u0301nko") == "shevchenko"
    assert fold("Андрі\u0438\u0306") == "андрій"  # й written as и + breve stays й
    assert fold("Ї") == "ї"


def test_letters_whose_diacritic_is_a_sound_are_spelled_out():
    assert fold("Ševčenko") == "shevchenko"
    assert fold("Žanna") == "zhanna"


def test_surname_first_hyphens_initials_and_apostrophes():
    toks = tokenize("ШЕВЧЕНКО-ГОРДІЄНКО, О. Мар’яна")
    assert [t.text for t in toks] == ["шевченко", "гордієнко", "о", "маряна"]
    assert [t.initial for t in toks] == [False, False, True, False]


def test_punctuation_only_and_empty_give_no_tokens():
    assert texts("") == []
    assert texts("!!! ... --- ???") == []
    assert texts(None) == []


def test_very_long_input_is_cut():
    assert len(fold("а" * 10_000)) == MAX_QUERY_CHARS
    assert len(tokenize("Іван " * 5_000)) == 1  # repeated tokens kept once


@given(st.text(max_size=300))
def test_never_fails_on_any_text(text):
    for tok in tokenize(text):
        assert tok.text and tok.text == tok.text.lower() or not tok.text.isalpha()


@pytest.mark.parametrize("module", ["vetbridge.names", "vetbridge.names.index"])
def test_names_package_never_imports_django(module):
    code = (
        f"import sys, {module}; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cherokee_letters_fold_to_lower_case():
    # casefold() maps Cherokee small letters to capitals; the folded form must be lower case.
    for tok in tokenize("\uab70\u13a1 ᏣᎳᎩ"):
        assert tok.text == tok.text.lower()
