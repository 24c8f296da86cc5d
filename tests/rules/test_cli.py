from __future__ import annotations

import json
import subprocess
import sys

import pytest

VETBRIDGE = [sys.executable, "-m", "vetbridge.cli"]


def run(args, stdin: str):
    proc = subprocess.run(
        [*VETBRIDGE, *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )
    return proc.returncode, proc.stdout


def test_fr_pmi_json_in_json_out():
    code, out = run(
        ["rules", "fr-pmi"],
        json.dumps(
            {
                "date": "2025-06-01",
                "grade": "soldier",
                "third_person": False,
                "children": 0,
                "infirmities": [
                    {"label": "knee", "rate": 40, "cause": "injury", "context": "war"},
                    {"label": "back", "rate": 20, "cause": "injury", "context": "war"},
                    {"label": "ear", "rate": 10, "cause": "injury", "context": "war"},
                ],
            }
        ),
    )
    assert code == 0
    result = json.loads(out)
    assert result["global_rate"] == 65 and result["annual_amount_eur"] == 5013.84
    assert {
        "eligible",
        "reason",
        "raw_rate",
        "global_rate",
        "degrees",
        "points",
        "point_value_eur",
        "annual_amount_eur",
        "steps",
    } <= set(result)
    step = result["steps"][0]
    assert set(step) == {"text", "reference", "value"}
    assert set(step["text"]) == {"uk", "fr", "en"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ("{", "$"),
        ('{"infirmities": [{"rate": 10}]}', "date"),
        ('{"date": "2025-13-01", "infirmities": [{"rate": 10}]}', "date"),
        ('{"date": "2025-01-01", "infirmities": []}', "infirmities"),
        ('{"date": "2025-01-01", "infirmities": [{"rate": 110}]}', "infirmities[0].rate"),
        (
            '{"date": "2025-01-01", "infirmities": [{"rate": 10, "cause": "flu"}]}',
            "infirmities[0].cause",
        ),
        ('{"date": "2025-01-01", "infirmities": [{"rate": 10}], "children": -1}', "children"),
        ('{"date": "2001-01-01", "infirmities": [{"rate": 10}]}', "date"),
        # Review rows 42 and 83-like: never priced silently.
        ('{"date": "2099-01-01", "infirmities": [{"rate": 10}]}', "date"),
        (
            '{"date": "2025-01-01", "grade": "generalissimo", "infirmities": [{"rate": 10}]}',
            "grade",
        ),
        (
            '{"date": "2025-01-01", "grade": "capitaine", "left_service": true, '
            '"infirmities": [{"rate": 40}]}',
            "grade",
        ),
        (
            '{"date": "2025-01-01", "grade": "adjudant", "left_service": true, '
            '"infirmities": [{"rate": 40}]}',
            "grade",
        ),
        (
            '{"date": "2025-01-01", "left_service": "yes", "infirmities": [{"rate": 10}]}',
            "left_service",
        ),
        (
            '{"date": "2025-01-01", "infirmities": [{"rate": 10, "arithmetic_addition": -1}]}',
            "infirmities[0].arithmetic_addition",
        ),
        (
            '{"date": "2025-01-01", "infirmities": [{"rate": 10, "third_person": 1}]}',
            "infirmities[0].third_person",
        ),
        (
            '{"date": "2025-01-01", "infirmities": [{"rate": 10, "amputation_without_prosthesis": '
            '"true"}]}',
            "infirmities[0].amputation_without_prosthesis",
        ),
        (
            '{"date": "2025-01-01", "infirmities": [{"rate": 10, "addition": "arithmetic"}]}',
            "infirmities[0].addition",
        ),
        (
            '{"date": "2025-01-01", "children_birth_dates": ["2020-02-30"], '
            '"infirmities": [{"rate": 10}]}',
            "children_birth_dates[0]",
        ),
        (
            '{"date": "2025-01-01", "children": 2, "children_birth_dates": ["2020-02-03"], '
            '"infirmities": [{"rate": 10}]}',
            "children",
        ),
    ],
)
def test_fr_pmi_bad_input_exits_2_naming_the_field(payload, field):
    code, out = run(["rules", "fr-pmi"], payload)
    assert code == 2
    assert json.loads(out)["error"]["field"] == field


def test_fr_pmi_date_beyond_knowledge_says_no_value_in_force():
    code, out = run(["rules", "fr-pmi"], '{"date": "2099-01-01", "infirmities": [{"rate": 10}]}')
    assert code == 2
    assert "no value in force at 2099-01-01" in json.loads(out)["error"]["message"]


def test_fr_pmi_batch_cli_optional_columns(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "person_id,rate,cause,context,arithmetic_addition,"
        "amputation_without_prosthesis,third_person,grade,left_service\n"
        "1,20,injury,war,0,true,false,soldier,false\n"
        "1,15,injury,war,0,false,false,soldier,false\n"
        "2,100,injury,war,0,false,true,adjudant,true\n"
    )
    out = tmp_path / "out.csv"
    code, stdout = run(["rules", "fr-pmi-batch", str(src), str(out), "--date", "2025-06-01"], "")
    assert code == 0, stdout
    rows = out.read_text().splitlines()
    assert rows[1] == "1,true,40.0,40,192.0,3085.44"  # 20 + 5 (no prosthesis) and 15 → 40 %
    # adjudant at 100 % who left the service: 412.3 + 1/4 × 412.3 + 5 bis 1373
    assert rows[2] == "2,true,100.0,100,1888.375,30346.19"


