"""Simulation over a population: totals are the sums of the scalar calculator's results."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vetbridge.rules.errors import InputError
from vetbridge.rules.fr.pmi import Infirmity, PmiCase, compute_pmi
from vetbridge.rules.parameters import default_sets
from vetbridge.rules.reform import base_parameters, example_reforms, load_reform
from vetbridge.rules.simulate import (
    Population,
    population_to_parquet,
    read_population,
    simulate,
    synthetic_population,
)

DATE = dt.date(2026, 3, 1)
REFORMS = example_reforms()

rates = st.integers(1, 20).map(lambda x: Decimal(x * 5))
infirmity = st.tuples(
    rates,
    st.sampled_from(["injury", "disease"]),
    st.sampled_from(["peace", "war", "opex", "captivity"]),
)
people = st.lists(st.lists(infirmity, min_size=1, max_size=4), min_size=1, max_size=20)


def _population(persons) -> Population:
    pid, rate, cause, ctx = [], [], [], []
    for i, infs in enumerate(persons):
        for r, c, x in infs:
            pid.append(i)
            rate.append(float(r))
            cause.append(c)
            ctx.append(x)
    return Population(np.array(pid), np.array(rate), np.array(cause), np.array(ctx))


def _scalar(persons, params):
    total, count, amounts = Decimal(0), 0, []
    for infs in persons:
        res = compute_pmi(
            PmiCase(DATE, tuple(Infirmity(str(j), r, c, x) for j, (r, c, x) in enumerate(infs))),
            params,
        )
        amount = (
            res.annual_amount_eur.quantize(Decimal("0.01"), ROUND_HALF_UP)
            if res.eligible
            else Decimal(0)
        )
        total += amount
        count += res.eligible
        amounts.append(amount)
    return total, count, amounts


@settings(max_examples=60, deadline=None)
@given(people, st.sampled_from(["point_value_plus_5", "injury_threshold_15"]))
def test_totals_equal_the_sum_of_scalar_results(persons, reform_name):
    reform = load_reform(REFORMS[reform_name])
    base = base_parameters()
    out = simulate(_population(persons), DATE, reform, base=base)
    b_total, b_count, b_amounts = _scalar(persons, base["fr"])
    r_total, r_count, r_amounts = _scalar(persons, reform.apply(base)["fr"])
    assert Decimal(str(out["baseline"]["total_eur"])) == b_total
    assert out["baseline"]["beneficiaries"] == b_count
    assert Decimal(str(out["reform"]["total_eur"])) == r_total
    assert out["reform"]["beneficiaries"] == r_count
    assert out["winners"]["count"] == sum(r > b for b, r in zip(b_amounts, r_amounts, strict=True))
    assert out["losers"]["count"] == sum(r < b for b, r in zip(b_amounts, r_amounts, strict=True))
    assert sum(row["persons"] for row in out["by_band"]) == len(persons)
    assert sum(Decimal(str(row["reform_total_eur"])) for row in out["by_band"]) == r_total


def test_threshold_reform_loses_exactly_the_wounds_from_10_to_14_percent():
    persons = [
        [(Decimal(10), "injury", "war")],
        [(Decimal(15), "injury", "war")],
        [(Decimal(5), "injury", "war")],
        [(Decimal(40), "injury", "peace")],
    ]
    out = simulate(
        _population(persons), DATE, load_reform(REFORMS["injury_threshold_15"]), base=default_sets()
    )
    assert out["baseline"]["beneficiaries"] == 3
    assert out["reform"]["beneficiaries"] == 2
    assert (out["gained"], out["lost"]) == (0, 1)
    assert out["losers"]["count"] == 1 and out["winners"]["count"] == 0
    band = {row["key"]: row for row in out["by_band"]}
    assert band["10–19"]["baseline_beneficiaries"] == 2
    assert band["10–19"]["reform_beneficiaries"] == 1


def test_french_grid_for_ukraine_gains_beneficiaries():
    pid = np.array([1, 2, 3])
    pop = Population(
        pid,
        np.array([30.0, 50.0, 90.0]),
        np.array(["injury"] * 3),
        np.array(["war"] * 3),
        country=np.array(["ua", "ua", "fr"]),
        ua_group=np.array([0, 3, 0]),
        region=np.array(["UA-46", "UA-46", "FR-IDF"]),
    )
    out = simulate(pop, DATE, load_reform(REFORMS["french_grid_for_ukraine"]), base=default_sets())
    # Baseline: person 1 has no group (30 % is below the group III assumption), person 2
    # group III; under the French grid both open a right.
    assert out["baseline"]["beneficiaries"] == 2
    assert out["reform"]["beneficiaries"] == 3
    assert out["gained"] == 1 and out["lost"] == 0
    fr = next(r for r in out["by_country"] if r["key"] == "fr")
    assert fr["baseline_total_eur"] == fr["reform_total_eur"]
    assert {r["key"] for r in out["by_region"]} == {"UA-46", "FR-IDF"}


def test_ukrainian_multipliers_change_the_one_time_total_only():
    pop = synthetic_population(500, 3)
    out = simulate(pop, DATE, load_reform(REFORMS["ua_multipliers_plus_20"]), base=default_sets())
    assert out["reform"]["total_eur"] == out["baseline"]["total_eur"]
    assert out["reform"]["one_time_eur"] == pytest.approx(
        out["baseline"]["one_time_eur"] * 1.2, rel=1e-6
    )


def test_synthetic_population_is_seeded_and_parquet_round_trips():
    a, b = synthetic_population(300, 7), synthetic_population(300, 7)
    assert a.digest == b.digest
    assert synthetic_population(300, 8).digest != a.digest
    back = read_population(population_to_parquet(a), parquet=True)
    assert back.digest == a.digest
    assert (
        simulate(back, DATE, base=default_sets())["baseline"]
        == simulate(a, DATE, base=default_sets())["baseline"]
    )


def test_bad_population_columns_are_named(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("person_id,rate,cause\n1,20,injury\n")
    with pytest.raises(InputError) as info:
        read_population(str(f))
    assert info.value.field == "context"
    f.write_text("person_id,rate,cause,context,country\n1,20,injury,war,de\n")
    with pytest.raises(InputError) as info:
        read_population(str(f))
    assert info.value.field == "country (row 1)"
    f.write_text("person_id,rate,cause,context\n1,20,injury,moon\n")
    with pytest.raises(InputError) as info:
        simulate(read_population(str(f)), DATE, base=default_sets())
    assert info.value.field.startswith("context")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vetbridge.cli", "rules", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_contract(tmp_path):
    f = tmp_path / "pop.csv"
    f.write_text(
        "person_id,rate,cause,context\n1,20,injury,war\n2,5,injury,war\n"
        "3,40,disease,peace\n3,30,injury,war\n"
    )
    reform = REFORMS["point_value_plus_5"]
    done = _cli("simulate", str(f), "--date", "2026-03-01", "--reform", str(reform), "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    out = json.loads(done.stdout)
    assert out["baseline"]["beneficiaries"] == 2
    assert out["reform"]["total_eur"] > out["baseline"]["total_eur"]
    text = _cli("simulate", str(f), "--date", "2026-03-01", "--reform", str(reform))
    assert text.returncode == 0
    for key in (
        "baseline.total_eur",
        "baseline.beneficiaries",
        "reform.total_eur",
        "reform.beneficiaries",
        "10–19",
        "band",
    ):
        assert key in text.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nparameters:\n  fr.nope: {values: {2026-01-01: 1}, rationale: r}\n")
    for args, field in [
        (("--date", "2026-02-30"), "date"),
        ((), "date"),
        (("--date", "2026-03-01", "--reform", str(bad)), "parameters.fr.nope"),
        (("--date", "1990-01-01"), "date"),
    ]:
        done = _cli("simulate", str(f), *args)
        assert done.returncode == 2
        assert json.loads(done.stdout)["error"]["field"] == field
    done = _cli("simulate", "synthetic:abc", "--date", "2026-03-01")
    assert done.returncode == 2 and json.loads(done.stdout)["error"]["field"] == "population"
    f.write_text("person_id,rate,cause,context\n1,20,injury,war\n2,120,injury,war\n")
    done = _cli("simulate", str(f), "--date", "2026-03-01")
    assert done.returncode == 2 and json.loads(done.stdout)["error"]["field"] == "rate (row 2)"
    f.write_text("person_id,rate,cause,context\n1,abc,injury,war\n")
    done = _cli("simulate", str(f), "--date", "2026-03-01")
    assert done.returncode == 2 and json.loads(done.stdout)["error"]["field"] == "rate"


def test_row_order_does_not_change_the_results():
    pop = synthetic_population(400, 11)
    order = np.random.default_rng(1).permutation(pop.rows)
    shuffled = Population(
        pop.person_id[order],
        pop.rate[order],
        pop.cause[order],
        pop.context[order],
        region=pop.region[order],
        status=pop.status[order],
        country=pop.country[order],
        ua_group=pop.ua_group[order],
        region_labels=pop.region_labels,
        status_labels=pop.status_labels,
    )
    reform = load_reform(REFORMS["french_grid_for_ukraine"])
    a = simulate(pop, DATE, reform, base=default_sets())
    b = simulate(shuffled, DATE, reform, base=default_sets())
    for key in (
        "baseline",
        "reform",
        "gained",
        "lost",
        "winners",
        "losers",
        "by_band",
        "by_region",
        "by_status",
        "by_country",
    ):
        assert a[key] == b[key], key
