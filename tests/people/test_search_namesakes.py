"""Search that tells namesakes apart: birth year or date, region and patronymic in the
page, the API and the CLI, used in ranking and shown in the reasons."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json

import pytest
from django.test import Client

from vetbridge.cli import main
from vetbridge.core.services import input_from
from vetbridge.people.name_index import Born
from vetbridge.people.services import NameInput, PersonInput, person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def namesakes(regions):
    """Twelve Oleksandr Shevchenkos born in different years; one born in 1979."""
    people = {}
    for i, year in enumerate(range(1970, 1982)):
        people[year] = person_create(
            actor=None,
            data=input_from(
                PersonInput,
                {
                    "birth_date": dt.date(year, 1 + i % 12, 10),
                    "region": regions["UA-46" if year == 1979 else "UA-30"],
                },
            ),
            names=[
                input_from(
                    NameInput,
                    {
                        "surname": "Шевченко",
                        "given_name": "Олександр",
                        "patronymic": "Петрович" if year == 1979 else "Іванович",
                        "language": "uk",
                    },
                )
            ],
        )
    return people


def _client(user, language="en") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_born_parses_a_year_or_a_date():
    assert Born.parse("1979") == Born(1979)
    assert Born.parse("1979-03-09") == Born(1979, dt.date(1979, 3, 9))
    for bad in ("79", "1979-13-01", "abcd", "1979/03/09"):
        with pytest.raises(ValueError):
            Born.parse(bad)


def test_api_ranks_the_namesake_born_that_year_first_with_the_reason(world, namesakes):
    client = _client(world["users"]["admin"])
    body = client.get(
        "/api/people/search", {"q": "Oleksandr Shevchenko", "born": "1979", "limit": 5}
    ).json()
    first = body["results"][0]
    assert first["id"] == namesakes[1979].pk
    born = next(r for r in first["reasons"] if r.get("field") == "born")
    assert born["how"] == "born_agrees" and born["label"] == "born 1979 ✓"
    hows = {
        res["id"]: next(r["how"] for r in res["reasons"] if r.get("field") == "born")
        for res in body["results"]
    }
    assert hows[world["kyiv"].pk] == "born_unknown"  # no birth date: between the two
    assert {hows[namesakes[y].pk] for y in namesakes if namesakes[y].pk in hows and y != 1979} == {
        "born_differs"
    }


def test_api_region_and_patronymic_weigh_in(world, namesakes):
    client = _client(world["users"]["admin"])
    by_region = client.get(
        "/api/people/search", {"q": "Oleksandr Shevchenko", "region": "UA-46"}
    ).json()
    assert by_region["results"][0]["id"] == namesakes[1979].pk
    by_patronymic = client.get(
        "/api/people/search", {"q": "Oleksandr Shevchenko", "patronymic": "Petrovych"}
    ).json()
    assert by_patronymic["results"][0]["id"] == namesakes[1979].pk


@pytest.mark.parametrize(("language", "word"), [("en", "year"), ("fr", "année"), ("uk", "рік")])
def test_api_invalid_born_is_a_400_naming_the_field_in_the_users_language(
    world, namesakes, language, word
):
    client = _client(world["users"]["admin"], language)
    resp = client.get("/api/people/search", {"q": "Shevchenko", "born": "79"})
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert "born" in error["fields"] and word in error["fields"]["born"][0].lower()


def test_registry_page_takes_born_and_shows_the_reason(world, namesakes):
    client = _client(world["users"]["admin"])
    page = client.get("/people/", {"q": "Shevchenko Oleksandr", "born": "1979"}).content.decode()
    assert "born 1979 ✓" in page
    bad = client.get("/people/", {"q": "Shevchenko", "born": "nineteen"})
    assert bad.status_code == 200 and "YYYY" in bad.content.decode()


def test_cli_search_with_born(namesakes):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert (
            main(
                [
                    "people",
                    "search",
                    "Shevchenko Oleksandr",
                    "--born",
                    "1979",
                    "--limit",
                    "5",
                    "--json",
                ]
            )
            == 0
        )
    hits = json.loads(out.getvalue())
    assert hits[0]["id"] == namesakes[1979].pk and hits[0]["birth_date"].startswith("1979")
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["people", "search", "Shevchenko", "--born", "x"]) == 2
