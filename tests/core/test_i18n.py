"""uk, fr and en are complete: every message translated, nothing fuzzy, .mo up to date."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.test import Client

LOCALE = Path(__file__).resolve().parents[2] / "src" / "vetbridge" / "locale"


def _field(block: str, key: str) -> str:
    """The value of `key`, joining the continuation lines of a multi-line string."""
    match = re.search(rf'^{re.escape(key)} ((?:".*"\n?)+)', block, re.M)
    return "".join(re.findall(r'"(.*)"', match.group(1))) if match else ""


def _entries(po: Path):
    text = po.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        if "msgid" not in block:
            continue
        ident = _field(block, "msgid")
        strs = [_field(block, key) for key in re.findall(r"^(msgstr(?:\[\d\])?) ", block, re.M)]
        yield ident, strs, "fuzzy" in block, _field(block, "msgctxt")


@pytest.mark.parametrize("lang", ["uk", "fr", "en"])
def test_catalogue_complete_and_compiled(lang):
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    entries = list(_entries(po))
    assert len(entries) > 300
    untranslated = [i for i, strs, fuzzy, _ctx in entries if fuzzy or not all(strs)]
    assert not untranslated, untranslated[:10]
    catalogue = gettext.GNUTranslations((po.with_suffix(".mo")).open("rb"))
    stale = [
        i
        for i, strs, _, ctx in entries
        if "%(" not in i
        and len(strs) == 1
        and (catalogue.pgettext(ctx, i) if ctx else catalogue.gettext(i))
        != strs[0].replace('\\"', '"')
    ]
    assert not stale, f"django.mo is stale, run compilemessages: {stale[:5]}"


@pytest.fixture
def french_admin(world) -> Client:
    """A client logged in as an administrator whose account language is French."""
    user = world["users"]["admin"]
    user.language = "fr"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_language_switch_is_remembered_on_the_account(world):
    user = world["users"]["case_worker"]
    client = Client()
    client.force_login(user)
    assert "Реєстр осіб" in client.get("/people/").content.decode()
    client.post("/language/", {"language": "fr", "next": "/people/"})
    user.refresh_from_db()
    assert user.language == "fr"
    fresh = Client()
    fresh.force_login(user)
    assert "Registre des personnes" in fresh.get("/people/").content.decode()


@pytest.mark.django_db
def test_api_errors_speak_the_users_language(french_admin):
    client = french_admin
    response = client.post(
        "/api/people",
        data='{"names": [{"surname": ""}], "birth_date": "x"}',
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["message"] == "Certains champs ne sont pas valides."
    assert "birth_date" in body["fields"]


@pytest.mark.django_db
def test_open_redirect_refused_on_language_switch(client):
    response = client.post("/language/", {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_unparsable_api_body_is_answered_in_the_users_language(french_admin):
    client = french_admin
    response = client.post("/api/people", data="{", content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == "Le corps de la requête n'est pas un JSON valide."
    assert error["code"] == "bad_request"
