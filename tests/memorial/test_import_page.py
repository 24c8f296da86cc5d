"""The memorial import page: its template imports as it is, the accepted values are listed,
the report counts rows and errors apart and links the records created."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vetbridge.memorial.models import MemorialRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(world):
    client = Client()
    client.force_login(world["users"]["memorial_editor"])
    return client


def _upload(client, content: bytes, keep_valid: bool = False):
    data = {"file": SimpleUploadedFile("list.csv", content, content_type="text/csv")}
    if keep_valid:
        data["keep_valid"] = "on"
    return client.post("/memorial/desk/import/", data, follow=True)


def test_template_imports_and_the_report_links_the_records(editor):
    template = editor.get("/memorial/desk/import/template.csv")
    assert template.status_code == 200 and template["Content-Type"].startswith("text/csv")
    assert (
        template.content.decode("utf-8-sig")
        .splitlines()[0]
        .startswith("external_id,surname,given_name,death_date")
    )
    response = _upload(editor, template.content)
    assert response.status_code == 200
    rec = MemorialRecord.objects.get(person__external_id="BOOK-2025-0042")
    assert rec.unit == "93 ОМБр" and rec.birth_region.code == "UA-46" and not rec.published
    assert f'href="/memorial/desk/{rec.pk}/"' in response.content.decode()


def test_page_lists_columns_and_region_codes(editor):
    html = editor.get("/memorial/desk/import/").content.decode()
    for column in ("external_id", "death_date", "birth_region", "surname_fr", "sources"):
        assert f'id="col-{column}"' in html
    assert "<code>UA-46</code>" in html and "ДД.ММ.РРРР" in html
    assert "/memorial/desk/import/template.csv" in html


def test_report_counts_a_row_with_several_errors_once(editor):
    header = "external_id,surname,given_name,death_date,birth_region,birth_year\n"
    rows = (
        "M-1,Коваль,Андрій,2023-05-02,UA-46,1990\n"
        "M-2,,Іван,2999-01-01,XX-99,1890\n"
    )  # four errors, one row
    response = _upload(editor, (header + rows).encode(), keep_valid=True)
    report = response.context["report"]
    assert (report.total_rows, report.imported, report.rejected_rows) == (2, 1, 1)
    assert report.error_count == 4
    rec = MemorialRecord.objects.get()
    assert f'href="/memorial/desk/{rec.pk}/"' in response.content.decode()
