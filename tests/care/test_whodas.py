"""WHODAS 2.0 (12 items), simple scoring."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetbridge.care import whodas

CODES = [code for code, _ in whodas.ITEMS]


def test_twelve_items_and_bounds():
    assert len(CODES) == 12 and whodas.MAX_SCORE == 48
    assert whodas.score(dict.fromkeys(CODES, 0)) == whodas.WhodasScore(0, 0.0)
    assert whodas.score(dict.fromkeys(CODES, 4)) == whodas.WhodasScore(48, 100.0)
    assert whodas.score(dict(zip(CODES, [1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2],
                                 strict=True))).total == 23


@pytest.mark.parametrize("bad", [None, -1, 5, "2", 2.5, True])
def test_a_missing_or_out_of_range_answer_names_the_item(bad):
    answers = dict.fromkeys(CODES, 1)
    answers["S7"] = bad
    with pytest.raises(ValueError, match="S7"):
        whodas.score(answers)


@given(st.lists(st.integers(0, 4), min_size=12, max_size=12))
def test_score_is_the_sum_and_percent_its_share(values):
    result = whodas.score(dict(zip(CODES, values, strict=True)))
    assert result.total == sum(values)
    assert result.percent == round(100 * sum(values) / 48, 1)
