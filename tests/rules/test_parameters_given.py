"""Every calculator receives the parameter set it uses; only the loaders read files.

The law's files are read once, at the edges (the command line, the Django apps through
`parameters.default_set`), and handed to the formulas, so a frozen snapshot or a reform overlay
gives that law's result and the result records that set's digest.
"""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from vetbridge.rules import procedure
from vetbridge.rules.batch import compute_pmi_batch
from vetbridge.rules.fr.pmi import compute_pmi_json
from vetbridge.rules.fr.survivor import compute_survivor_json
from vetbridge.rules.parameters import Parameters, default_set, default_sets
from vetbridge.rules.reform import parse_reform
from vetbridge.rules.simulate import simulate, synthetic_population
from vetbridge.rules.ua.assistance import annual_payment_json, ua_assistance_json

RULES = Path(__file__).resolve().parents[2] / "src" / "vetbridge" / "rules"
# The loaders: the only modules that read the law's files (or the catalogues).
LOADERS = {"parameters.py", "cli.py", "reform.py", "catalogue.py"}
# Population files are data, not law: reading and writing them is the batch's and the
# simulation's job, in these functions only.
DATA_IO = {
    ("batch.py", "read_table"),
    ("batch.py", "write_table"),
    ("simulate.py", "read_population"),
    ("simulate.py", "population_to_parquet"),
}
LOADING_CALLS = {
    "load",
    "default_set",
    "default_sets",
    "base_parameters",
    "simulation_parameters",
    "_load_cached",
    "_simulation_cached",
    "from_files",
}
FILE_CALLS = {
    "open",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "glob",
    "rglob",
    "safe_load",
    "read_csv",
    "read_parquet",
    "write_csv",
    "write_parquet",
    "translation",
    "listdir",
    "scandir",
}
LAW_PATHS = {"PARAMS_DIR", "SIMULATION_FILE", "REFORMS_DIR", "LOCALE_DIR"}
D = "2025-06-01"


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []

    def walk(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = (
                child.name
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                else function
            )
            if isinstance(child, ast.Call):
                func = child.func
                called = (
                    func.attr
                    if isinstance(func, ast.Attribute)
                    else func.id
                    if isinstance(func, ast.Name)
                    else ""
                )
                parameters_load = (
                    called == "load"
                    and isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "Parameters"
                )
                loads = parameters_load or called in LOADING_CALLS - {"load"}
                opens = called in FILE_CALLS and (path.name, function) not in DATA_IO
                if loads or opens:
                    out.append(f"{path.name}:{child.lineno} {function}() calls {called}")
            if isinstance(child, ast.Name) and child.id in LAW_PATHS:
                out.append(f"{path.name}:{child.lineno} {function}() uses {child.id}")
            walk(child, name)

    walk(tree, "<module>")
    return out


def test_no_formula_loads_parameters_or_opens_files():
    modules = [p for p in RULES.rglob("*.py") if p.name not in LOADERS]
    assert len(modules) >= 10  # fr/, ua/, batch, kernel, simulate, procedure, explain …
    offences = [o for p in modules for o in _offences(p)]
    assert offences == []


def test_the_check_would_see_a_formula_that_loads_its_own_parameters(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from .parameters import Parameters, default_set\n"
        "def compute(params=None):\n"
        "    p = params or Parameters.load('fr')\n"
        "    q = default_set('ua')\n"
        "    return open('x').read()\n",
        encoding="utf-8",
    )
    assert [o.split(" ", 1)[1] for o in _offences(bad)] == [
        "compute() calls load",
        "compute() calls default_set",
        "compute() calls open",
    ]


@pytest.mark.parametrize(
    "call",
    [
        lambda: compute_pmi_json({"date": D, "infirmities": [{"rate": 40}]}),
        lambda: compute_survivor_json({"date": D, "service_death": True}),
        lambda: ua_assistance_json({"kind": "death", "death_date": D}),
        lambda: annual_payment_json({"date": D, "category": "war_disability_1"}),
        lambda: compute_pmi_batch(
            np.array([1]),
            np.array([40.0]),
            np.array(["injury"]),
            np.array(["war"]),
            dt.date(2025, 6, 1),
        ),
        lambda: simulate(synthetic_population(10, 1), dt.date(2025, 6, 1)),
    ],
)
def test_a_calculator_without_its_parameter_set_is_a_type_error(call):
    with pytest.raises(TypeError):
        call()


def test_none_or_the_wrong_country_is_refused_by_name():
    with pytest.raises(TypeError, match="fr parameter set is required, got NoneType"):
        compute_pmi_json({"date": D, "infirmities": [{"rate": 40}]}, None)
    with pytest.raises(TypeError, match="ua parameter set is required, got the fr set"):
        ua_assistance_json({"kind": "death", "death_date": D}, default_set("fr"))
    with pytest.raises(TypeError, match="sim"):
        simulate(
            synthetic_population(10, 1),
            dt.date(2025, 6, 1),
            base={"fr": default_set("fr"), "ua": default_set("ua")},
        )


def test_the_default_set_is_loaded_once_and_is_the_shipped_law():
    assert default_set("fr") is default_set("fr")
    assert default_set("fr").digest == Parameters.load("fr").digest
    assert set(default_sets()) == {"fr", "ua", "sim"}
    assert default_sets()["sim"] is default_set("sim")


def _reformed(text: str) -> dict[str, Parameters]:
    return parse_reform(text).apply(default_sets())


def test_each_calculator_computes_with_the_set_it_is_given_and_records_its_digest():
    plus = _reformed(
        "name: pv\nparameters:\n  fr.point_value:\n    scale: 2\n"
        "    from: 2025-01-01\n    rationale: test\n"
    )["fr"]
    law = default_set("fr")
    case = {"date": D, "infirmities": [{"rate": 40}]}
    base, reformed = compute_pmi_json(case, law), compute_pmi_json(case, plus)
    assert reformed["annual_amount_eur"] == pytest.approx(2 * base["annual_amount_eur"], 0.001)
    assert (base["params_digest"], reformed["params_digest"]) == (law.digest, plus.digest)
    assert law.digest != plus.digest
    survivor = {"date": D, "service_death": True}
    assert compute_survivor_json(survivor, plus)["annual_amount_eur"] == pytest.approx(
        2 * compute_survivor_json(survivor, law)["annual_amount_eur"], 0.001
    )
    assert compute_survivor_json(survivor, plus)["params_digest"] == plus.digest
    batch = compute_pmi_batch(
        np.array([1]),
        np.array([40.0]),
        np.array(["injury"]),
        np.array(["war"]),
        dt.date(2025, 6, 1),
        plus,
    )
    assert batch.annual_amount_eur[0] == reformed["annual_amount_eur"]
    six = _reformed(
        "name: appeal\nparameters:\n  fr.appeal_months:\n"
        "    values: {2025-01-01: 3}\n    rationale: test\n"
    )["fr"]
    assert procedure.appeal_deadline("fr", dt.date(2025, 3, 15), params=six).date == dt.date(
        2025, 6, 15
    )


def test_ukrainian_calculators_take_the_ukrainian_set():
    ua = _reformed(
        "name: ua\nparameters:\n  ua.death_amount:\n    scale: 2\n"
        "    from: 2022-02-24\n    rationale: test\n"
    )["ua"]
    death = {"kind": "death", "death_date": D}
    assert (
        ua_assistance_json(death, ua)["total_uah"]
        == 2 * ua_assistance_json(death, default_set("ua"))["total_uah"]
    )
    annual = annual_payment_json({"date": D, "category": "war_disability_1"}, ua)
    assert annual["params_digest"] == ua.digest and annual["amount_uah"] > 0


def test_a_frozen_snapshot_gives_the_law_of_its_files():
    files = dict(default_set("fr").files)
    files["point_value.yaml"] = files["point_value.yaml"].replace("value: 16.07", "value: 17.00")
    snapshot = Parameters.from_files("fr", files)
    result = compute_pmi_json({"date": D, "infirmities": [{"rate": 40}]}, snapshot)
    assert Decimal(str(result["point_value_eur"])) == Decimal("17.00")
    assert result["params_digest"] == snapshot.digest != default_set("fr").digest
