"""CSV and XLSX exports: what the page shows, within the reader's scope, audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from vetbridge.accounts.models import AuditLog

pytestmark = pytest.mark.django_db


def _client(user, lang="en") -> Client:
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _csv(response, delimiter=","):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=delimiter))


def test_registry_export_is_scoped_and_audited(world, make_person):
    make_person("Мельник", "Оксана", external_id="P-LVIV-2")
    worker = world["users"]["case_worker"]
    response = _client(worker, "uk").get("/people/export/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    rows = _csv(response, delimiter=";")  # Ukrainian: decimals with a comma
    ids = {r[1] for r in rows[1:]}
    assert ids == {"P-LVIV", "P-LVIV-2"}  # not the Kyiv person outside their region
    entry = AuditLog.objects.get(action="export", object_type="people.list")
    assert entry.actor == worker and entry.changes["rows"] == 2
    assert entry.changes["format"] == "csv"


def test_search_results_export_in_xlsx_reads_back(world):
    admin = world["users"]["admin"]
    response = _client(admin).get("/people/export/", {"q": "Шевченко", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("No.", "External identifier", "Name")
    assert rows[0][-2:] == ("Score", "Why")
    assert [r[1] for r in rows[1:]] == ["P-KYIV"]


def test_a_formula_typed_as_a_name_is_exported_as_text(world, make_person):
    make_person('=HYPERLINK("http://x")', "Ігор", external_id="P-EVIL")
    response = _client(world["users"]["admin"]).get("/people/export/", {"format": "csv"})
    names = [r[2] for r in _csv(response)[1:]]
    assert any(n.startswith("'=HYPERLINK") for n in names)


def test_statistics_export_hides_small_cells(world):
    response = _client(world["users"]["analyst"], "fr").get(
        "/people/stats/export/", {"format": "xlsx"}
    )
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    counts = [r[3] for r in rows[1:] if r[0] != "Total"]
    assert counts and all(c == "moins de 5" for c in counts)  # two people only: all hidden


def test_claims_queue_caseload_and_audit_exports(world):
    worker = _client(world["users"]["case_worker"])
    assert worker.get("/claims/export/", {"format": "csv"}).status_code == 200
    assert worker.get("/care/caseload/export/", {"format": "xlsx"}).status_code == 200
    assert worker.get("/audit/export/").status_code == 403
    admin = _client(world["users"]["admin"])
    response = admin.get("/audit/export/", {"format": "xlsx", "action": "export"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {r[3] for r in rows[1:]} == {"claims.queue", "care.caseload"}


def test_unknown_format_is_refused_with_a_message(world):
    response = _client(world["users"]["admin"], "fr").get("/people/export/", {"format": "pdf"})
    assert response.status_code == 400
    assert "CSV" in response.content.decode()


def test_claim_queue_export_follows_the_pages_order_and_columns(world):
    """Sorted on the page (`?sort=filed&dir=desc`), the export lists the same claims in the
    same order, under the page's column titles."""
    import datetime as dt
    import re

    from vetbridge.reparation import services
    from vetbridge.reparation.kinds import ClaimFiling
    from vetbridge.reparation.models import Claim

    admin = world["users"]["admin"]
    claims = [
        services.claim_file(
            actor=admin, person_id=world["lviv"].pk, filing=ClaimFiling("fr_pension")
        )
        for _ in range(3)
    ]
    for claim, day in zip(claims, (5, 20, 11), strict=True):
        at = dt.datetime(2026, 10, day, 9, 0, tzinfo=dt.UTC)
        Claim.objects.filter(pk=claim.pk).update(filed_at=at, state_since=at)
    client = _client(world["users"]["case_worker"], "fr")
    query = {"sort": "filed", "dir": "desc"}
    page = client.get("/claims/", query).content.decode()
    on_page = re.findall(r">(VB-\d{4}-\d+)</a>", page)
    book = load_workbook(
        io.BytesIO(client.get("/claims/export/", {**query, "format": "xlsx"}).content)
    )
    rows = list(book.active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == on_page == [claims[i].reference for i in (1, 2, 0)]
    assert list(rows[0][:8]) == [
        "Référence",
        "Demandeur",
        "Type de demande",
        "État",
        "Jours dans cet état",
        "Déposée le",
        "Échéance",
        "Attribuée à",
    ]
    assert [r[5].date() for r in rows[1:]] == [dt.date(2026, 10, d) for d in (20, 11, 5)]
    entry = AuditLog.objects.get(action="export", object_type="claims.queue")
    assert entry.changes["filters"] == {"sort": "filed", "dir": "desc"}