@pytest.mark.parametrize(
    ("command", "payload", "field"),
    [
        # Row 73/83 and the contract: never priced silently, numbers are JSON numbers, unknown keys
        # are refused by name.
        ("ua-assistance", '{"kind": "death", "death_date": "2022-02-23"}', "death_date"),
        ("ua-assistance", '{"kind": "death", "death_date": "2027-01-05"}', "death_date"),
        (
            "ua-assistance",
            '{"kind": "death", "death_date": "2025-10-01", "death_record_date": "2025-09-01"}',
            "death_record_date",
        ),
        (
            "ua-assistance",
            '{"kind": "death", "death_date": "2025-10-01", "recipients": "2"}',
            "recipients",
        ),
        (
            "ua-assistance",
            '{"kind": "death", "death_date": "2025-10-01", "recipients": true}',
            "recipients",
        ),
        ("ua-assistance", '{"kind": "death", "death_date": "2025-10-01", "spouse": 1}', "spouse"),
        (
            "ua-assistance",
            '{"kind": "death", "death_date": "2025-10-01", "pay_while_missing_uah": "100"}',
            "pay_while_missing_uah",
        ),
        (
            "ua-assistance",
            '{"kind": "disability", "group": true, "set_date": "2025-01-01"}',
            "group",
        ),
        (
            "ua-assistance",
            '{"kind": "disability", "group": 1.0, "set_date": "2025-01-01"}',
            "group",
        ),
        (
            "ua-assistance",
            '{"kind": "disability", "group": "1", "set_date": "2025-01-01"}',
            "group",
        ),
        ("ua-assistance", '{"kind": "disability", "group": 0, "set_date": "2025-01-01"}', "group"),
        (
            "ua-assistance",
            '{"kind": "disability", "group": null, "loss_percent": "25", "set_date": "2025-01-01"}',
            "loss_percent",
        ),
        (
            "ua-assistance",
            '{"kind": "disability", "group": 1, "set_date": "2030-01-01"}',
            "set_date",
        ),
        (
            "ua-assistance",
            '{"kind": "disability", "group": 1, "set_date": "2025-01-01", "grup": 2}',
            "grup",
        ),
        ("ua-annual", '{"date": "2030-08-24", "category": "combatant"}', "date"),
        ("ua-annual", '{"date": "2025-08-24", "category": "combatant", "year": 2025}', "year"),
        ("ua-annual", '{"date": "2025-08-24", "category": 1}', "category"),
        (
            "fr-survivor",
            '{"date": "2025-03-01", "service_death": true, "grade": "colonel"}',
            "grade",
        ),
        ("fr-survivor", '{"date": "2025-03-01", "care_years": 10}', "care_years"),
        ("fr-survivor", '{"date": "2099-03-01", "service_death": true}', "date"),
    ],
)
def test_bad_input_exits_2_naming_the_field(command, payload, field):
    code, out = run(["rules", command], payload)
    assert code == 2, out
    assert json.loads(out)["error"]["field"] == field


def test_ua_assistance_cli():
    code, out = run(
        ["rules", "ua-assistance"], '{"kind": "death", "death_date": "2025-10-01", "recipients": 2}'
    )
    assert code == 0
    assert json.loads(out)["monthly_uah"] == 75000
    code, out = run(["rules", "ua-assistance"], '{"kind": "disability", "group": 4}')
    assert code == 2 and json.loads(out)["error"]["field"] == "group"


def test_fr_pmi_batch_cli(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("person_id,rate,cause,context\n7,15,injury,peace\n7,10,injury,peace\n")
    out = tmp_path / "out.csv"
    code, stdout = run(["rules", "fr-pmi-batch", str(src), str(out), "--date", "2025-01-01"], "")
    assert code == 0, stdout
    assert out.read_text().splitlines()[1] == "7,true,23.5,25,120.0,1928.4"
    bad = tmp_path / "bad.csv"
    bad.write_text("person_id,rate,cause,context\n1,15,injury,moon\n")
    code, stdout = run(["rules", "fr-pmi-batch", str(bad), str(out)], "")
    assert code == 2 and "context" in json.loads(stdout)["error"]["field"]


def test_rules_package_never_imports_django():
    code = (
        "import sys, vetbridge.rules.fr.pmi, vetbridge.rules.batch, "
        "vetbridge.rules.ua.assistance, vetbridge.rules.fr.survivor, vetbridge.rules.cli;"
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"


def test_survivor_rates():
    from vetbridge.rules.fr.survivor import compute_survivor_json
    from vetbridge.rules.parameters import default_set

    fr = default_set("fr")
    normal = compute_survivor_json({"date": "2025-03-01", "service_death": True}, fr)
    simple = compute_survivor_json({"date": "2025-03-01", "deceased_rate": 70}, fr)
    none = compute_survivor_json({"date": "2025-03-01", "deceased_rate": 40}, fr)
    assert normal["rate_kind"] == "normal" and normal["annual_amount_eur"] == 8035.00
    assert simple["rate_kind"] == "simple" and simple["points"] == pytest.approx(333.3333333)
    assert none["eligible"] is False
