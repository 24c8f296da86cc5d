"""The `uncertain:` parameters are real switches: changing the YAML changes the result the
way the alternative reading of the law would (same code, other parameter snapshot)."""

from __future__ import annotations

from vetbridge.rules.fr.pmi import compute_pmi_json
from vetbridge.rules.parameters import Parameters


def _with(replace: dict[str, tuple[str, str]]) -> Parameters:
    files = dict(Parameters.load("fr").files)
    for name, (old, new) in replace.items():
        assert old in files[name]
        files[name] = files[name].replace(old, new)
    return Parameters.from_files("fr", files)


def test_row_7_war_disease_with_a_peacetime_disease_at_40_percent():
    case = {
        "date": "2025-06-01",
        "infirmities": [
            {"label": "malaria", "rate": 25, "cause": "disease", "context": "war"},
            {"label": "back", "rate": 10, "cause": "disease", "context": "peace"},
        ],
    }
    as_injury = compute_pmi_json(case, Parameters.load("fr"))  # 36.25 % ≥ 30 %: both counted
    p40 = _with({"thresholds.yaml": ("{value: mixed,", "{value: disease_multiple,")})
    as_diseases = compute_pmi_json(case, p40)  # 36.25 % < 40 %: the war disease alone
    assert as_injury["global_rate"] == 40 and as_injury["left_out"] == []
    assert as_diseases["global_rate"] == 25 and as_diseases["left_out"] == ["back"]


def test_row_36_third_person_base_with_the_degrees():
    case = {
        "date": "2025-06-01",
        "third_person": True,
        "infirmities": [{"rate": 100}, {"rate": 30}],
    }  # 3 degrees = 48 points
    principal = compute_pmi_json(case, Parameters.load("fr"))
    p = _with({"points.yaml": ("{value: principal,", "{value: principal_and_degrees,")})
    with_degrees = compute_pmi_json(case, p)
    assert with_degrees["points"] - principal["points"] == 48 / 4


def test_row_38_third_person_minimum_rate_is_a_parameter():
    case = {"date": "2025-06-01", "infirmities": [{"rate": 80, "third_person": True}]}
    assert compute_pmi_json(case, Parameters.load("fr"))["points"] == 384
    p = _with(
        {
            "points.yaml": (
                """third_person_min_rate:
  description: Global rate needed for the third-person majoration
  unit: percent
  reference: "https://weka.fr/base-juridique-weka/code_CPENSMIL_LEGISCTA000031711209.html"
  uncertain: >-
    Review row 38: neither L133-1 nor old L18 states a minimum rate. 100 % is kept as the
    practice; a lower rate with a need of a third person gives a warning on the result.
  values:
    2009-07-01: {value: 100,""",
                """third_person_min_rate:
  description: Global rate needed for the third-person majoration
  unit: percent
  reference: "https://weka.fr/base-juridique-weka/code_CPENSMIL_LEGISCTA000031711209.html"
  values:
    2009-07-01: {value: 10,""",
            )
        }
    )
    # 384 + a quarter of 384 + allocation n° 5 bis
    assert compute_pmi_json(case, p)["points"] == 384 + 96 + 1373
