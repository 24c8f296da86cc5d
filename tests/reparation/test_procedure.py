"""The procedure rules (pure): YAML cases a lawyer can read, parameters passed in (a reform can
overlay them), deadlines from the notification, the CRI silence clock and its suspension,
late appeals flagged (never refused), revision with degrees, arrears period by period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from vetbridge.rules import procedure
from vetbridge.rules.errors import InputError
from vetbridge.rules.parameters import Parameters

CASES = (
    Path(__file__).resolve().parents[2] / "src" / "vetbridge" / "rules" / "tests" / "procedure.yaml"
)


def _cases():
    return yaml.safe_load(CASES.read_text(encoding="utf-8"))


def _run(rule: str, data: dict):
    fr, ua = Parameters.load("fr"), Parameters.load("ua")
    if rule == "arrears":
        r = procedure.arrears(
            start=data["start"],
            until=data["until"],
            points=Decimal(str(data["points"])),
            filed=data["filed"],
            params=fr,
            late_by_own_doing=data.get("late_by_own_doing", False),
        )
        return {
            "amount_eur": float(r.amount_eur),
            "days": r.days,
            "periods": len(r.periods),
            "start": r.start,
            "limited": r.limited,
        }
    if rule == "appeal_deadline":
        params = fr if data["country"] == "fr" else ua
        r = procedure.appeal_deadline(
            data["country"],
            data["notified"],
            data.get("residence", "metropole"),
            params=params,
            by_post=data.get("by_post", False),
        )
        return {"date": r.date}
    if rule == "court_deadline":
        return {
            "date": procedure.court_deadline(data["notified"], data["residence"], params=fr).date
        }
    if rule == "appeal_silence_date":
        r = procedure.appeal_silence_date(
            data["filed"],
            params=fr,
            expertise_start=data.get("expertise_start"),
            expertise_end=data.get("expertise_end"),
        )
        return {"date": r.date, "suspended": r.suspended}
    if rule == "revision_check":
        r = procedure.revision_check(
            data["previous_rate"],
            data["new_rate"],
            data["date"],
            params=fr,
            previous_degrees=data.get("previous_degrees", 0),
            new_degrees=data.get("new_degrees", 0),
        )
        return {"allowed": r.allowed, "difference": r.difference}
    raise AssertionError(rule)


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["name"])
def test_yaml_case(case):
    got = _run(case["rule"], case["input"])
    for key, want in case["expected"].items():
        assert got[key] == want, (key, got)


def test_arrears_of_the_review_example_period_by_period():
    """Law review row 71: 3,832.88, not the 3,816.00 of one annual amount at the filing date."""
    r = procedure.arrears(
        start=dt.date(2024, 6, 1),
        until=dt.date(2025, 6, 1),
        points=Decimal(240),
        filed=dt.date(2024, 6, 1),
        params=Parameters.load("fr"),
    )
    assert r.amount_eur == Decimal("3832.88")
    assert [(p.start, p.end, p.days, p.point_value) for p in r.periods] == [
        (dt.date(2024, 6, 1), dt.date(2024, 12, 31), 214, Decimal("15.90")),
        (dt.date(2025, 1, 1), dt.date(2025, 5, 31), 151, Decimal("16.07")),
    ]
    # Each period is explained with its point value; the last step gives the total.
    texts = [s["text"]["fr"] for s in r.steps.as_list()]
    assert any("15.90" in t for t in texts) and any("16.07" in t for t in texts)
    assert "3832.88" in texts[-1]
    # One annual amount at the filing date's point value would have paid less.
    assert r.amount_eur > (Decimal(240) * Decimal("15.90")).quantize(Decimal("0.01"))


def _overlay(country: str, file: str, old: str, new: str) -> Parameters:
    real = Parameters.load(country)
    files = dict(real.files)
    assert old in files[file]
    files[file] = files[file].replace(old, new)
    return Parameters.from_files(country, files)


def test_procedure_uses_the_parameters_it_is_given_never_the_files():
    """A reform overlay changes every result: the procedure does not load files itself."""
    reform = _overlay("fr", "procedure.yaml", "{value: 6, reference", "{value: 3, reference")
    assert procedure.appeal_deadline("fr", dt.date(2025, 1, 15), params=reform).date == dt.date(
        2025, 4, 15
    )
    actual_actual = _overlay("fr", "procedure.yaml", "value: actual_365", "value: actual_actual")
    r = procedure.arrears(
        start=dt.date(2024, 6, 1),
        until=dt.date(2025, 6, 1),
        points=Decimal(240),
        filed=dt.date(2024, 6, 1),
        params=actual_actual,
    )
    # 2024 is a leap year: its 214 days are 214/366 of the year under that convention.
    assert r.amount_eur == (
        Decimal(240) * Decimal("15.90") * 214 / 366 + Decimal(240) * Decimal("16.07") * 151 / 365
    ).quantize(Decimal("0.01"))
    with pytest.raises(TypeError):
        procedure.appeal_deadline("fr", dt.date(2025, 1, 15))  # type: ignore[call-arg]


def test_uncertain_parameters_say_so():
    fr, ua = Parameters.load("fr"), Parameters.load("ua")
    assert (
        fr["fr.arrears_day_count"].uncertain and "3,832.88" in fr["fr.arrears_day_count"].uncertain
    )
    assert fr["fr.court_extra_months"].uncertain
    assert ua["ua.appeal_days"].uncertain and ua["ua.postal_delivery_days"].uncertain
    assert "R421-1" in fr["fr.court_months"].description


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (dt.date(2025, 1, 1), None, "expertise_start"),  # before the appeal
        (dt.date(2025, 6, 1), None, "expertise_start"),  # after the clock ran out
        (dt.date(2025, 2, 1), dt.date(2025, 1, 20), "expertise_end"),
        (None, dt.date(2025, 2, 1), "expertise_start"),
    ],
)
def test_bad_expertise_dates_name_the_field(start, end, field):
    with pytest.raises(InputError) as exc:
        procedure.appeal_silence_date(
            dt.date(2025, 1, 10),
            params=Parameters.load("fr"),
            expertise_start=start,
            expertise_end=end,
        )
    assert exc.value.field == field


def test_late_is_a_flag_and_unknown_without_notification():
    assert procedure.appeal_is_late(None, dt.date(2030, 1, 1)) is None
    assert procedure.appeal_is_late(dt.date(2025, 1, 1), dt.date(2025, 1, 1)) is False
    assert procedure.appeal_is_late(dt.date(2025, 1, 1), dt.date(2025, 1, 2)) is True


def test_unknown_residence_names_the_field():
    with pytest.raises(InputError) as exc:
        procedure.court_deadline(dt.date(2025, 1, 1), "moon", params=Parameters.load("fr"))
    assert exc.value.field == "residence"


def test_arrears_from_the_annual_amount_at_the_filing_date_gives_the_same_sum():
    fr = Parameters.load("fr")
    by_amount = procedure.arrears(
        start=dt.date(2024, 6, 1),
        until=dt.date(2025, 6, 1),
        annual_amount=Decimal("3816.00"),
        filed=dt.date(2024, 6, 1),
        params=fr,
    )
    assert by_amount.amount_eur == Decimal("3832.88")
    with pytest.raises(InputError) as exc:
        procedure.arrears(
            start=dt.date(2024, 6, 1),
            until=dt.date(2025, 6, 1),
            filed=dt.date(2024, 6, 1),
            params=fr,
        )
    assert exc.value.field == "points"
