"""Revaluation of the French pensions in payment (issue 13, point 5)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from vetbridge.accounts.models import AuditLog
from vetbridge.reparation.models import ClaimEvent, Notification, Revaluation
from vetbridge.reparation.plain import is_plain
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
    scalar = compute_pmi_json({**decision.inputs, "date": NEW.isoformat()}, Parameters.load("fr"))
    assert row.new_amount == Decimal(str(scalar["annual_amount_eur"]))
    assert row.new_amount == (Decimal(str(decision.result["points"])) * Decimal("16.07")).quantize(
        Decimal("0.01")
    )
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


def test_notices_queued_to_the_beneficiary(
    pension, world, mailoutbox, django_capture_on_commit_callbacks
):
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
    assert (
        _client(world["users"]["case_worker"])
        .post("/claims/revaluation/", {"date": NEW.isoformat()})
        .status_code
        == 403
    )


def test_claim_page_shows_the_amount_after_revaluation(pension, world):
    revalue(on=NEW)
    row = Revaluation.objects.get()
    page = _client(world["users"]["veteran"]).get(f"/claims/{pension.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="current-amount"' in html
    whole = f"{int(row.new_amount):,}".replace(",", "\u00a0")
    assert whole in html or str(int(row.new_amount)) in html.replace("\u00a0", "").replace(" ", "")


# ------------------------------------------------ the bulk path equals the row path

MIXED_CASES = [
    # plain: the batch's columns only, rates as numbers and as strings
    {
        "date": "2024-03-01",
        "infirmities": [
            {"label": "a", "rate": 40, "cause": "injury", "context": "war", "addition": "chain"}
        ],
    },
    {
        "date": "2024-03-01",
        "infirmities": [{"rate": "12.5"}, {"rate": "35", "cause": "disease", "context": "opex"}],
    },
    {
        "date": "2024-03-01",
        "infirmities": [
            {"rate": 100, "third_person": True},
            {"rate": 60, "amputation_without_prosthesis": True},
            {"rate": 20, "arithmetic_addition": "5"},
        ],
        "third_person": True,
    },
    {
        "date": "2024-03-01",
        "grade": "soldier",
        "left_service": False,
        "infirmities": [
            {"rate": 30, "context": "captivity"},
            {"rate": 15, "context": "peace"},
            {"rate": 10},
            {"rate": 25, "cause": "disease"},
        ],
    },
    {
        "date": "2024-03-01",
        "grade": "soldier",
        "left_service": True,
        "infirmities": [{"rate": 50, "context": "war"}],
    },
    # not plain: children, a case-level third person without a row flag, an extra key,
    # a rate as a string with an exponent or a space (Python's float reads them)
    {
        "date": "2024-03-01",
        "children": 2,
        "children_birth_dates": ["2010-05-01", "2014-09-12"],
        "infirmities": [{"rate": 85, "context": "war"}],
    },
    {"date": "2024-03-01", "third_person": True, "infirmities": [{"rate": 100}]},
    {"date": "2024-03-01", "grand_mutile": False, "infirmities": [{"rate": 45}]},
    {"date": "2024-03-01", "infirmities": [{"rate": "7e1"}]},
    {"date": "2024-03-01", "infirmities": [{"rate": " 70", "cause": "disease"}]},
]


def _snapshot(on):
    revals = sorted(
        Revaluation.objects.filter(effective_on=on).values_list(
            "decision_id",
            "claim_id",
            "old_amount",
            "new_amount",
            "points",
            "point_value",
            "params_digest",
            "rules_version",
        )
    )
    notes = sorted(
        ClaimEvent.objects.filter(note__startswith=f"revaluation {on}").values_list(
            "claim_id", "from_state", "to_state", "note"
        )
    )
    notified = sorted(
        Notification.objects.filter(event__note__startswith=f"revaluation {on}").values_list(
            "user_id", "claim_id"
        )
    )
    return revals, notes, notified


def test_bulk_path_equals_the_row_path_on_a_mixed_sample(world):
    """PostgreSQL's bulk path (SQL unpacking, batch kernel, INSERT … SELECT) and the row
    path give the same revaluations, history lines, notifications and report; every amount
    equals the scalar calculator's (on SQLite, the row path alone against the calculator)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from vetbridge.people.models import Person
    from vetbridge.reparation.models import Claim, Decision, RulesSnapshot

    params = Parameters.load("fr")
    snap, _c = RulesSnapshot.objects.get_or_create(
        digest=params.digest, defaults={"country": "fr", "files": params.files}
    )
    worker = world["users"]["case_worker"]
    veteran = world["users"]["veteran"]
    now = timezone.now()
    decisions = []
    for i, case in enumerate(MIXED_CASES * 3):
        person = (
            veteran.person
            if i == 0
            else Person.objects.create(contact_person=worker if i % 4 == 0 else None)
        )
        claim = Claim.objects.create(
            person=person,
            kind="fr_pension",
            state="granted",
            filed_at=FILED,
            filed_by=worker if i % 2 else None,
        )
        decisions.append(
            Decision.objects.create(
                claim=claim,
                outcome="grant_temporary",
                computed_on=dt.date(2024, 4, 2),
                inputs=case,
                # The first third without the stored flag (checked in SQL at run time).
                batch_plain=None if i < len(MIXED_CASES) else is_plain(case),
                result={},
                rules_version="test",
                snapshot=snap,
                valid_until=dt.date(2027, 4, 1),
                decided_at=now,
                amount=None if i == 3 else Decimal("1000.00"),
            )
        )
    # Revaluations stored earlier for half of them: the next starts from their amounts.
    revalue(on=dt.date(2024, 6, 1), bulk=False)
    Revaluation.objects.filter(decision__in=decisions[::2]).delete()
    runs = {}
    paths = (False, True) if connection.vendor == "postgresql" else (False,)
    for bulk in paths:
        with transaction.atomic():
            report = revalue(on=NEW, bulk=bulk, sample=100)
            runs[bulk] = (report.as_dict(), _snapshot(NEW))
            transaction.set_rollback(True)
    (row_report, row_rows), (bulk_report, bulk_rows) = runs[False], runs[paths[-1]]
    assert bulk_rows == row_rows
    assert len(bulk_rows[0]) == len(MIXED_CASES) * 3 and len(bulk_rows[2]) > 0
    for key in (
        "in_payment",
        "already_revalued",
        "revalued",
        "changed",
        "scalar",
        "notified",
        "total_before",
        "total_after",
        "point_value",
        "digest",
    ):
        assert bulk_report[key] == row_report[key], key
    assert bulk_report["scalar"] == 3 * 3  # children, third person alone, grand mutilé
    assert sorted(bulk_report["sample"], key=str) == sorted(row_report["sample"], key=str)
    by_decision = {d: new for d, _c, _o, new, *_r in bulk_rows[0]}
    for decision in decisions:
        scalar = compute_pmi_json({**decision.inputs, "date": NEW.isoformat()}, params)
        assert by_decision[decision.pk] == Decimal(str(scalar["annual_amount_eur"])).quantize(
            Decimal("0.01")
        ), decision.inputs


