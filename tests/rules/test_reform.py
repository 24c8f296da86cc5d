"""Reform overlays: validation names the faulty field; applying one never touches the law."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vetbridge.rules.errors import InputError
from vetbridge.rules.reform import base_parameters, example_reforms, load_reform, parse_reform

D26 = dt.date(2026, 3, 1)


def _err(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        parse_reform(text)
    return info.value


def test_every_shipped_reform_loads():
    names = set(example_reforms())
    assert {"point_value_plus_5", "injury_threshold_15", "french_grid_for_ukraine"} <= names
    for path in example_reforms().values():
        reform = load_reform(path)
        assert reform.name and len(reform.digest) == 16


def test_scale_raises_the_point_value_from_its_date_only():
    base = base_parameters()
    reform = load_reform(example_reforms()["point_value_plus_5"])
    new = reform.apply(base)
    before = base["fr"].at("fr.point_value", D26)
    assert new["fr"].at("fr.point_value", D26) == (before * Decimal("1.05")).quantize(
        Decimal("0.01")
    )
    assert new["fr"].at("fr.point_value", dt.date(2025, 6, 1)) == base["fr"].at(
        "fr.point_value", dt.date(2025, 6, 1)
    )
    assert new["fr"].digest != base["fr"].digest
    assert new["ua"] is base["ua"]
    # The law as loaded is unchanged.
    assert base_parameters()["fr"].at("fr.point_value", D26) == before


def test_values_add_a_dated_entry():
    new = load_reform(example_reforms()["injury_threshold_15"]).apply(base_parameters())
    assert new["fr"].at("fr.threshold_injury", D26) == 15
    assert new["fr"].at("fr.threshold_injury", dt.date(2025, 12, 31)) == 10


def test_unknown_parameter_is_named():
    err = _err(
        "name: x\nparameters:\n  fr.point_valeur:\n    scale: 1.1\n    from: 2026-01-01\n"
        "    rationale: r\n"
    )
    assert err.field == "parameters.fr.point_valeur"
    assert "unknown parameter" in err.message
    assert (
        _err("name: x\nparameters:\n  de.anything: {values: {2026-01-01: 1}, rationale: r}\n").field
        == "parameters.de.anything"
    )


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("description: no name\nparameters: {}\n", "name"),
        ("name: " + "x" * 201 + "\nparameters: {}\n", "name"),
        ("name: x\n", "parameters"),
        ("name: x\nfoo: 1\n", "foo"),
        (
            "name: x\nparameters:\n  fr.point_value: {scale: 1.1, from: 2026-01-01}\n",
            "parameters.fr.point_value.rationale",
        ),
        (
            "name: x\nparameters:\n  fr.point_value: {scale: 1.1, rationale: r}\n",
            "parameters.fr.point_value.from",
        ),
        (
            "name: x\nparameters:\n  fr.point_value: {scale: -1, from: 2026-01-01, rationale: r}\n",
            "parameters.fr.point_value.scale",
        ),
        (
            "name: x\nparameters:\n  fr.point_value: {values: {2026-01-01: abc}, rationale: r}\n",
            "parameters.fr.point_value.values.2026-01-01",
        ),
        (
            "name: x\nparameters:\n  fr.point_value: {values: {soon: 1}, rationale: r}\n",
            "parameters.fr.point_value.values",
        ),
        (
            "name: x\nparameters:\n  ua.disability_multiplier_duty:\n    values: {2026-01-01: {1: 5}}\n"
            "    rationale: r\n",
            "parameters.ua.disability_multiplier_duty.values.2026-01-01",
        ),
        (
            "name: x\nparameters:\n  fr.rounding_mode: {scale: 2, from: 2026-01-01, rationale: r}\n",
            "parameters.fr.rounding_mode.scale",
        ),
        ("name: x\nscenario: {kind: other}\n", "scenario.kind"),
        (
            "name: x\nscenario: {kind: fr_grid_for_ua, point_value_share: 0.5}\n",
            "scenario.assumption",
        ),
        (
            "name: x\nscenario: {kind: fr_grid_for_ua, point_value_share: 0, assumption: a}\n",
            "scenario.point_value_share",
        ),
        ("[1, 2", "reform"),
    ],
)
def test_bad_reform_names_the_field(text, field):
    assert _err(text).field == field


def test_digest_follows_the_text():
    a = parse_reform(
        "name: a\nparameters:\n  fr.threshold_injury: {values: {2026-01-01: 15}, rationale: r}\n"
    )
    b = parse_reform(
        "name: a\nparameters:\n  fr.threshold_injury: {values: {2026-01-01: 20}, rationale: r}\n"
    )
    assert a.digest != b.digest
    assert a.apply(base_parameters())["fr"].digest != b.apply(base_parameters())["fr"].digest
