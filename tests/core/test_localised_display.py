"""Dates in the reader's language on list pages, histories told as sentences, the audit log's
record types translated (issue #16.1)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from vetbridge.core.services import input_from
from vetbridge.memorial.services import RecordChanges
from vetbridge.reparation.kinds import ClaimFiling

ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _text(html: str) -> str:
    """The page text a person reads: no scripts, no tags (so no attributes or input values)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


def _client(user, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "shown"), [("uk", "02.12.1986"), ("fr", "02/12/1986")])
def test_registry_list_shows_dates_in_the_readers_format(world, make_person, language, shown):
    make_person("Датенко", "Петро", birth_date=dt.date(1986, 12, 2))
    client = _client(world["users"]["admin"], language)
    html = client.get("/people/", {"q": "Датенко"}).content.decode()
    text = _text(html)
    assert "Датенко" in text
    assert shown in text
    assert not ISO.search(text), ISO.findall(text)
    assert 'datetime="1986-12-02"' not in html or "<time" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "pattern"), [("uk", r"\d{2}\.\d{2}\.\d{4}"), ("fr", r"\d{2}/\d{2}/\d{4}")]
)
def test_claim_list_dates_are_localised_and_machine_readable(world, language, pattern):
    from vetbridge.reparation import services as claims

    admin = world["users"]["admin"]
    claims.claim_file(actor=admin, person_id=world["lviv"].pk, filing=ClaimFiling("fr_pension"))
    html = _client(admin, language).get("/claims/").content.decode()
    text = _text(html)
    assert re.search(pattern, text)
    assert not ISO.search(text), ISO.findall(text)
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}">', html)


@pytest.fixture
def histories(world):
    from vetbridge.care import services as care
    from vetbridge.reparation import services as claims

    admin, worker = world["users"]["admin"], world["users"]["case_worker"]
    worker.first_name, worker.last_name = "Оксана", "Мельник"
    worker.save(update_fields=["first_name", "last_name"])
    lviv = world["lviv"]
    care.contact_set(actor=worker, person_id=lviv.pk)
    claim = claims.claim_file(actor=admin, person_id=lviv.pk, filing=ClaimFiling("fr_pension"))
    claim.refresh_from_db()
    claims.claim_transition(
        actor=admin, claim_id=claim.pk, name="start_assessment", expected_version=claim.version
    )
    return {"claim": claim}


RAW = (
    "contact_person",
    "start_assessment",
    "reparation.claim",
    "people.person",
    "{'",
    "fr_pension",
    "submitted →",
    "→ 2",
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "moved", "in_assessment"),
    [
        ("uk", "Заява", "«медичне оцінювання»"),
        ("fr", "Demande", "« expertise médicale »"),
    ],
)
def test_person_history_is_told_in_sentences(world, histories, language, moved, in_assessment):
    from django.utils import translation

    from vetbridge.accounts.roles import Role

    client = _client(world["users"]["admin"], language)
    text = _text(client.get(f"/people/{world['lviv'].pk}/history/").content.decode())
    with translation.override(language):
        worker = f"{Role.CASE_WORKER.label} Оксана Мельник"
        became = {"uk": "стає контактною особою", "fr": "devient la personne de contact"}
    assert f"{worker} {became[language]}" in text
    assert f"{moved} {histories['claim'].reference}" in text
    assert in_assessment in text
    for raw in RAW:
        assert raw not in text, raw
    assert not ISO.search(text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "claim_label", "person_label"),
    [("uk", "заява", "особа"), ("fr", "demande", "personne")],
)
def test_audit_log_shows_record_types_in_the_readers_language(
    world, histories, language, claim_label, person_label
):
    client = _client(world["users"]["admin"], language)
    text = _text(client.get("/audit/").content.decode())
    assert f"{claim_label} {histories['claim'].pk}" in text
    assert "reparation.claim" not in text and "people.person" not in text
    assert "start_assessment" not in text
    assert {"uk": "система", "fr": "le système"}[language] in text  # the channel, translated
    assert not ISO.search(text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "published", "burial", "basis"),
    [
        ("uk", "опубліковано: ні → так", "місце поховання: — → Львів", "згода родини"),
        ("fr", "publié : non → oui", "lieu d'inhumation : — → Львів", "consentement de la famille"),
    ],
)
def test_memorial_editor_history_is_read_not_a_python_dict(
    world, language, published, burial, basis
):
    from vetbridge.memorial import services

    editor = world["users"]["memorial_editor"]
    rec = services.record_create_for(actor=editor, person_id=world["kyiv"].pk)
    rec = services.record_update(
        actor=editor,
        record_id=rec.pk,
        expected_version=rec.version,
        source="Лист родини",
        data=input_from(RecordChanges, {"burial_place": "Львів"}),
    )
    services.record_publish(actor=editor, record_id=rec.pk, basis="consent", note="Згода дружини")
    html = _client(editor, language).get(f"/memorial/desk/{rec.pk}/").content.decode()
    text = re.sub(r"\s+", " ", _text(html)).replace("&#x27;", "'")
    assert published in text
    assert burial in text
    assert basis in text
    assert "{'" not in text and "[False" not in text and "burial_place" not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "service", "region"),
    [("uk", "працевлаштування", "Львівська область"), ("fr", "emploi", "Oblast de Lviv")],
)
def test_partner_services_and_regions_are_named_not_coded(world, language, service, region):
    html = _client(world["users"]["case_worker"], language).get("/referrals/partners/")
    text = _text(html.content.decode())
    assert service in text and region in text
    assert "employment" not in text and "UA-46" not in text


