"""Pages render for their users; reads of a file are audited; analysts see aggregates only."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from vetbridge.accounts.models import AuditLog
from vetbridge.core.services import input_from
from vetbridge.people.services import PersonChanges, StatusInput


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_reading_a_file_leaves_an_audit_row(world):
    officer = world["users"]["pension_officer"]
    _as(officer).get(f"/people/{world['lviv'].pk}/")
    row = AuditLog.objects.get(action="read", actor=officer)
    assert row.person_id == world["lviv"].pk and row.ip == "127.0.0.1"
    assert row.summary == ""  # the log is read in every language: no prose stored


@pytest.mark.django_db
def test_memorial_editor_sees_no_contact_details(world):
    html = _as(world["users"]["memorial_editor"]).get(f"/people/{world['kyiv'].pk}/").content
    assert "Телефон".encode() not in html
    assert not AuditLog.objects.filter(action="read").exists()


@pytest.mark.django_db
def test_list_page_query_count_does_not_grow_with_rows(
    world, make_person, django_assert_max_num_queries
):
    for i in range(30):
        make_person("Петренко", f"Ім'я{i}")
    client = _as(world["users"]["admin"])
    with django_assert_max_num_queries(12):
        assert client.get("/people/").status_code == 200


@pytest.mark.django_db
def test_stats_suppress_small_cells(world):
    data = _as(world["users"]["analyst"]).get("/api/stats").json()
    assert data["total"] is None  # 2 people: a total below the minimum cell is hidden too
    assert all(row["count"] is None for row in data["by_lifecycle"])
    assert {r["label"] for r in data["by_region"]} == {"Львівська область", "місто Київ"}


@pytest.mark.django_db
def test_create_person_form_shows_field_errors_and_saves_cyrillic(world):
    client = _as(world["users"]["case_worker"])
    bad = client.post(
        "/people/new/",
        {
            "surname": "",
            "sex": "M",
            "lifecycle": "alive",
            "preferred_language": "uk",
            "name_language": "uk",
            "birth_date": "2999-01-01",
        },
    )
    assert bad.status_code == 200
    assert "Це поле обов".encode() in bad.content
    assert "Дата не може бути в майбутньому.".encode() in bad.content  # same round
    ok = client.post(
        "/people/new/",
        {
            "surname": "Ярошенко",
            "given_name": "Богдан",
            "sex": "M",
            "lifecycle": "alive",
            "region": world["users"]["case_worker"].region_id,
            "preferred_language": "uk",
            "name_language": "uk",
        },
    )
    assert ok.status_code == 302
    assert "Ярошенко Богдан" in client.get(ok["Location"]).content.decode()


@pytest.mark.django_db
def test_edit_conflict_is_reported_not_lost(world):
    client = _as(world["users"]["admin"])
    lviv = world["lviv"]
    form = {
        "sex": "M",
        "lifecycle": "alive",
        "preferred_language": "uk",
        "region": lviv.region_id,
        "version": lviv.version,
        "birth_place": "Львів",
    }
    assert client.post(f"/people/{lviv.pk}/edit/", form).status_code == 302
    stale = client.post(f"/people/{lviv.pk}/edit/", form | {"birth_place": "Київ"})
    assert stale.status_code == 200 and "змінив хтось інший".encode() in stale.content


@pytest.mark.django_db
def test_audit_page_filters(world):
    _as(world["users"]["pension_officer"]).get(f"/people/{world['lviv'].pk}/")
    client = _as(world["users"]["admin"])
    page = client.get("/audit/", {"action": "read", "actor": "pension"})
    assert page.status_code == 200 and b"pension_officer" in page.content
    bad = client.get("/audit/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert bad.status_code == 200


@pytest.mark.django_db
def test_sub_form_errors_reach_the_user_with_and_without_htmx(world):
    """htmx does not swap 4xx answers, so its errors come back with 200; a plain POST gets
    the whole page with the form open on its errors. Nothing is written either way."""
    client = _as(world["users"]["case_worker"])
    url = f"/people/{world['lviv'].pk}/statuses/"
    bad = {
        "status-kind": "ua_war_disability",
        "status-valid_from": "2024-01-01",
        "status-document_type": "Рішення ЕК",
    }
    htmx = client.post(url, bad, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200
    assert "Для цього статусу потрібна група інвалідності.".encode() in htmx.content
    plain = client.post(url, bad)
    assert plain.status_code == 400
    html = plain.content.decode()
    # The refused form is shown on the file, bound, where the other forms are links.
    assert 'id="status-form"' in html and "потрібна група інвалідності" in html
    assert 'value="Рішення ЕК"' in html
    assert "<main" in html
    assert not world["lviv"].statuses.exists()


@pytest.mark.django_db
def test_the_file_opens_its_small_forms_on_demand_with_and_without_htmx(world):
    """The person file renders no form up front: each is a link, labelled like the form's
    title, to a page with the empty form (no JavaScript) or, with htmx, to the form alone
    in its place; the first field takes the focus. Out-of-scope people stay unreachable."""
    client = _as(world["users"]["case_worker"])
    person = world["lviv"]
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert 'id="name-form"' not in page and 'id="status-form"' not in page
    assert 'id="link-form"' not in page
    for url, title, form_id in (
        (f"/people/{person.pk}/names/", "Додати написання", "name-form"),
        (f"/people/{person.pk}/statuses/", "Додати статус", "status-form"),
        (f"/people/{person.pk}/links/", "Додати члена родини", "link-form"),
    ):
        assert f'href="{url}" hx-get="{url}"' in page
        alone = client.get(url, HTTP_HX_REQUEST="true")
        assert alone.status_code == 200
        fragment = alone.content.decode()
        assert "<main" not in fragment and f'id="{form_id}"' in fragment
        assert title in fragment and "autofocus" in fragment
        full = client.get(url)
        assert full.status_code == 200
        html = full.content.decode()
        assert "<main" in html and f'id="{form_id}"' in html and f"<h1>{title}</h1>" in html
    # A person outside the case worker's oblast: no form, whatever the way in.
    assert client.get(f"/people/{world['kyiv'].pk}/names/").status_code == 404
    assert _as(world["users"]["analyst"]).get(f"/people/{person.pk}/names/").status_code == 403


@pytest.mark.django_db
def test_history_hides_sensitive_values_from_roles_that_may_not_see_them(world):
    """The history must not show what the file page hides: contact values, statuses."""
    import datetime as dt

    from vetbridge.people import services

    admin, kyiv = world["users"]["admin"], world["kyiv"]
    services.person_update(
        actor=admin,
        person_id=kyiv.pk,
        expected_version=kyiv.version,
        data=input_from(PersonChanges, {"phone": "+380 50 111 2233", "birth_place": "Суми"}),
    )
    services.person_status_add(
        actor=admin,
        person_id=kyiv.pk,
        data=input_from(
            StatusInput,
            {"kind": "ua_war_disability", "disability_group": 1, "valid_from": dt.date(2023, 1, 1)},
        ),
    )
    editor = _as(world["users"]["memorial_editor"])
    for url in (f"/people/{kyiv.pk}/history/", f"/api/people/{kyiv.pk}/history"):
        response = editor.get(url)
        body = (
            json.dumps(response.json(), ensure_ascii=False)
            if url.startswith("/api/")
            else response.content.decode()
        )
        assert "Суми" in body  # ordinary changes stay visible
        assert "111 2233" not in body and "ua_war_disability" not in body
    assert not AuditLog.objects.filter(action="read").exists()

    officer = world["users"]["pension_officer"]
    body = json.dumps(_as(officer).get(f"/api/people/{kyiv.pk}/history").json(), ensure_ascii=False)
    assert "111 2233" in body and "ua_war_disability" in body
    assert AuditLog.objects.filter(action="read", actor=officer, person_id=kyiv.pk).count() == 1


@pytest.mark.django_db
def test_the_menu_cached_per_role_language_and_badge_stays_each_readers_own(world):
    """The menu is a cached fragment: readers of other roles, languages or unread counts
    get their own, and the log-out button (with the reader's name) is never shared."""
    worker, analyst = world["users"]["case_worker"], world["users"]["analyst"]
    first = _as(worker).get("/", HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    other = _as(analyst).get("/", HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert 'href="/people/new/"' in first and 'href="/people/new/"' not in other
    assert worker.username in first and analyst.username in other
    assert worker.username not in other


@pytest.mark.django_db
def test_a_merged_file_leads_to_its_survivor_and_an_unknown_one_is_not_found(world, make_person):
    """Opening a record merged away redirects to the record it lives on in (when within
    reach), with no read audited on the way; an unknown or out-of-scope id is a 404."""
    from vetbridge.accounts.models import AuditLog
    from vetbridge.people.duplicates import person_merge

    twin = make_person(external_id="P-TWIN")
    person_merge(actor=world["users"]["admin"], survivor_id=world["lviv"].pk, absorbed_id=twin.pk)
    client = _as(world["users"]["case_worker"])
    reads = AuditLog.objects.filter(action="read").count()
    gone = client.get(f"/people/{twin.pk}/")
    assert gone.status_code == 302 and gone["Location"] == f"/people/{world['lviv'].pk}/"
    assert AuditLog.objects.filter(action="read").count() == reads
    assert client.get("/people/999999/").status_code == 404
    assert client.get(f"/people/{world['kyiv'].pk}/").status_code == 404