def test_unread_badge_is_counted_up_to_a_cap(pension, world):
    """After a national revaluation a case worker may have a notification per claim filed;
    the badge on every page counts at most UNREAD_CAP of them and reads "100+"."""
    from django.test import Client

    from vetbridge.reparation.services import UNREAD_CAP, unread_count

    veteran = world["users"]["veteran"]
    Notification.objects.filter(user=veteran).delete()
    event = ClaimEvent.objects.create(
        claim=pension, from_state=pension.state, to_state=pension.state, note="test"
    )
    Notification.objects.bulk_create(
        [Notification(user=veteran, claim=pension, event=event) for _ in range(UNREAD_CAP + 5)]
    )
    assert unread_count(veteran) == UNREAD_CAP
    client = Client()
    client.force_login(veteran)
    page = client.get("/claims/").content.decode()
    assert f'class="badge">{UNREAD_CAP}+<' in page
    Notification.objects.filter(
        pk__in=list(
            Notification.objects.filter(user=veteran).values_list("pk", flat=True)[:UNREAD_CAP]
        )
    ).delete()
    assert unread_count(veteran) == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "count", "said"),
    [
        ("uk", 1, "непрочитане"),
        ("uk", 3, "непрочитані"),
        ("uk", 6, "непрочитаних"),
        ("fr", 1, "non lue"),
        ("fr", 6, "non lues"),
    ],
)
def test_the_unread_badge_is_said_with_the_languages_plural(pension, world, language, count, said):
    """A screen reader hears "6 непрочитаних", not "6 непрочитані": the badge's hidden word
    agrees with the number in the reader's language."""
    from django.test import Client

    veteran = world["users"]["veteran"]
    veteran.language = language
    veteran.save(update_fields=["language"])
    Notification.objects.filter(user=veteran).delete()
    event = ClaimEvent.objects.create(
        claim=pension, from_state=pension.state, to_state=pension.state, note="test"
    )
    Notification.objects.bulk_create(
        [Notification(user=veteran, claim=pension, event=event) for _ in range(count)]
    )
    client = Client()
    client.force_login(veteran)
    page = client.get("/claims/").content.decode()
    assert f'class="badge">{count}<span class="visually-hidden"> {said}</span>' in page


