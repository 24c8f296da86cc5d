"""Error pages in the reader's language, also with DEBUG on; the favicon."""

from __future__ import annotations

import html

import pytest
from django.test import Client, override_settings


@pytest.mark.django_db
@override_settings(DEBUG=True)
@pytest.mark.parametrize(
    ("lang", "text"), [("fr", "Cette page n'existe pas."), ("uk", "Такої сторінки не існує.")]
)
def test_unknown_address_with_debug_on_gets_the_sites_localised_page(lang, text):
    response = Client().get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 404
    page = html.unescape(response.content.decode())
    assert text in page
    assert "Using the URLconf" not in page  # not Django's technical page
    assert f'<html lang="{lang}"' in page


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_api_404_keeps_its_json_contract_with_debug_on():
    response = Client().get("/api/no-such-endpoint")
    assert response.status_code == 404
    assert (
        not response["Content-Type"].startswith("text/html")
        or "Using the URLconf" not in response.content.decode()
    )


@pytest.mark.django_db
def test_favicon_is_served():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
    assert 'rel="icon"' in Client().get("/login/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "term"), [("uk", "Прожитковий мінімум"), ("fr", "Besoin d'une tierce personne")]
)
def test_glossary_is_public_and_translated(lang, term):
    response = Client().get("/help/glossary/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert term in page and 'id="whodas"' in page
