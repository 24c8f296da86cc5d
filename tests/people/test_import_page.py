"""The people import page explains itself: a template to download (which imports as it is),
the accepted values of each column, a report that counts rows and errors apart, and links to
the people the import created."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vetbridge.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    client = Client()
    client.force_login(world["users"]["admin"])
    return client


def _upload(client, content: bytes, keep_valid: bool = False):
    data = {"file": SimpleUploadedFile("list.csv", content, content_type="text/csv")}
    if keep_valid:
        data["keep_valid"] = "on"
    return client.post("/people/import/", data, follow=True)


def test_template_downloads_and_imports_as_it_is(admin):
    response = admin.get("/people/import/template.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[0].split(",")[:7] == [
        "external_id",
        "surname",
        "given_name",
        "patronymic",
        "birth_date",
        "sex",
        "status",
    ]
    page = _upload(admin, response.content)
    assert page.status_code == 200
    person = Person.objects.get(external_id="MOD-2025-000123")
    assert person.statuses.get().kind == "ua_combatant" and person.region.code == "UA-46"
    html = page.content.decode()
    assert f'href="/people/{person.pk}/"' in html  # linked from the report


def test_page_lists_the_accepted_values_of_each_column(admin):
    html = admin.get("/people/import/").content.decode()
    for code in (
        "ua_combatant",
        "ua_war_disability",
        "ua_family_of_fallen",
        "fr_pensioner",
        "fr_ward_of_nation",
        "ua_war_disability:1",
        "UA-46",
        "FR-PAC",
    ):
        assert f"<code>{code}" in html, code
    assert "/people/import/template.csv" in html
    assert 'id="col-status"' in html and 'id="col-sex"' in html
    # Meanings, in the reader's language (the admin reads Ukrainian).
    assert "Учасник бойових дій (УБД)" in html
    assert "ДД.ММ.РРРР" in html


def test_report_counts_rows_and_errors_apart(admin):
    header = "external_id,surname,given_name,patronymic,birth_date,sex,status\n"
    good = "A1,Коваленко,Ігор,,1985-03-02,M,ua_combatant\nA2,Бойко,Олена,,1990-05-02,F,\n"
    # One row with three errors (no surname, bad date, unknown sex), one with one error.
    bad = "A3,,Петро,,1980-02-30,X,\nA4,Мороз,Іван,,1980-01-01,M,nonsense\n"
    response = _upload(admin, (header + good + bad).encode())
    html = response.content.decode()
    report = response.context["report"]
    assert (report.total_rows, report.imported, report.rejected_rows, report.error_count) == (
        4,
        0,
        2,
        4,
    )
    assert not Person.objects.filter(external_id__in=["A1", "A2", "A3", "A4"]).exists()
    counts = html[html.index('class="counts"') : html.index("</dl>", html.index('class="counts"'))]
    assert [int(n) for n in __import__("re").findall(r"<dd>(\d+)</dd>", counts)] == [4, 0, 2, 4]
    assert 'href="#col-sex"' in html
    response = _upload(admin, (header + good + bad).encode(), keep_valid=True)
    report = response.context["report"]
    assert (report.imported, report.rejected_rows, report.error_count) == (2, 2, 4)
    created = Person.objects.filter(external_id__in=["A1", "A2"])
    assert sorted(report.created_ids) == sorted(created.values_list("pk", flat=True))
    html = response.content.decode()
    for person in created:
        assert f'href="/people/{person.pk}/"' in html


def test_template_only_for_importers(world):
    for role in ("case_worker", "memorial_editor", "analyst"):
        client = Client()
        client.force_login(world["users"][role])
        assert client.get("/people/import/template.csv").status_code == 403
