"""Free text stored with the language its author wrote it in (core/written.py), shown with its
`lang` and, when it is not the reader's language, a mark "(written in …)"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from vetbridge.care import services as care
from vetbridge.care.models import Note
from vetbridge.care.services import EpisodeInput, NoteInput
from vetbridge.cooperation import services as coop
from vetbridge.core.services import input_from
from vetbridge.core.written import author_language

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(make_user):
    return {
        "fr": make_user("cooperation_officer", "coop.fr", language="fr", side="fr"),
        "ua": make_user("cooperation_officer", "coop.ua", language="uk", side="ua"),
    }


def _as(user, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _render(text: str, language: str, reader: str) -> str:
    with translation.override(reader):
        return Template("{% load vb_written %}{% written_text t l lines=True %}").render(
            Context({"t": text, "l": language})
        )


def test_the_author_language_is_the_actors_else_the_request_language(world):
    cw = world["users"]["case_worker"]
    cw.language = "fr"
    assert author_language(cw) == "fr"
    cw.language = ""
    with translation.override("en"):
        assert author_language(cw) == "en"
    with translation.override("de"):
        assert author_language(cw) == ""  # not a language of the site: unknown
    assert author_language(None) == ""  # a system job: unknown


def test_services_store_the_authors_language_never_the_readers(world):
    cw, lviv = world["users"]["case_worker"], world["lviv"]
    cw.language = "fr"
    with translation.override("uk"):  # the interface language does not override the profile
        note = care.note_add(
            actor=cw, person_id=lviv.pk, data=input_from(NoteInput, {"text": "Appel fait"})
        )
        episode = care.episode_add(
            actor=cw,
            person_id=lviv.pk,
            data=input_from(
                EpisodeInput,
                {"kind": "rehabilitation", "provider": "Unbroken", "started_on": "2024-04-01"},
            ),
        )
    assert Note.objects.get(pk=note.pk).text_language == "fr"
    assert episode.summary_language == ""  # no summary written: no language


def test_an_update_restamps_only_the_text_that_changed(officers):
    meeting = coop.meeting_create(
        actor=officers["ua"],
        data=coop.MeetingInput(
            kind="steering", title={"uk": "Засідання"}, held_on=dt.date(2026, 10, 7), agenda="План"
        ),
    )
    assert (meeting.agenda_language, meeting.minutes_language) == ("uk", "")
    coop.meeting_update(
        actor=officers["fr"],
        meeting_id=meeting.pk,
        expected_version=meeting.version,
        agenda="План",
        participants="",
        minutes="Compte rendu",
    )
    meeting.refresh_from_db()
    assert (meeting.agenda_language, meeting.minutes_language) == ("uk", "fr")


def test_the_tag_marks_a_text_in_another_language_with_its_lang():
    html = _render("Перший рядок\nдругий", "uk", "fr")
    assert '<span lang="uk">Перший рядок<br>другий</span>' in html
    assert "(écrit en ukrainien)" in html
    assert "(написано французькою)" in _render("Bonjour", "fr", "uk")
    assert "(written in French)" in _render("Bonjour", "fr", "en")


def test_the_tag_in_the_readers_language_has_lang_and_no_mark():
    html = _render("Bonjour", "fr", "fr")
    assert html == '<span lang="fr">Bonjour</span>'


def test_an_old_row_without_language_shows_the_text_alone_escaped():
    assert _render("<b>x</b>", "", "fr") == "&lt;b&gt;x&lt;/b&gt;"
    assert _render("", "uk", "fr") == ""


def test_the_care_file_marks_a_note_written_in_another_language(world):
    cw, lviv = world["users"]["case_worker"], world["lviv"]
    cw.language = "uk"
    care.note_add(
        actor=cw, person_id=lviv.pk, data=input_from(NoteInput, {"text": "Дзвінок ветерану"})
    )
    url = reverse("care:file", args=[lviv.pk])
    page = _as(cw, "fr").get(url).content.decode()
    assert '<span lang="uk">Дзвінок ветерану</span>' in page
    assert "(écrit en ukrainien)" in page
    page = _as(cw, "uk").get(url).content.decode()
    assert '<span lang="uk">Дзвінок ветерану</span>' in page
    assert "(написано українською)" not in page


def test_the_meeting_page_marks_minutes_written_in_another_language(officers):
    meeting = coop.meeting_create(
        actor=officers["fr"],
        data=coop.MeetingInput(
            kind="steering",
            title={"fr": "Comité"},
            held_on=dt.date(2026, 10, 7),
            minutes="Décision prise",
        ),
    )
    url = reverse("cooperation:meeting", args=[meeting.pk])
    page = Client()
    page.force_login(officers["ua"])
    html = page.get(url).content.decode()
    assert '<span lang="fr">Décision prise</span>' in html
    assert "(написано французькою)" in html
    page.force_login(officers["fr"])
    assert "(écrit en français)" not in page.get(url).content.decode()
