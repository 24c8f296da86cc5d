"""The memorial desk: previewing a record's public page, applying a family's correction to
the record field by field (with its source, audited, under optimistic locking) or rejecting
it with a reason told to the submitter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from vetbridge.accounts.models import AuditLog
from vetbridge.core.services import input_from
from vetbridge.memorial import services
from vetbridge.memorial.models import MemorialChange, MemorialRecord, Tribute
from vetbridge.memorial.services import RecordChanges
from vetbridge.people.services import NameInput, PersonInput, person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(world):
    return world["users"]["memorial_editor"]


@pytest.fixture
def record(world, editor, regions):
    person = person_create(
        actor=None,
        data=input_from(
            PersonInput, {"lifecycle": "fallen", "lifecycle_date": dt.date(2024, 2, 17)}
        ),
        names=[input_from(NameInput, {"surname": "Мельник", "given_name": "Петро"})],
    )
    rec = services.record_create_for(actor=editor, person_id=person.pk)
    services.record_update(
        actor=editor,
        record_id=rec.pk,
        expected_version=rec.version,
        source="Книга пам'яті",
        data=input_from(RecordChanges, {"unit": "93 ОМБр", "death_place": "Авдіївка"}),
    )
    rec.refresh_from_db()
    return rec


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _publish(editor, rec):
    services.record_publish(actor=editor, record_id=rec.pk, basis="consent", note="Мати")
    rec.refresh_from_db()


def _send_correction(rec, **extra) -> Tribute:
    response = Client().post(
        f"/memorial/{rec.pk}/tribute/",
        {
            "kind": "correction",
            "author_name": "Оксана",
            "relation": "сестра",
            "text": "Він загинув під Бахмутом, похований у Львові.",
            "proposed_death_place": "Бахмут",
            "proposed_burial_place": "Львів",
            "proposed_death_date": "2024-02-15",
            **extra,
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Tribute.objects.latest("id")


def test_preview_of_a_draft_for_editors_only_never_indexed(world, editor, record):
    assert not record.published
    assert Client().get(f"/memorial/{record.pk}/").status_code == 404
    response = _client(editor).get(f"/memorial/desk/{record.pk}/preview/")
    page = response.content.decode()
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex' in page and 'rel="canonical"' not in page
    assert "Мельник" in page and "Авдіївка" in page and 'id="h-preview"' in page
    assert 'action="/memorial/' not in page  # no tribute form on a preview
    for role in ("case_worker", "analyst", "veteran"):
        assert (
            _client(world["users"][role]).get(f"/memorial/desk/{record.pk}/preview/").status_code
            == 403
        )
    assert Client().get(f"/memorial/desk/{record.pk}/preview/").status_code == 302


def test_correction_applied_field_by_field_with_its_source(world, editor, record):
    _publish(editor, record)
    item = _send_correction(record)
    assert item.kind == "correction" and item.language == "fr"
    assert item.proposal == {
        "death_date": "2024-02-15",
        "death_place": "Бахмут",
        "burial_place": "Львів",
    }
    client = _client(editor)
    desk = client.get("/memorial/desk/").content.decode()
    assert f"/memorial/desk/corrections/{item.pk}/" in desk
    page = client.get(f"/memorial/desk/corrections/{item.pk}/")
    assert page.status_code == 200 and "Бахмут" in page.content.decode()
    # The editor applies the place and the burial, not the date; the burial is mapped on the
    # burial place, the proposed place of death on the place of death.
    response = client.post(
        f"/memorial/desk/corrections/{item.pk}/",
        {
            "version": record.version,
            "target_death_place": "death_place",
            "target_burial_place": "burial_place",
            "target_death_date": "",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.death_place, record.burial_place) == ("Бахмут", "Львів")
    assert record.death_date == dt.date(2024, 2, 17)  # not applied
    change = MemorialChange.objects.filter(record=record).first()
    assert change is not None and change.changes["correction"] == item.pk
    assert change.changes["death_place"] == ["Авдіївка", "Бахмут"]
    assert "death_date" not in change.changes
    assert f"{item.pk}" in change.source and "Оксана" in change.source
    item.refresh_from_db()
    assert item.state == "applied" and item.moderated_by == editor
    assert AuditLog.objects.filter(
        object_type="memorial.tribute", object_id=str(item.pk), summary="applied"
    ).exists()
    # Applied: no longer on the desk's queue, and public page shows the new place.
    assert (
        f"/memorial/desk/corrections/{item.pk}/"
        not in client.get("/memorial/desk/").content.decode()
    )
    assert "Бахмут" in Client().get(f"/memorial/{record.pk}/", follow=True).content.decode()


def test_a_value_may_go_to_another_field_and_a_bad_one_is_refused_whole(editor, record):
    _publish(editor, record)
    item = _send_correction(record)
    client = _client(editor)
    # The proposed burial place is a text: as a date of death it is refused, naming the
    # field, and nothing is written (the other chosen value included).
    response = client.post(
        f"/memorial/desk/corrections/{item.pk}/",
        {
            "version": record.version,
            "target_death_place": "unit",
            "target_burial_place": "death_date",
        },
    )
    assert response.status_code == 400
    assert 'id="id_target_burial_place_error"' in response.content.decode()
    record.refresh_from_db()
    assert record.unit == "93 ОМБр" and Tribute.objects.get(pk=item.pk).state == "pending"
    # Two values for one field are refused too.
    response = client.post(
        f"/memorial/desk/corrections/{item.pk}/",
        {"version": record.version, "target_death_place": "unit", "target_burial_place": "unit"},
    )
    assert response.status_code == 400
    # Moved to another field: the proposed place of death goes to the burial place.
    response = client.post(
        f"/memorial/desk/corrections/{item.pk}/",
        {"version": record.version, "target_death_place": "burial_place"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.burial_place == "Бахмут" and record.death_place == "Авдіївка"


def test_stale_version_is_refused(editor, record):
    _publish(editor, record)
    item = _send_correction(record)
    stale = record.version
    services.record_update(
        actor=editor,
        record_id=record.pk,
        expected_version=stale,
        source="архів",
        data=input_from(RecordChanges, {"rank": "солдат"}),
    )
    response = _client(editor).post(
        f"/memorial/desk/corrections/{item.pk}/",
        {"version": stale, "target_death_place": "death_place"},
    )
    assert response.status_code == 400
    with translation.override("uk"):  # the editor's language
        expected = gettext(
            "This record was changed by someone else since you opened it. "
            "Reload it and apply your change again."
        )
    assert expected in response.content.decode()
    record.refresh_from_db()
    assert record.death_place == "Авдіївка" and record.rank == "солдат"
    assert Tribute.objects.get(pk=item.pk).state == "pending"


def test_rejection_reason_emailed_in_the_submitters_language(
    editor, record, mailoutbox, django_capture_on_commit_callbacks
):
    _publish(editor, record)
    item = _send_correction(record, contact="oksana@example.org")
    client = _client(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/memorial/desk/tributes/{item.pk}/",
            {"decision": "reject", "reason": "Джерело не підтверджує дату"},
            follow=True,
        )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.state == "rejected" and item.reason == "Джерело не підтверджує дату"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["oksana@example.org"] and "Джерело не підтверджує дату" in mail.body
    assert mail.extra_headers["Content-Language"] == "fr"
    assert "correction" in mail.subject.lower() and "Votre" in mail.subject
    # With a contact, the reason went to the submitter: not kept on the desk.
    assert "Джерело не підтверджує" not in client.get("/memorial/desk/").content.decode()


def test_rejection_without_contact_stays_on_the_desk(
    editor, record, mailoutbox, django_capture_on_commit_callbacks
):
    _publish(editor, record)
    item = _send_correction(record)
    client = _client(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/memorial/desk/tributes/{item.pk}/", {"decision": "reject", "reason": "Немає джерела"}
        )
    assert Tribute.objects.get(pk=item.pk).state == "rejected" and mailoutbox == []
    desk = client.get("/memorial/desk/").content.decode()
    assert 'id="h-rejected"' in desk and "Немає джерела" in desk


def test_public_correction_form_validates_proposed_values(record, editor):
    _publish(editor, record)
    response = Client().post(
        f"/memorial/{record.pk}/tribute/",
        {
            "kind": "correction",
            "author_name": "Оксана",
            "proposed_death_date": "15.15.2024",
            "proposed_birth_year": "12",
            "contact": "not an address",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    for name in ("proposed_death_date", "proposed_birth_year", "contact"):
        assert f'id="id_{name}_error"' in page
    assert not Tribute.objects.exists()
    # A proposal alone (no text) is a correction worth sending.
    assert (
        Client()
        .post(
            f"/memorial/{record.pk}/tribute/",
            {"kind": "correction", "author_name": "Оксана", "proposed_unit": "24 ОМБр"},
        )
        .status_code
        == 302
    )
    assert Tribute.objects.get().proposal == {"unit": "24 ОМБр"}


def test_proposals_only_kept_for_corrections(record, editor):
    _publish(editor, record)
    Client().post(
        f"/memorial/{record.pk}/tribute/",
        {
            "kind": "tribute",
            "author_name": "Оксана",
            "text": "Пам'ятаємо",
            "proposed_unit": "24 ОМБр",
        },
    )
    assert Tribute.objects.get().proposal == {}
    assert MemorialRecord.objects.get(pk=record.pk).unit == "93 ОМБр"