def test_notifications_still_follow_their_user_claim_and_history_line(pension, world, flow):
    """The notification's references are not checked by the database (a national
    revaluation writes a million of them): Django applies on_delete itself, so deleting a
    user or a claim still deletes their notifications, and a claim with a decision is still
    protected."""
    from django.db.models.deletion import ProtectedError

    from vetbridge.accounts.models import User
    from vetbridge.reparation.models import Claim

    revalue(on=NEW)
    veteran = world["users"]["veteran"]
    assert Notification.objects.filter(user=veteran, claim=pension).exists()
    # A granted claim stays protected by its decision; its notifications stay.
    with pytest.raises(ProtectedError) as refused:
        pension.delete()
    # …and by its revaluation (whose claim is not checked by the database either).
    assert {type(x).__name__ for x in refused.value.protected_objects} >= {"Revaluation"}
    assert Notification.objects.filter(claim=pension).exists()
    # A claim without a decision: its history lines and their notifications go with it.
    draft = flow.file(actor="case_worker")
    flow.step(draft, "start_assessment", "medical_assessor")
    assert Notification.objects.filter(claim=draft).exists()
    events = list(ClaimEvent.objects.filter(claim=draft).values_list("pk", flat=True))
    draft.delete()
    assert not Notification.objects.filter(claim_id=draft.pk).exists()
    assert not Notification.objects.filter(event_id__in=events).exists()
    # A user: their notifications go, the others' stay (a reader who was sent a copy of
    # the revaluation's line; the veteran is protected by their audit trail).
    reader = User.objects.create_user(username="reader", password="x" * 20, role="case_worker")
    line = ClaimEvent.objects.filter(claim=pension, note__startswith="revaluation").get()
    Notification.objects.create(user=reader, claim=pension, event=line)
    others = Notification.objects.exclude(user=reader).count()
    assert others
    reader.delete()
    assert not Notification.objects.filter(user_id=reader.pk).exists()
    assert Notification.objects.count() == others
    # No notification points at a missing user, claim or history line.
    assert not Notification.objects.exclude(user_id__in=User.objects.values("pk")).exists()
    assert not Notification.objects.exclude(claim_id__in=Claim.objects.values("pk")).exists()
    assert not Notification.objects.exclude(event_id__in=ClaimEvent.objects.values("pk")).exists()
    assert Notification.objects.filter(user=veteran, claim=pension, event=line).exists()


