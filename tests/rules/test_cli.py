from __future__ import annotations

import json
import subprocess
import sys

import pytest

VETBRIDGE = [sys.executable, "-m", "vetbridge.cli"]


def run(args, stdin: str):
    proc = subprocess.run([*VETBRIDGE, *args], input=stdin, capture_output=True, text=True,
                          timeout=60, check=False)
    return proc.returncode, proc.stdout


def test_fr_pmi_json_in_json_out():
    code, out = run(["rules", "fr-pmi"], json.dumps({
        "date": "2025-06-01", "grade": "soldier", "third_person": False, "children": 0,
        "infirmities": [{"label": "knee", "rate": 40, "cause": "injury", "context": "war"},
                        {"label": "back", "rate": 20, "cause": "injury", "context": "war"},
                        {"label": "ear", "rate": 10, "cause": "injury", "context": "war"}]}))
    assert code == 0
    result = json.loads(out)
    assert result["global_rate"] == 65 and result["annual_amount_eur"] == 5013.84
    assert {"eligible", "reason", "raw_rate", "global_rate", "degrees", "points",
            "point_value_eur", "annual_amount_eur", "steps"} <= set(result)
    step = result["steps"][0]
    assert set(step) == {"text", "reference", "value"}
    assert set(step["text"]) == {"uk", "fr", "en"}


@pytest.mark.parametrize(("payload", "field"), [
    ("{", "$"),
    ('{"infirmities": [{"rate": 10}]}', "date"),
    ('{"date": "2025-13-01", "infirmities": [{"rate": 10}]}', "date"),
    ('{"date": "2025-01-01", "infirmities": []}', "infirmities"),
    ('{"date": "2025-01-01", "infirmities": [{"rate": 110}]}', "infirmities[0].rate"),
    ('{"date": "2025-01-01", "infirmities": [{"rate": 10, "cause": "flu"}]}',
     "infirmities[0].cause"),
    ('{"date": "2025-01-01", "infirmities": [{"rate": 10}], "children": -1}', "children"),
    ('{"date": "2001-01-01", "infirmities": [{"rate": 10}]}', "date"),
])
def test_fr_pmi_bad_input_exits_2_naming_the_field(payload, field):
    code, out = run(["rules", "fr-pmi"], payload)
    assert code == 2
    assert json.loads(out)["error"]["field"] == field


def test_ua_assistance_cli():
    code, out = run(["rules", "ua-assistance"],
                    '{"kind": "death", "death_date": "2025-10-01", "recipients": 2}')
    assert code == 0
    assert json.loads(out)["monthly_uah"] == 75000
    code, out = run(["rules", "ua-assistance"], '{"kind": "disability", "group": 4}')
    assert code == 2 and json.loads(out)["error"]["field"] == "group"


def test_fr_pmi_batch_cli(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("person_id,rate,cause,context\n7,15,injury,peace\n7,10,injury,peace\n")
    out = tmp_path / "out.csv"
    code, stdout = run(["rules", "fr-pmi-batch", str(src), str(out), "--date", "2025-01-01"],
                       "")
    assert code == 0, stdout
    assert out.read_text().splitlines()[1] == "7,true,23.5,25,120.0,1928.4"
    bad = tmp_path / "bad.csv"
    bad.write_text("person_id,rate,cause,context\n1,15,injury,moon\n")
    code, stdout = run(["rules", "fr-pmi-batch", str(bad), str(out)], "")
    assert code == 2 and "context" in json.loads(stdout)["error"]["field"]


def test_rules_package_never_imports_django():
    code = ("import sys, vetbridge.rules.fr.pmi, vetbridge.rules.batch, "
            "vetbridge.rules.ua.assistance, vetbridge.rules.fr.survivor, vetbridge.rules.cli;"
            "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_survivor_rates():
    from vetbridge.rules.fr.survivor import compute_survivor_json

    normal = compute_survivor_json({"date": "2025-03-01", "service_death": True})
    simple = compute_survivor_json({"date": "2025-03-01", "deceased_rate": 70})
    none = compute_survivor_json({"date": "2025-03-01", "deceased_rate": 40})
    assert normal["rate_kind"] == "normal" and normal["annual_amount_eur"] == 8035.00
    assert simple["rate_kind"] == "simple" and simple["points"] == pytest.approx(333.3333333)
    assert none["eligible"] is False
