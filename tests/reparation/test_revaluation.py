"""Revaluation of the French pensions in payment (issue 13, point 5)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from vetbridge.accounts.models import AuditLog
from vetbridge.reparation.models import ClaimEvent, Notification, Revaluation
from vetbridge.reparation.revaluation import revalue
from vetbridge.rules.fr.pmi import compute_pmi_json
from vetbridge.rules.parameters import Parameters

FILED = dt.date(2024, 3, 1)  # point value 15.90
NEW = dt.date(2025, 1, 1)  # point value 16.07 (arrêté, params/fr)


@pytest.fixture
def pension(flow):
    from vetbridge.reparation.models import Claim

    claim = flow.file()
    Claim.objects.filter(pk=claim.pk).update(filed_at=FILED)
    flow.assess(claim)
    decision = flow.decide(claim)
    # Decided in spring 2024 (the point values of the law's files are known up to 2026).
    type(decision).objects.filter(pk=decision.pk).update(computed_on=dt.date(2024, 4, 2))
    claim.refresh_from_db()
    return claim


def test_amount_equals_the_scalar_calculator_at_the_new_point_value(pension):
    decision = pension.decisions.get()
    assert Decimal(str(decision.result["point_value_eur"])) == Decimal("15.90")
    report = revalue(on=NEW)
    assert (report.in_payment, report.revalued, report.changed) == (1, 1, 1)
    row = Revaluation.objects.get()
    scalar = compute_pmi_json({**decision.inputs, "date": NEW.isoformat()},
                              Parameters.load("fr"))
    assert row.new_amount == Decimal(str(scalar["annual_amount_eur"]))
    assert row.new_amount == (Decimal(str(decision.result["points"])) * Decimal("16.07")
                              ).quantize(Decimal("0.01"))
    assert row.old_amount == decision.amount and row.new_amount > row.old_amount
    assert row.point_value == Decimal("16.07")
    assert row.params_digest == Parameters.load("fr").digest and row.rules_version
    decision.refresh_from_db()
    assert decision.amount == row.old_amount  # the decision stays frozen


def test_idempotent_and_one_audit_entry_per_run(pension):
    audits = AuditLog.objects.filter(object_type="reparation.revaluation")
    revalue(on=NEW)
    events, notes = ClaimEvent.objects.count(), Notification.objects.count()
    assert audits.count() == 1
    entry = audits.get()
    assert entry.changes["revalued"] == 1 and entry.changes["digest"]
    again = revalue(on=NEW)
    assert (again.revalued, again.already) == (0, 1)
    assert Revaluation.objects.count() == 1
    assert (ClaimEvent.objects.count(), Notification.objects.count()) == (events, notes)
    assert audits.count() == 1


def test_dry_run_writes_nothing(pension):
    report = revalue(on=NEW, dry_run=True)
    assert report.revalued == 1 and report.rows[0]["new"] != report.rows[0]["old"]
    assert not Revaluation.objects.exists()
    assert not AuditLog.objects.filter(object_type="reparation.revaluation").exists()


def test_notices_queued_to_the_beneficiary(pension, world, mailoutbox, django_capture_on_commit_callbacks):
    veteran = world["users"]["veteran"]
    before = Notification.objects.filter(user=veteran).count()
    with django_capture_on_commit_callbacks(execute=True):
        report = revalue(on=NEW)
    assert report.notified >= 1
    note = Notification.objects.filter(user=veteran).latest("created_at")
    assert Notification.objects.filter(user=veteran).count() == before + 1
    assert note.claim_id == pension.pk and "revaluation 2025-01-01" in note.event.note
    if veteran.email and veteran.email_notifications:
        assert any(veteran.email in m.to for m in mailoutbox)


def test_a_later_revaluation_starts_from_the_last_amount(pension):
    revalue(on=dt.date(2024, 6, 1))  # same point value: stored, unchanged
    first = Revaluation.objects.get()
    assert first.new_amount == first.old_amount
    revalue(on=NEW)
    second = Revaluation.objects.get(effective_on=NEW)
    assert second.old_amount == first.new_amount


def test_bad_date_is_refused_naming_date(pension):
    from vetbridge.core.exceptions import ApplicationError

    for bad in ("2025-13-01", "tomorrow", "2099-01-01"):
        with pytest.raises(ApplicationError) as info:
            revalue(on=bad)
        assert "date" in info.value.fields
    assert not Revaluation.objects.exists()


def test_cli_revalue(pension, capsys):
    from vetbridge.cli import main

    assert main(["claims", "revalue", "--date", "2025-02-30", "--json"]) == 2
    err = json.loads(capsys.readouterr().err)
    assert err["error"]["field"] == "date"
    assert main(["claims", "revalue", "--date", NEW.isoformat(), "--dry-run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dry_run"] and out["revalued"] == 1 and not Revaluation.objects.exists()
    assert main(["claims", "revalue", "--date", NEW.isoformat()]) == 0
    assert "1 revalued" in capsys.readouterr().out
    assert Revaluation.objects.count() == 1


def _client(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_officer_page_runs_the_revaluation_as_a_task_with_progress(pension, world):
    from vetbridge.core.models import JobProgress

    officer = _client(world["users"]["pension_officer"])
    page = officer.get("/claims/revaluation/")
    assert page.status_code == 200 and b'for="id_date"' in page.content
    bad = officer.post("/claims/revaluation/", {"date": "2025-02-30"})
    assert bad.status_code == 400 and b'id="date-error"' in bad.content
    assert not JobProgress.objects.exists() and not Revaluation.objects.exists()
    # The test settings run tasks at once (immediate backend).
    done = officer.post("/claims/revaluation/", {"date": NEW.isoformat()})
    job = JobProgress.objects.get(kind="reparation.revaluation")
    assert done.status_code == 302 and done["Location"].endswith(f"/revaluation/{job.pk}/")
    assert job.status == "done" and job.percent == 100
    assert Revaluation.objects.filter(claim=pension, effective_on=NEW).count() == 1
    progress = officer.get(f"/claims/revaluation/{job.pk}/progress/")
    assert progress.status_code == 200 and progress["HX-Refresh"] == "true"
    result = officer.get(f"/claims/revaluation/{job.pk}/")
    assert result.status_code == 200 and b"16" in result.content
    # Veterans and case workers may not start it.
    assert _client(world["users"]["case_worker"]).post(
        "/claims/revaluation/", {"date": NEW.isoformat()}).status_code == 403


def test_claim_page_shows_the_amount_after_revaluation(pension, world):
    revalue(on=NEW)
    row = Revaluation.objects.get()
    page = _client(world["users"]["veteran"]).get(f"/claims/{pension.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="current-amount"' in html
    whole = f"{int(row.new_amount):,}".replace(",", "\u00a0")
    assert whole in html or str(int(row.new_amount)) in html.replace("\u00a0", "").replace(
        " ", "")
