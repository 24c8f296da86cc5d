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
    assert (
        whodas.score(dict(zip(CODES, [1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2], strict=True))).total
        == 23
    )


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


def test_the_who_sum_is_12_to_60_and_the_0_48_sum_is_its_recoding():
    """WHO manual: items coded none = 1 … extreme = 5, simple sum 12–60; the stored 0–4
    answers are that code minus 1, their sum 0–48 is the recoding (law review rows 86–87)."""
    assert (whodas.WHO_MIN, whodas.WHO_MAX) == (12, 60)
    assert whodas.score(dict.fromkeys(CODES, 0)).who_sum == 12
    assert whodas.score(dict.fromkeys(CODES, 4)).who_sum == 60
    assert [whodas.who_code(v) for v, _label in whodas.LEVELS] == [1, 2, 3, 4, 5]
    text = whodas.describe(23)
    assert "35" in text and "12–60" in text and "0–48" in text and "%" not in text


def test_no_percentage_on_the_page_or_in_the_summary_and_the_api_says_what_it_is(world):
    import io
    import re

    from django.test import Client
    from pypdf import PdfReader

    from vetbridge.care import services

    person = world["lviv"]
    worker = world["users"]["case_worker"]
    services.whodas_add(
        actor=worker, person_id=person.pk, assessed_on="2025-03-01", answers=dict.fromkeys(CODES, 2)
    )
    client = Client()
    client.force_login(worker)
    page = client.get(f"/care/{person.pk}/").content.decode()
    section = page[
        page.index('id="h-whodas"') : page.index("</section>", page.index('id="h-whodas"'))
    ]
    assert "%" not in section and "12–60" in section and ">36<" in section
    assert ">24<" in section  # the 0–48 recoding, named as such in its column
    # The form shows the WHO form's printed codes beside each level.
    assert re.search(r"5 — ", page)
    summary = client.get(f"/care/{person.pk}/summary.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(summary.content)).pages)
    assert "WHODAS" in text and "36" in text and "/48" not in text
    body = client.get(f"/api/care/{person.pk}").json()
    assert body["whodas"][0]["who_simple_sum"] == 36 and body["whodas"][0]["score"] == 24
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["WhodasPoint"]
    assert "NOT the WHO 0–100" in schema["properties"]["percent"]["description"]
