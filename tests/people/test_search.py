"""Name search through the registry page, the API and the CLI; duplicate review pages."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json

import pytest
from django.test import Client

from vetbridge.cli import main
from vetbridge.core.services import input_from
from vetbridge.people.models import DuplicateState, DuplicateSuspect, Person, PersonMerge
from vetbridge.people.selectors import person_search
from vetbridge.people.services import NameInput, PersonInput, person_create

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "a",
    "а",
    "!!!",
    "x" * 10_000,
    "Шевченко Shevchenko",
    "\u200b\u200b\u200b",
    "Shevche\u0301\u0301nko",
    "Шeвчeнкo",
    "<script>alert(1)</script>",
    "'; DROP TABLE",
    "\u202eokneh\u202c",
    "%_%",
    "O'Brien-Ковальчук",
]


def _as(user, language: str | None = None) -> Client:
    if language:
        user.language = language
        user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def taras(world, regions):
    return person_create(
        actor=None,
        data=input_from(PersonInput, {"region": regions["UA-46"], "external_id": "T-1"}),
        names=[
            input_from(
                NameInput,
                {
                    "surname": "Шевченко",
                    "given_name": "Тарас",
                    "patronymic": "Григорович",
                    "language": "uk",
                },
            )
        ],
    )


def test_search_is_ranked_scoped_and_explained(world, taras):
    from django.utils import translation

    hits = person_search(user=world["users"]["case_worker"], q="Tarass Chevtchenko").hits
    assert hits[0].person == taras
    with translation.override("en"):
        assert hits[0].reason_text() == (
            "tarass → тарас (same name in another spelling); "
            "chevtchenko → шевченко (same name in another "
            "spelling)"
        )
    # The Kyiv worker's scope excludes Lviv: not even a hint of Taras.
    kyiv = world["users"]["case_worker"].__class__.objects.create_user(
        "cw.kyiv", role="case_worker", region=world["kyiv"].region
    )
    assert taras not in [h.person for h in person_search(user=kyiv, q="Tarass Chevtchenko").hits]
    # The veteran finds only themself.
    assert person_search(user=world["users"]["veteran"], q="Taras Shevchenko").hits == []


def test_external_identifier_comes_first(world, taras):
    hits = person_search(user=world["users"]["admin"], q="t-1").hits
    assert hits[0].person == taras and hits[0].reasons[0]["how"] == "external_id"


def test_registry_page_search_in_every_language(world, taras):
    for lang, word in (("uk", "Чому"), ("fr", "Pourquoi"), ("en", "Why")):
        client = _as(world["users"]["case_worker"], lang)
        page = client.get("/people/", {"q": "Chevtchenko Taras"})
        assert page.status_code == 200
        assert word in page.content.decode()
        assert f"/people/{taras.pk}/" in page.content.decode()


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_break_the_page_or_the_api(world, taras, q):
    client = _as(world["users"]["admin"])
    page = client.get("/people/", {"q": q})
    assert page.status_code == 200
    assert b"<script>alert(1)</script>" not in page.content
    api = client.get("/api/people/search", {"q": q})
    assert api.status_code == 200, api.content
    assert set(api.json()) == {"results", "notices"}


def test_short_and_long_queries_say_why(world, taras):
    client = _as(world["users"]["admin"], "en")
    short = client.get("/api/people/search", {"q": "a"}).json()
    assert short["results"] == [] and short["notices"][0]["code"] == "too_short"
    long = client.get("/api/people/search", {"q": "Shevchenko " + "x" * 300}).json()
    assert long["notices"][0]["code"] == "too_long"
    assert "200" in client.get("/people/", {"q": "Shevchenko " + "x" * 300}).content.decode()


def test_api_search_returns_scores_and_translated_reasons(world, taras):
    client = _as(world["users"]["admin"], "fr")
    body = client.get("/api/people/search", {"q": "Tarass Chevtchenko", "limit": 3}).json()
    first = body["results"][0]
    assert first["id"] == taras.pk and 0 < first["score"] <= 1
    assert {r["how"] for r in first["reasons"]} == {"same_sound"}
    assert first["reasons"][0]["label"] == "même nom dans une autre graphie"
    assert client.get("/api/people/search", {"q": "x", "limit": 0}).status_code == 422


def test_cli_search_json(world, taras):
    # In-process: the command reads the same (test) database connection as the test.
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["people", "search", "Tarass Chevtchenko", "--limit", "2", "--json"]) == 0
    rows = json.loads(out.getvalue())
    assert rows[0]["external_id"] == "T-1"
    assert set(rows[0]) >= {"external_id", "display_name", "score", "reasons"}
    assert len(rows) <= 2 and 0 < rows[0]["score"] <= 1 and rows[0]["reasons"]


def test_registration_shows_likely_duplicates_before_saving(world, taras):
    client = _as(world["users"]["case_worker"])
    form = {
        "surname": "Chevtchenko",
        "given_name": "Tarass",
        "sex": "M",
        "lifecycle": "alive",
        "region": world["users"]["case_worker"].region_id,
        "preferred_language": "uk",
        "name_language": "fr",
    }
    count = Person.objects.count()
    first = client.post("/people/new/", form)
    assert first.status_code == 200
    assert f"/people/{taras.pk}/".encode() in first.content
    assert Person.objects.count() == count  # nothing saved yet
    second = client.post("/people/new/", {**form, "confirm_new": "1"})
    assert second.status_code == 302
    assert Person.objects.count() == count + 1
    assert DuplicateSuspect.objects.filter(state=DuplicateState.OPEN).count() == 1


def test_queue_page_merge_and_undo(world, regions):
    for name in (
        {"surname": "Гуменюк", "given_name": "Петро"},
        {"surname": "Humeniuk", "given_name": "Petro", "language": "en"},
    ):
        person_create(
            actor=None,
            data=input_from(
                PersonInput, {"region": regions["UA-46"], "birth_date": dt.date(1980, 1, 1)}
            ),
            names=[input_from(NameInput, name)],
        )
    suspect = DuplicateSuspect.objects.get()
    client = _as(world["users"]["case_worker"], "fr")
    queue = client.get("/people/duplicates/")
    assert "Humeniuk" in queue.content.decode() and "Fusionner" in queue.content.decode()
    bad = client.post(
        f"/people/duplicates/{suspect.pk}/decide/", {"decision": "merge", "survivor": "999999"}
    )
    assert bad.status_code == 302 and not PersonMerge.objects.exists()
    merged = client.post(
        f"/people/duplicates/{suspect.pk}/decide/",
        {"decision": "merge", "survivor": suspect.person_a_id},
    )
    assert merged["Location"] == f"/people/{suspect.person_a_id}/"
    # The absorbed record's old address leads to the survivor.
    old = client.get(f"/people/{suspect.person_b_id}/")
    assert old.status_code == 302 and old["Location"] == f"/people/{suspect.person_a_id}/"
    page = client.get(f"/people/{suspect.person_a_id}/").content.decode()
    assert "Annuler cette fusion" in page
    merge = PersonMerge.objects.get()
    client.post(f"/people/merges/{merge.pk}/undo/")
    assert Person.objects.get(pk=suspect.person_b_id).merged_into_id is None
