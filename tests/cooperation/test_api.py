"""The cooperation API: one error format naming the field, 409 on a stale version, the
values of indicators with small cells hidden, the public actions without authentication."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from vetbridge.cooperation import services
from vetbridge.cooperation.models import Action


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, payload: dict):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


@pytest.mark.django_db
def test_create_refuses_a_title_without_ukrainian_or_french(officers, axes):
    client = _client(officers["fr"])
    response = _post(
        client,
        "/api/cooperation/actions",
        {"axis_id": axes["remembrance"].pk, "title": {"en": "Only English"}},
    )
    assert response.status_code == 400
    assert "title_fr" in response.json()["error"]["fields"]
    assert not Action.objects.exists()
    ok = _post(
        client,
        "/api/cooperation/actions",
        {
            "axis_id": axes["remembrance"].pk,
            "title": {"fr": "Cérémonie commune"},
            "is_public": True,
        },
    )
    assert ok.status_code == 201
    assert ok.json()["title_shown"] == "Cérémonie commune"


@pytest.mark.django_db
def test_a_stale_status_change_is_409(officers, make_action):
    action = make_action()
    client = _client(officers["ua"])
    url = f"/api/cooperation/actions/{action.pk}/status"
    first = _post(client, url, {"version": 1, "status": "in_progress"})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = _post(client, url, {"version": 1, "status": "done"})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"


@pytest.mark.django_db
def test_indicator_values_and_public_actions(officers, axes, make_action):
    make_action({"fr": "Publique"}, is_public=True)
    make_action({"fr": "Interne"})
    indicator = services.indicator_create(
        actor=officers["fr"],
        data=services.IndicatorInput(
            code="trained", name={"fr": "Formés"}, axis_id=axes["medical-care"].pk
        ),
    )
    services.value_enter(
        actor=officers["fr"],
        indicator_id=indicator.pk,
        period="2026-Q3",
        value="6",
        source="Rapport",
    )
    body = _client(officers["ua"]).get("/api/cooperation/indicators").json()
    assert body[0]["values"][0] == {
        "period": "2026-Q3",
        "breakdown": "",
        "value": "6.00",
        "hidden": False,
        "target": None,
        "source": "Rapport",
    }
    public = Client().get("/api/cooperation/public/actions").json()
    assert [a["title"] for a in public] == [{"fr": "Publique"}]


@pytest.mark.django_db
def test_control_characters_are_refused_not_stored(officers, axes):
    response = _post(
        _client(officers["fr"]),
        "/api/cooperation/actions",
        {"axis_id": axes["remembrance"].pk, "title": {"fr": "x\u0000y"}},
    )
    # The input gate (core.inputs) refuses it before the view, naming the JSON path.
    assert response.status_code == 422
    assert "title.fr" in response.json()["error"]["fields"]