@pytest.mark.parametrize(("language", "shown"), [("uk", "до 02.12.2026"), ("fr", "до 02/12/2026")])
def test_explanation_steps_show_dates_in_the_readers_format(language, shown):
    from django.template import Context, Template
    from django.utils import translation

    with translation.override(language):
        out = Template("{% load vb_describe %}{{ t|local_dates }}").render(
            Context({"t": "до 2026-12-02 (https://a.fr/x/2026-12-02)"})
        )
    assert out == f"{shown} (https://a.fr/x/2026-12-02)"


@pytest.mark.parametrize("language", ["uk", "fr"])
def test_every_record_type_is_named_in_the_readers_language(language):
    """Histories and the audit log name a record by its model's verbose name: each model of
    the project has one, marked for translation and translated (no "functional assessment"
    in a Ukrainian history)."""
    from django.apps import apps
    from django.utils import translation
    from django.utils.functional import Promise
    from django.utils.translation import trans_real

    catalogue = trans_real.translation(language)._catalog
    untranslated = []
    for model in apps.get_models():
        if not model.__module__.startswith("vetbridge."):
            continue
        names = (model._meta.verbose_name, model._meta.verbose_name_plural)
        with translation.override("en"):
            msgids = [str(n) for n in names]
        if not all(isinstance(n, Promise) for n in names) or not all(
            catalogue.get(m) for m in msgids
        ):
            untranslated.append(model._meta.label_lower)
    assert not untranslated
    with translation.override(language):
        from vetbridge.accounts.describe import record_label

        assert (
            record_label("care.functionalassessment")
            == {"uk": "оцінювання функціонування", "fr": "évaluation fonctionnelle"}[language]
        )


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "born"), [("uk", "09.03.1991"), ("fr", "09/03/1991")])
def test_a_change_of_several_fields_is_told_without_their_codes(world, language, born):
    """An edit of two fields is stored with the fields' codes as summary
    ("birth_date, birth_place"): the history shows the fields by their labels, not the codes."""
    from vetbridge.people.services import PersonChanges, person_update

    worker, lviv = world["users"]["case_worker"], world["lviv"]
    person_update(
        actor=worker,
        person_id=lviv.pk,
        expected_version=lviv.version,
        data=PersonChanges(birth_date=dt.date(1991, 3, 9), birth_place="Львів"),
    )
    html = _client(worker, language).get(f"/people/{lviv.pk}/history/").content.decode()
    text = re.sub(r"\s+", " ", _text(html))
    assert "birth_date" not in text and "birth_place" not in text
    assert f"— → {born}" in text and "— → Львів" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "shown"), [("uk", "1 грудня 2026 р."), ("fr", "1er décembre 2026")]
)
def test_days_written_out_on_pages_as_in_the_letters(world, language, shown):
    """A day written out on a page follows the language's typography, as the letters do:
    no "01 грудня", and the French first of the month is "1er"."""
    from vetbridge.care import services as care

    worker, lviv = world["users"]["case_worker"], world["lviv"]
    care.whodas_add(
        actor=worker,
        person_id=lviv.pk,
        assessed_on=dt.date(2026, 12, 1),
        answers={f"S{i}": 1 for i in range(1, 13)},
    )
    html = _client(worker, language).get(f"/care/{lviv.pk}/").content.decode()
    text = " ".join(_text(html).replace("\u202f", " ").replace("\u00a0", " ").split())
    assert f"{shown} 24 12" in text  # the WHODAS table: date, WHO sum, 0–48 recoding
