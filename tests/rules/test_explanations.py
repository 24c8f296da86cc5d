"""What the explanation says about the rules mended after the December 2026 law review."""

from __future__ import annotations

import pytest

from vetbridge.rules.fr.pmi import compute_pmi_json
from vetbridge.rules.fr.survivor import compute_survivor_json
from vetbridge.rules.parameters import default_set
from vetbridge.rules.ua.assistance import ua_assistance_json

FR, UA = default_set("fr"), default_set("ua")


def _texts(result, lang):
    return [s["text"][lang] for s in result["steps"]]


@pytest.mark.parametrize("lang", ["uk", "fr", "en"])
def test_left_out_diseases_are_named_in_every_language(lang):
    result = compute_pmi_json(
        {
            "date": "2025-06-01",
            "infirmities": [
                {"label": "cheville", "rate": 15, "cause": "injury"},
                {"label": "asthme", "rate": 10, "cause": "disease", "context": "peace"},
            ],
        },
        FR,
    )
    assert result["eligible"] and result["left_out"] == ["asthme"]
    left_out_steps = [t for t in _texts(result, lang) if "asthme" in t and "L121-5" in t]
    assert len(left_out_steps) == 1


def test_l125_9_addition_step_shows_the_own_rate():
    result = compute_pmi_json(
        {
            "date": "2025-06-01",
            "infirmities": [
                {
                    "label": "jambe",
                    "rate": 20,
                    "amputation_without_prosthesis": True,
                    "arithmetic_addition": 2.5,
                }
            ],
        },
        FR,
    )
    assert result["raw_rate"] == 27.5 and result["global_rate"] == 30
    assert any("27.5 %" in t and "L125-9" in t for t in _texts(result, "fr"))


def test_each_child_is_explained():
    result = compute_pmi_json(
        {
            "date": "2025-06-01",
            "infirmities": [{"rate": 40}],
            "children_birth_dates": ["2015-03-01", "2001-03-01"],
        },
        FR,
    )
    assert result["children_counted"] == 1
    texts = _texts(result, "en")
    assert any("Child 1" in t and "counted" in t and "not" not in t for t in texts)
    assert any("Child 2" in t and "not counted" in t for t in texts)
    assert result["points"] == 192 + 24  # one eighth of 192


def test_grade_in_active_service_step_says_soldier_rate():
    result = compute_pmi_json(
        {"date": "2025-06-01", "grade": "colonel", "infirmities": [{"rate": 40}]}, FR
    )
    assert result["points"] == 192
    assert any("R125-2" in t and "colonel" in t for t in _texts(result, "uk"))


def test_uncertain_point_value_gives_a_warning():
    result = compute_pmi_json({"date": "2017-06-01", "infirmities": [{"rate": 50}]}, FR)
    assert result["point_value_eur"] == 14.40
    assert any("uncertain" in w for w in result["warnings"])


def test_death_schedule_step_names_the_record_date():
    result = ua_assistance_json(
        {"kind": "death", "death_date": "2025-06-15", "death_record_date": "2025-10-02"}, UA
    )
    assert any("2025-10-02" in t and "80" in t for t in _texts(result, "uk"))


def test_survivor_care_majoration_is_explained():
    result = compute_survivor_json(
        {"date": "2025-03-01", "third_person": True, "care_years": 7}, FR
    )
    assert result["care_majoration_points"] == 230
    assert any("D141-7" in t for t in _texts(result, "fr"))
