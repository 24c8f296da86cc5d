"""The whole situation decided by the mended calculator (branch of the "rules" engineer).

These need the calculator's new optional input keys agreed for issue 11 (`left_service`,
`children_birth_dates`, per-infirmity `third_person`, `amputation_without_prosthesis`,
`arithmetic_addition`; an unknown grade refused after leaving the service). The calculator on
this branch refuses those keys as unknown, so these tests pass once both branches are merged.
Nothing here is skipped: a failure before the merge is expected and said in the report.
"""

from __future__ import annotations

import pytest

from vetbridge.core.exceptions import ApplicationError
from vetbridge.reparation import services

pytestmark = pytest.mark.django_db


def _decided(flow, rows, **situation):
    claim = flow.file(actor="case_worker", **situation)
    flow.assess(claim, rows=rows)
    return flow.decide(claim)


def test_amputation_without_prosthesis_is_added_to_its_own_rate_before_the_chain(flow):
    """L125-9 (old L15): 20 % + 5 = 25 % becomes the principal (≥ 20 %), so the 15 % is
    raised by 5 for rank 2: 25 + 20 % of 75 = 40 %."""
    decision = _decided(
        flow,
        [
            {
                "label": "Amputation",
                "rate": "20",
                "cause": "injury",
                "context": "war",
                "amputation_without_prosthesis": True,
                "incurable": True,
            },
            {
                "label": "Genou",
                "rate": "15",
                "cause": "injury",
                "context": "war",
                "incurable": True,
            },
        ],
    )
    assert decision.inputs["infirmities"][0]["amputation_without_prosthesis"] is True
    assert decision.result["global_rate"] == 40
    assert services.replay_all() == []


def test_two_infirmities_each_needing_a_third_person_raise_the_majoration(flow):
    """L133-1 al. 2: the majoration is the whole pension when two infirmities each qualify."""
    one = _decided(
        flow,
        [
            {
                "label": "Paraplégie",
                "rate": "100",
                "cause": "injury",
                "context": "war",
                "third_person": True,
                "incurable": True,
            },
            {
                "label": "Cécité",
                "rate": "100",
                "cause": "injury",
                "context": "war",
                "incurable": True,
            },
        ],
    )
    two = _decided(
        flow,
        [
            {
                "label": "Paraplégie",
                "rate": "100",
                "cause": "injury",
                "context": "war",
                "third_person": True,
                "incurable": True,
            },
            {
                "label": "Cécité",
                "rate": "100",
                "cause": "injury",
                "context": "war",
                "third_person": True,
                "incurable": True,
            },
        ],
    )
    assert two.result["points"] > one.result["points"] >= 1838


def test_children_by_birth_date_reach_the_pension(flow):
    without = _decided(
        flow,
        [{"label": "Genou", "rate": "40", "cause": "injury", "context": "war", "incurable": True}],
    )
    with_children = _decided(
        flow,
        [{"label": "Genou", "rate": "40", "cause": "injury", "context": "war", "incurable": True}],
        children_birth_dates=["2016-04-02"],
    )
    assert with_children.inputs["children_birth_dates"] == ["2016-04-02"]
    assert with_children.result["points"] > without.result["points"]


def test_arithmetic_addition_counts_on_the_infirmity(flow):
    plain = _decided(
        flow,
        [{"label": "Bras", "rate": "15", "cause": "injury", "context": "war", "incurable": True}],
    )
    added = _decided(
        flow,
        [
            {
                "label": "Bras",
                "rate": "15",
                "cause": "injury",
                "context": "war",
                "incurable": True,
                "arithmetic_addition": "5",
            }
        ],
    )
    assert added.result["global_rate"] > plain.result["global_rate"]


def test_a_grade_without_its_table_after_leaving_the_service_is_refused_naming_grade(flow):
    claim = flow.file(actor="case_worker", grade="sergent", left_service=True)
    flow.assess(
        claim,
        rows=[
            {"label": "Genou", "rate": "40", "cause": "injury", "context": "war", "incurable": True}
        ],
    )
    with pytest.raises(ApplicationError) as exc:
        flow.decide(claim)
    assert "grade" in exc.value.fields or "grade" in exc.value.message
    claim.refresh_from_db()
    assert claim.state == "ready_for_decision" and not claim.decisions.exists()
