"""Cases that reach every explanation step of the rules, and what they produced.

`corpus()` runs each case with the shipped parameters (passed in, as every calculator takes
them) and returns the full results (steps in uk/fr/en, values, references) with the
parameter files used, so the comparison does not move when the law's files change. The golden file
`data/explanation_texts.json` holds what the rules said before their texts moved to message
catalogues; a frozen decision is replayed by comparing results exactly, so the texts must not
change. Regenerate only for a deliberate change of wording (and a new rules version):

    PYTHONPATH=src python tests/rules/explanation_corpus.py
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from vetbridge.rules import procedure
from vetbridge.rules.fr.pmi import compute_pmi_json
from vetbridge.rules.fr.survivor import compute_survivor
from vetbridge.rules.parameters import Parameters
from vetbridge.rules.ua.assistance import annual_payment_json, ua_assistance_json

ROOT = Path(__file__).resolve().parents[2]
YAML_CASES = ROOT / "src" / "vetbridge" / "rules" / "tests"
GOLDEN = Path(__file__).resolve().parent / "data" / "explanation_texts.json"
D = "2025-06-01"


def _iso(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


def _yaml(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((YAML_CASES / name).read_text(encoding="utf-8"))


def _pmi_cases(extra: int) -> list[dict[str, Any]]:
    inf = [
        [{"rate": 40}],
        [
            {
                "label": "jambe",
                "rate": 20,
                "amputation_without_prosthesis": True,
                "arithmetic_addition": 2.5,
            }
        ],
        [
            {
                "label": "bras",
                "rate": 90,
                "amputation_without_prosthesis": True,
                "arithmetic_addition": 10,
            }
        ],
        [
            {"label": "genou", "rate": 30},
            {"label": "troubles", "rate": 5, "addition": "arithmetic"},
        ],
        [{"label": "troubles", "rate": 5, "addition": "arithmetic"}, {"label": "dos", "rate": 25}],
        [{"rate": 5}],
        [{"label": "main", "rate": 30}, {"label": "doigt", "rate": 5}],
        [
            {"label": "cheville", "rate": 15, "cause": "injury"},
            {"label": "asthme", "rate": 10, "cause": "disease", "context": "peace"},
        ],
        [
            {"label": "cheville", "rate": 15},
            {"label": "asthme", "rate": 10, "cause": "disease"},
            {"label": "diabète", "rate": 15, "cause": "disease"},
        ],
        [
            {"label": "malaria", "rate": 25, "cause": "disease", "context": "war"},
            {"label": "back", "rate": 10, "cause": "disease", "context": "peace"},
        ],
        [{"rate": 20, "cause": "disease"}],
        [{"rate": 35, "cause": "disease"}],
        [{"rate": 20, "cause": "disease"}, {"rate": 15, "cause": "disease"}],
        [{"rate": 30, "cause": "disease", "context": "opex"}],
        [{"rate": 60}, {"rate": 30}, {"rate": 20}],
        [{"rate": 30}, {"rate": 20}],
        [{"rate": 12.5}, {"rate": 10.25}],
        [
            {"label": "tête", "rate": 100},
            {"label": "main", "rate": 30},
            {"label": "pied", "rate": 20},
        ],
        [{"rate": 100}, {"rate": 30}],
        [
            {"rate": 100},
            {"rate": 80},
            {"rate": 70},
            {"rate": 60},
            {"rate": 50},
            {"rate": 40},
            {"rate": 30},
        ],
        [{"rate": 85}],
        [{"rate": 90}],
        [{"rate": 95}],
        [{"rate": 100}],
        [{"rate": 85}, {"rate": 60}],
        [{"rate": 80}, {"rate": 70}],
    ]
    cases: list[dict[str, Any]] = [{"date": D, "infirmities": x} for x in inf]
    cases += [
        {
            "date": D,
            "infirmities": [{"rate": 40}],
            "children_birth_dates": ["2015-03-01", "2001-03-01", "2025-09-01"],
        },
        {"date": D, "infirmities": [{"rate": 40}], "children": 2},
        {"date": D, "infirmities": [{"rate": 90}], "children": 1},
        {"date": D, "grade": "colonel", "infirmities": [{"rate": 40}]},
        {"date": D, "grade": "adjudant", "left_service": True, "infirmities": [{"rate": 30}]},
        {"date": D, "grade": "adjudant", "left_service": True, "infirmities": [{"rate": 100}]},
        {"date": D, "third_person": True, "infirmities": [{"rate": 100}]},
        {"date": D, "third_person": True, "infirmities": [{"rate": 80}]},
        {
            "date": D,
            "infirmities": [
                {"label": "yeux", "rate": 100, "third_person": True},
                {"label": "jambes", "rate": 90, "third_person": True},
            ],
        },
        {"date": D, "infirmities": [{"rate": 100, "third_person": True}, {"rate": 40}]},
        {
            "date": D,
            "infirmities": [
                {"label": "a", "rate": 100, "third_person": True},
                {"label": "b", "rate": 100, "third_person": True},
                {"rate": 60},
                {"rate": 50},
            ],
        },
        {"date": D, "grand_mutile": True, "infirmities": [{"rate": 85}]},
        {"date": D, "grand_mutile": True, "infirmities": [{"rate": 60}]},
        {"date": D, "grand_mutile": True, "infirmities": [{"rate": 100}, {"rate": 40}]},
        {"date": "2017-06-01", "infirmities": [{"rate": 50}]},
        {
            "date": "2010-06-01",
            "infirmities": [{"rate": 100}, {"rate": 30}, {"rate": 20}],
            "third_person": True,
        },
    ]
    rng = random.Random(2026)  # noqa: S311 - fixed sample of cases, not security
    for _ in range(extra):
        n = rng.choice([1, 1, 2, 2, 3, 4])
        rows = []
        for k in range(n):
            row: dict[str, Any] = {
                "label": f"i{k}",
                "rate": rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 85, 90, 100, 12.5]),
                "cause": rng.choice(["injury", "injury", "disease"]),
                "context": rng.choice(["peace", "war", "opex", "captivity"]),
            }
            if rng.random() < 0.15:
                row["third_person"] = True
            if rng.random() < 0.1:
                row["amputation_without_prosthesis"] = True
            rows.append(row)
        case: dict[str, Any] = {
            "date": rng.choice(["2012-06-01", "2020-01-01", D, "2026-03-01"]),
            "infirmities": rows,
        }
        if rng.random() < 0.2:
            case["children"] = rng.randint(1, 3)
        if rng.random() < 0.1:
            case["grand_mutile"] = True
        cases.append(case)
    return cases


def _survivor_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = [
        {"date": D, "service_death": True, "deceased_rate": 0},
        {"date": D, "service_death": False, "deceased_rate": 70},
        {"date": D, "service_death": False, "deceased_rate": 40},
        {
            "date": D,
            "service_death": False,
            "deceased_rate": 100,
            "third_person": True,
            "care_years": 7,
        },
        {
            "date": D,
            "service_death": False,
            "deceased_rate": 100,
            "third_person": True,
            "care_years": 20,
            "allocation_5bis": "b",
        },
        {
            "date": "2019-06-01",
            "service_death": False,
            "deceased_rate": 100,
            "third_person": True,
            "care_years": 5,
        },
    ]
    return cases


def _ua_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = [
        {"kind": "death", "death_date": "2025-06-15", "recipients": 3},
        {"kind": "death", "death_date": "2025-06-15", "death_record_date": "2025-10-02"},
        {
            "kind": "death",
            "death_date": "2025-06-15",
            "death_record_date": "2025-12-02",
            "listed_missing": True,
        },
        {
            "kind": "death",
            "death_date": "2024-06-15",
            "death_record_date": "2026-03-02",
            "listed_missing": True,
            "pay_while_missing_uah": 1234567.89,
            "recipients": 2,
        },
        {"kind": "disability", "group": 1, "cause": "duty", "set_date": "2025-03-01"},
        {"kind": "disability", "group": 2, "cause": "service", "set_date": "2024-03-01"},
        {"kind": "disability", "group": 3, "cause": "duty", "set_date": "2023-03-01"},
    ]
    for status in ("contract", "mobilised", "conscript"):
        cases.append(
            {
                "kind": "disability",
                "group": None,
                "cause": "duty",
                "set_date": "2025-03-01",
                "loss_percent": 37.5,
                "service_status": status,
            }
        )
    return cases


def _procedure_cases() -> list[tuple[str, dict[str, Any]]]:
    d = dt.date
    cases: list[tuple[str, dict[str, Any]]] = [
        ("appeal_deadline", {"country": "fr", "notified": d(2025, 3, 15)}),
        ("appeal_deadline", {"country": "fr", "notified": d(2025, 3, 15), "residence": "overseas"}),
        ("appeal_deadline", {"country": "ua", "notified": d(2025, 3, 1)}),
        ("appeal_deadline", {"country": "ua", "notified": d(2025, 3, 1), "by_post": True}),
        ("court_deadline", {"notified": d(2025, 3, 15), "residence": "metropole"}),
        ("court_deadline", {"notified": d(2025, 3, 15), "residence": "abroad"}),
        ("appeal_silence_date", {"filed": d(2025, 1, 10)}),
        ("appeal_silence_date", {"filed": d(2025, 1, 10), "expertise_start": d(2025, 2, 1)}),
        (
            "appeal_silence_date",
            {
                "filed": d(2025, 1, 10),
                "expertise_start": d(2025, 2, 1),
                "expertise_end": d(2025, 3, 20),
            },
        ),
        ("temporary_until", {"start": d(2025, 2, 1)}),
        ("revision_check", {"previous_rate": 40, "new_rate": 60, "date": d(2025, 6, 1)}),
        (
            "revision_check",
            {
                "previous_rate": 100,
                "new_rate": 100,
                "previous_degrees": 2,
                "new_degrees": 3,
                "date": d(2025, 6, 1),
            },
        ),
        (
            "arrears",
            {"start": d(2024, 6, 1), "until": d(2025, 6, 1), "points": 240, "filed": d(2024, 6, 1)},
        ),
        (
            "arrears",
            {
                "start": d(2015, 3, 1),
                "until": d(2025, 6, 1),
                "points": 48,
                "filed": d(2025, 3, 1),
                "late_by_own_doing": True,
            },
        ),
        (
            "arrears",
            {
                "start": d(2024, 6, 1),
                "until": d(2025, 6, 1),
                "annual_amount": 3816,
                "filed": d(2024, 6, 1),
                "variant": "actual_actual",
            },
        ),
    ]
    return cases


VARIANTS = {  # parameter sets that reach a branch the shipped law does not
    "actual_actual": ("fr", "procedure.yaml", "value: actual_365", "value: actual_actual"),
    "at_once": ("ua", "assistance.yaml", "months: 40}", "months: 0}"),
}


def param_sets(files: dict[str, dict[str, str]]) -> dict[str, dict[str, Parameters]]:
    """The frozen parameter sets by variant ("" for the files as they are)."""
    out = {"": {country: Parameters.from_files(country, f) for country, f in files.items()}}
    for variant, (country, file, old, new) in VARIANTS.items():
        changed = dict(files[country])
        assert old in changed[file], (file, old)
        changed[file] = changed[file].replace(old, new)
        out[variant] = {**out[""], country: Parameters.from_files(country, changed)}
    return out


def _date(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def run(rule: str, data: dict[str, Any], sets: dict[str, dict[str, Parameters]]) -> Any:
    """The result of one case, computed with the frozen parameter sets (`param_sets`)."""
    data = dict(data)
    p = sets[data.pop("variant", "")]
    fr, ua = p["fr"], p["ua"]
    if rule == "fr-pmi":
        try:
            return compute_pmi_json(data, fr)
        except Exception as exc:  # noqa: BLE001 - a refusal is part of the record
            return {"refused": repr(exc)}
    if rule == "fr-survivor":
        return compute_survivor(**{**data, "date": _date(data["date"])}, params=fr)
    if rule == "ua-assistance":
        return ua_assistance_json(data, ua)
    if rule == "ua-annual":
        return annual_payment_json(data, ua)
    data = {k: _date(v) if k not in ("country", "residence") else v for k, v in data.items()}
    if rule == "arrears":
        points = data.pop("points", None)
        amount = data.pop("annual_amount", None)
        r: Any = procedure.arrears(
            **data,
            params=fr,
            points=None if points is None else Decimal(str(points)),
            annual_amount=None if amount is None else Decimal(str(amount)),
        )
    elif rule == "appeal_deadline":
        country = data.pop("country")
        r = procedure.appeal_deadline(
            country, data.pop("notified"), **data, params=fr if country == "fr" else ua
        )
    elif rule == "court_deadline":
        r = procedure.court_deadline(data["notified"], data["residence"], params=fr)
    elif rule == "appeal_silence_date":
        r = procedure.appeal_silence_date(data.pop("filed"), **data, params=fr)
    elif rule == "temporary_until":
        r = procedure.temporary_until(data["start"], params=fr)
    elif rule == "revision_check":
        r = procedure.revision_check(
            data.pop("previous_rate"), data.pop("new_rate"), data.pop("date"), params=fr, **data
        )
    else:
        raise AssertionError(rule)
    return r.steps.as_list()


def _plain(result: Any) -> Any:
    """JSON as stored, without the rules version (it changes with every release)."""
    result = json.loads(json.dumps(result, ensure_ascii=False))
    if isinstance(result, dict):
        result.pop("rules_version", None)
    return result


def corpus(extra: int = 4) -> dict[str, Any]:
    """Every case with its result, and the parameter files they were computed with;
    `extra` random French cases besides those written for a branch."""
    files = {c: dict(Parameters.load(c).files) for c in ("fr", "ua")}
    sets = param_sets(files)
    cases: list[tuple[str, dict[str, Any]]] = [("fr-pmi", c) for c in _pmi_cases(extra)]
    cases += [("fr-survivor", c) for c in _survivor_cases()]
    cases += [("ua-assistance", c) for c in _ua_cases()]
    cases.append(("ua-assistance", {**_ua_cases()[0], "variant": "at_once"}))
    cases += [("ua-annual", _iso(c["input"])) for c in _yaml("ua_annual.yaml")]
    cases += [(rule, _iso(data)) for rule, data in _procedure_cases()]
    return {
        "params": files,
        "cases": [
            {"rule": rule, "input": data, "result": _plain(run(rule, data, sets))}
            for rule, data in cases
        ],
    }


def write(path: Path = GOLDEN, extra: int = 4) -> None:
    path.parent.mkdir(exist_ok=True)
    data = corpus(extra)
    lines = [json.dumps(case, ensure_ascii=False, sort_keys=True) for case in data["cases"]]
    path.write_text(
        '{"params": '
        + json.dumps(data["params"], ensure_ascii=False, sort_keys=True)
        + ',\n"cases": [\n'
        + ",\n".join(lines)
        + "\n]}\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    write()
    print(f"wrote {GOLDEN}")
