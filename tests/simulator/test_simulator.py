"""The public simulator and the comparison of both laws: results explained, errors named."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import translation

from vetbridge.rules.fr.pmi import compute_pmi_json
from vetbridge.rules.parameters import default_set
from vetbridge.rules.ua.assistance import ua_assistance_json

DATE = "2025-06-01"


def _post(client: Client, url: str = "/simulator/", lang: str = "fr", headers=None, **extra):
    data = {
        "date": DATE,
        "grade": "soldier",
        "children": "0",
        "inf-TOTAL_FORMS": "3",
        "inf-INITIAL_FORMS": "0",
        "inf-MIN_NUM_FORMS": "0",
        "inf-MAX_NUM_FORMS": "20",
        "compute": "1",
    }
    for i in range(3):
        data |= {
            f"inf-{i}-cause": "injury",
            f"inf-{i}-context": "peace",
            f"inf-{i}-addition": "chain",
        }
    data |= extra
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE=lang, headers=headers or {})


@pytest.mark.django_db
def test_public_page_is_open_and_accessible_in_three_languages(client):
    for lang, heading in (
        ("uk", "Оцінка французької військової пенсії по інвалідності"),
        ("fr", "Estimer une pension militaire d’invalidité française"),
        ("en", "Estimate a French military invalidity pension"),
    ):
        response = client.get("/simulator/", HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200
        html = response.content.decode()
        assert heading in html
        assert "<legend>" in html and 'aria-live="polite"' in html
        assert '<label for="id_inf-0-rate">' in html


@pytest.mark.django_db
def test_comma_and_dot_rates_give_the_same_estimate_as_the_calculator(client):
    a = _post(
        client,
        **{"inf-0-label": "Genou", "inf-0-rate": "12,5", "inf-1-label": "Ouïe", "inf-1-rate": "30"},
    )
    b = _post(
        client,
        **{"inf-0-label": "Genou", "inf-0-rate": "12.5", "inf-1-label": "Ouïe", "inf-1-rate": "30"},
    )
    assert a.status_code == b.status_code == 200
    expected = compute_pmi_json(
        {
            "date": DATE,
            "infirmities": [
                {"label": "Genou", "rate": 12.5, "cause": "injury", "context": "peace"},
                {"label": "Ouïe", "rate": 30, "cause": "injury", "context": "peace"},
            ],
        },
        default_set("fr"),
    )
    side_a, side_b = a.context["result"]["fr"], b.context["result"]["fr"]
    assert side_a.result == side_b.result == expected
    html = a.content.decode()
    with translation.override("fr"):
        for step in expected["steps"]:
            assert step["text"]["fr"].replace("'", "&#x27;") in html
    assert "Ouïe" in html and "une estimation" in html.lower()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", "« Taux (%) » doit être un nombre"),
        ("uk", "«Відсоток (%)» має бути числом"),
    ],
)
def test_a_rate_that_is_not_a_number_is_refused_naming_the_field(client, lang, words):
    response = _post(client, lang=lang, **{"inf-0-label": "Genou", "inf-0-rate": "douze"})
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html
    assert 'href="#id_inf-0-rate"' in html  # the error summary links to the field
    assert "autofocus" in html.split('class="form-errors error-summary"', 1)[1][:200]
    assert 'value="douze"' in html and 'value="Genou"' in html  # what was typed is kept
    assert response.context["result"] is None


@pytest.mark.django_db
def test_bad_dates_and_missing_infirmities_never_500(client):
    for extra in (
        {"date": "2099-99-99"},
        {"date": "1800-01-01"},
        {"date": ""},
        {"inf-0-rate": "0"},
        {"inf-0-rate": "101"},
        {"inf-0-rate": "1e2"},
        {"inf-0-rate": "10", "grade": "général"},
        {"inf-TOTAL_FORMS": "x"},
        {"children": "-1"},
        {"children_birth_dates": "2015-13-01"},
        {},
    ):
        response = _post(client, **extra)
        assert response.status_code == 400, extra
        assert "error-summary" in response.content.decode(), extra


@pytest.mark.django_db
def test_a_date_without_law_in_force_is_refused_on_the_date_field(client):
    response = _post(client, date="1960-01-01", **{"inf-0-rate": "40"})
    assert response.status_code == 400
    assert 'href="#id_date"' in response.content.decode()


@pytest.mark.django_db
def test_add_row_keeps_what_was_typed_and_judges_nothing(client):
    response = _post(client, add_row="1", **{"inf-0-rate": "abc", "inf-0-label": "Genou"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_inf-3-rate"' in html and 'value="abc"' in html
    assert "error-summary" not in html


@pytest.mark.django_db
def test_the_public_simulator_stores_nothing_and_audits_nothing(
    client, django_assert_max_num_queries
):
    from vetbridge.accounts.models import AuditLog

    with django_assert_max_num_queries(0):
        response = _post(client, **{"inf-0-rate": "40"})
    assert response.status_code == 200
    assert not AuditLog.objects.exists()
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_public_simulator_is_limited_per_client(client, settings):
    settings.VETBRIDGE_SIMULATOR_PER_HOUR = 2
    assert _post(client, **{"inf-0-rate": "40"}).status_code == 200
    assert _post(client, **{"inf-0-rate": "40"}).status_code == 200
    third = _post(client, **{"inf-0-rate": "40"})
    assert third.status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _post(other, **{"inf-0-rate": "40"}).status_code == 200


@pytest.mark.django_db
def test_htmx_answer_swaps_the_form_and_fills_the_live_region(client):
    response = _post(client, headers={"HX-Request": "true"}, **{"inf-0-rate": "40"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="result" hx-swap-oob="innerHTML"' in html
    assert "€" in html


# ---------------------------------------------------------------- the comparison page


def _compare(client, lang="fr", **extra):
    base = {"status": "living", "ua_group": "2", "ua_cause": "duty"}
    return _post(client, url="/simulator/compare/", lang=lang, **(base | extra))


@pytest.mark.django_db
def test_officer_sees_both_laws_side_by_side_with_assumptions(client, make_user):
    client.force_login(make_user("pension_officer"))
    response = _compare(
        client, **{"inf-0-label": "Genou", "inf-0-rate": "40", "ua_set_date": "2025-03-01"}
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result["ua"].result == ua_assistance_json(
        {"kind": "disability", "group": 2, "cause": "duty", "set_date": "2025-03-01"},
        default_set("ua"),
    )
    assert result["fr"].result["eligible"] is True
    html = response.content.decode()
    assert "Франція: військова пенсія" in html and "Україна: одноразова" in html  # account: uk
    assert "з французьких відсотків її не виведено" in html
    assert result["ua"].explanation[0]["text"] == result["ua"].result["steps"][0]["text"]["uk"]


@pytest.mark.django_db
def test_comparing_writes_nothing(client, make_user):
    from vetbridge.accounts.models import AuditLog
    from vetbridge.people.models import Person

    client.force_login(make_user("analyst"))
    audit, people = AuditLog.objects.count(), Person.objects.count()
    assert _compare(client, **{"inf-0-rate": "40"}).status_code == 200
    assert (
        _api(
            client, {"date": DATE, "infirmities": [{"rate": 40}], "ua_group": 1, "ua_cause": "duty"}
        ).status_code
        == 200
    )
    assert (AuditLog.objects.count(), Person.objects.count()) == (audit, people)


@pytest.mark.django_db
def test_the_ukrainian_mapping_is_never_guessed(client, make_user):
    client.force_login(make_user("pension_officer"))
    response = _compare(client, ua_group="", ua_cause="", **{"inf-0-rate": "40"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_ua_group"' in html and 'href="#id_ua_cause"' in html


@pytest.mark.django_db
def test_death_compares_survivor_pension_and_death_assistance(client, make_user):
    client.force_login(make_user("admin"))
    response = _compare(
        client, status="deceased", death_date="2024-05-01", recipients="2", service_death="on"
    )
    assert response.status_code == 200, response.context["errors"]
    result = response.context["result"]
    assert result["fr"].law == "fr_survivor"
    assert result["ua"].result["recipients"] == 2
    assert "death_record_date" not in result["ua"].input  # only when the user set it


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["veteran", "case_worker", "memorial_editor", "partner"])
def test_other_roles_may_not_compare(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get("/simulator/compare/").status_code == 403


# ---------------------------------------------------------------- the API

API = "/api/simulator/compare"


def _api(client, payload, lang="fr"):
    return client.post(
        API, json.dumps(payload), content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang
    )


@pytest.mark.django_db
def test_api_compares_with_explanations_in_the_readers_language(client, make_user):
    client.force_login(make_user("medical_assessor"))
    payload = {
        "date": DATE,
        "infirmities": [
            {"label": "Genou", "rate": "12,5"},
            {"label": "Main", "rate": 30, "context": "war"},
        ],
        "ua_group": 3,
        "ua_cause": "service",
    }
    response = _api(client, payload, lang="uk")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["fr"]["input"]["infirmities"][0]["rate"] == 12.5
    assert body["fr"]["explanation"][0]["text"] == body["fr"]["result"]["steps"][0]["text"]["uk"]
    assert body["ua"]["result"]["group"] == 3
    assert "third_person" not in body["fr"]["input"]["infirmities"][0]
    assert body["fr"]["assumptions"] and body["ua"]["assumptions"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "words"), [("fr", "doit être un nombre"), ("uk", "має бути числом")]
)
def test_api_refuses_a_rate_that_is_not_a_number_naming_it(client, make_user, lang, words):
    client.force_login(make_user("pension_officer", language=lang))
    response = _api(
        client,
        {"date": DATE, "infirmities": [{"rate": "abc"}], "ua_group": 1, "ua_cause": "duty"},
        lang=lang,
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert words in fields["infirmities.0.rate"][0]


@pytest.mark.django_db
def test_api_bad_input_is_a_named_4xx(client, make_user):
    client.force_login(make_user("pension_officer"))
    cases = [
        ({"date": DATE}, "infirmities"),
        ({"date": DATE, "infirmities": [{"rate": 40}], "ua_cause": "duty"}, "ua_group"),
        ({"date": DATE, "infirmities": [{"rate": 40}], "ua_group": 1}, "ua_cause"),
        ({"date": DATE, "status": "deceased"}, "death_date"),
        (
            {
                "date": DATE,
                "grade": "général",
                "infirmities": [{"rate": 40}],
                "ua_group": 1,
                "ua_cause": "duty",
            },
            "grade",
        ),
        ({"date": "9999-01-01", "infirmities": [{"rate": 40}]}, "date"),
        ({"date": DATE, "infirmities": [{"rate": 40, "colour": 1}]}, "infirmities.0.colour"),
        ({"date": DATE, "ua_group": 4}, "ua_group"),
        ({"date": DATE, "infirmities": [{"rate": None}]}, "infirmities.0.rate"),
        ({"date": DATE, "infirmities": [{"rate": True}]}, "infirmities.0.rate"),
        ({"date": DATE, "infirmities": [{"rate": "1e309"}]}, "infirmities.0.rate"),
        ({"date": DATE, "infirmities": [{"rate": 40, "label": "a\x00b"}]}, "infirmities.0.label"),
        (
            {
                "date": "1960-01-01",
                "infirmities": [{"rate": 40}],
                "ua_group": 1,
                "ua_cause": "duty",
            },
            "date",
        ),
    ]
    for payload, field in cases:
        response = _api(client, payload)
        assert response.status_code in (400, 422), (payload, response.content)
        assert field in response.json()["error"]["fields"], (payload, response.json())


@pytest.mark.django_db
def test_api_partial_loss_without_group_and_new_optional_keys_only_when_set(client, make_user):
    client.force_login(make_user("analyst"))
    response = _api(
        client,
        {
            "date": DATE,
            "infirmities": [{"label": "Main", "rate": 25}],
            "ua_loss_percent": "25,5",
            "ua_cause": "service",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ua"]["input"] == {
        "kind": "disability",
        "group": None,
        "cause": "service",
        "set_date": DATE,
        "loss_percent": 25.5,
    }
    assert body["fr"]["input"] == {
        "date": DATE,
        "infirmities": [{"label": "Main", "rate": 25, "cause": "injury", "context": "peace"}],
    }


@pytest.mark.django_db
def test_api_needs_login_and_role(client, make_user):
    assert _api(client, {"date": DATE}).status_code == 401
    client.force_login(make_user("case_worker"))
    assert _api(client, {"date": DATE}).status_code == 403
