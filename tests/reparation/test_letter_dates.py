"""The decision letter writes its dates in words in the reader's language, never ISO, and no
"р.." where a Ukrainian date ends a sentence (issue #16.1)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import translation

from vetbridge.core.dates import localise_iso_dates, long_date, sentence, short_date
from vetbridge.reparation.letters import decision_letter_pdf

pytestmark = pytest.mark.django_db


def test_dates_in_words_per_language():
    day, first = dt.date(2026, 12, 2), dt.date(2026, 12, 1)
    assert long_date(day, "uk").replace("\u202f", " ") == "2 грудня 2026 р."
    assert long_date(day, "fr") == "2 décembre 2026"
    assert long_date(first, "fr") == "1er décembre 2026"
    assert long_date(day, "en") == "December 2, 2026"
    assert (short_date(day, "uk"), short_date(day, "fr")) == ("02.12.2026", "02/12/2026")
    assert (
        sentence("Останній день: 2 грудня 2026\u202fр..") == "Останній день: 2 грудня 2026\u202fр."
    )
    with translation.override("fr"):
        assert long_date(first) == "1er décembre 2026"
    assert localise_iso_dates("du 2026-12-02, voir https://x.fr/a/2026-12-02", "fr") == (
        "du 02/12/2026, voir https://x.fr/a/2026-12-02"
    )


@pytest.mark.parametrize(("language", "month"), [("uk", "р."), ("fr", "2026")])
def test_decision_letter_has_no_iso_date(flow, language, month):
    from pypdf import PdfReader

    decision = flow.granted().decisions.get()
    with translation.override(language):
        pdf = decision_letter_pdf(decision)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", " ")
    assert month in text
    iso = re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)
    assert not iso, text[max(0, iso.start() - 150) : iso.end() + 50]
    assert "р.." not in text