ODD_CASES = [
    {"infirmities": [{"rate": 12.5, "cause": "disease"}], "grade": "soldier"},
    {"infirmities": [{"rate": "-3"}]},
    {"infirmities": [{"rate": True}]},
    {"infirmities": [{"rate": None}]},
    {"infirmities": [{"label": "no rate"}]},
    {"infirmities": [{"rate": "70\n"}]},
    {"infirmities": [{"rate": 70, "addition": None}]},
    {"infirmities": [{"rate": 70, "addition": "arithmetic"}]},
    {"infirmities": [{"rate": 70, "cause": "burn"}]},
    {"infirmities": [{"rate": 70, "context": 1}]},
    {"infirmities": [{"rate": 70, "third_person": "yes"}]},
    {"infirmities": [{"rate": 70, "arithmetic_addition": "2.5"}]},
    {"infirmities": [{"rate": 70, "arithmetic_addition": "2,5"}]},
    {"infirmities": [{"rate": 70}], "grade": None},
    {"infirmities": [{"rate": 70}], "left_service": "no"},
    {"infirmities": [{"rate": 70}], "third_person": False},
    {"infirmities": []},
    {"infirmities": {"rate": 70}},
    {"infirmities": [70]},
    [{"rate": 70}],
]


def test_the_stored_plain_flag_follows_the_sql_rule(world, flow):
    """`Decision.batch_plain` is written when the decision is frozen by the same rule the
    bulk path checks in SQL (`plain_case_sql`): equal on every case here, and the stored flag
    of a decision made through the workflow is the rule's."""
    from django.db import connection

    from vetbridge.reparation.plain import plain_case_sql

    expected = [True, True, False, False, False, False, False, False, False, False, False, True]
    expected += [False, False, False, True, False, False, False, False]
    assert [is_plain(case) for case in ODD_CASES] == expected
    assert [is_plain(case) for case in MIXED_CASES] == [True] * 5 + [False] * 5
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for case in MIXED_CASES + ODD_CASES:
                cur.execute(
                    f"SELECT {plain_case_sql('x.doc')} FROM (SELECT %s::jsonb AS doc) x",  # noqa: S608
                    [json.dumps(case)],
                )
                assert cur.fetchone()[0] is is_plain(case), case
    claim = flow.granted()
    decision = claim.decisions.get()
    assert decision.batch_plain is is_plain(decision.inputs)


def test_migration_fills_the_plain_flag_of_decisions_already_frozen(world):
    """Migration 0008 stores the flag on the decisions written before it: in SQL on
    PostgreSQL, by the Python rule elsewhere; both give the rule's answer."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection
    from django.utils import timezone

    from vetbridge.people.models import Person
    from vetbridge.reparation.models import Claim, Decision, RulesSnapshot

    params = Parameters.load("fr")
    snap, _c = RulesSnapshot.objects.get_or_create(
        digest=params.digest, defaults={"country": "fr", "files": params.files}
    )
    cases = MIXED_CASES + ODD_CASES
    for case in cases:
        claim = Claim.objects.create(
            person=Person.objects.create(), kind="fr_pension", state="granted", filed_at=FILED
        )
        Decision.objects.create(
            claim=claim,
            outcome="grant_temporary",
            computed_on=dt.date(2024, 4, 2),
            inputs=case,
            result={},
            rules_version="test",
            snapshot=snap,
            decided_at=timezone.now(),
        )
    assert Decision.objects.filter(batch_plain__isnull=False).count() == 0
    migration = importlib.import_module("vetbridge.reparation.migrations.0008_decision_batch_plain")
    migration.backfill(apps, SimpleNamespace(connection=connection))
    stored = list(Decision.objects.order_by("id").values_list("inputs", "batch_plain"))
    assert len(stored) == len(cases)
    assert [flag for _i, flag in stored] == [is_plain(case) for case in cases]
    assert sum(flag for _i, flag in stored) == 9
