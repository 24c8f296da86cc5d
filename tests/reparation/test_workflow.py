"""The claim workflow: legal and illegal moves, decisions, appeals, revisions, safety."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from vetbridge.core.exceptions import ApplicationError, ConflictError, NotFoundError
from vetbridge.reparation import services
from vetbridge.reparation.kinds import ClaimFiling
from vetbridge.reparation.models import ClaimEvent, ClaimState, Decision, Notification
from vetbridge.reparation.services import InfirmityRow

pytestmark = pytest.mark.django_db


def test_a_french_claim_end_to_end(flow, world):
    claim = flow.file(statement="Éclat d'obus")
    assert claim.state == ClaimState.SUBMITTED
    flow.assess(claim)
    decision = flow.decide(claim)
    claim.refresh_from_db()
    assert claim.state == ClaimState.GRANTED
    # 60 %, then 12.5 % raised by 5 points for rank 2 (17.5 %) of the remaining 40 % = 7:
    # 67 %, rounded up to the 5-point step: 70 % (L125-8, L125-3).
    assert decision.result["global_rate"] == 70
    assert decision.outcome == "grant_temporary"  # one infirmity is not incurable
    assert decision.valid_until == claim.filed_at.replace(
        year=claim.filed_at.year + 3
    ) - dt.timedelta(days=1)
    # No deadline until the notification is recorded: it runs from the notification (R711-2).
    assert decision.appeal_deadline is None and decision.notified_on is None
    decision = services.decision_notify(
        actor=world["users"]["pension_officer"],
        decision_id=decision.pk,
        notified_on=timezone.localdate(),
    )
    assert decision.appeal_deadline == services.procedure.add_months(timezone.localdate(), 6)
    assert decision.amount == Decimal(str(decision.result["annual_amount_eur"]))
    assert decision.snapshot.files and decision.rules_version
    states = list(ClaimEvent.objects.filter(claim=claim).values_list("to_state", flat=True))
    assert states == ["submitted", "in_assessment", "ready_for_decision", "granted"]


def test_every_transition_notifies_claimant_and_contact_person(flow, world):
    lviv = world["lviv"]
    lviv.contact_person = world["users"]["case_worker"]
    lviv.save()
    claim = flow.file(actor="case_worker")
    flow.step(claim, "request_information", "pension_officer", note="Joindre le certificat")
    notified = set(
        Notification.objects.filter(claim=claim).values_list("user__username", flat=True)
    )
    assert notified == {"veteran", "case_worker"}
    event = ClaimEvent.objects.filter(claim=claim).last()
    assert event.problem and event.note == "Joindre le certificat"
    claim.refresh_from_db()
    assert claim.needs == "Joindre le certificat"


@pytest.mark.parametrize(
    ("name", "actor"),
    [
        ("complete_assessment", "medical_assessor"),  # not started
        ("appeal", "veteran"),  # nothing decided
        ("send_back", "pension_officer"),
        ("provide_information", "veteran"),
    ],
)
def test_illegal_moves_are_refused_with_the_current_state(flow, name, actor):
    claim = flow.file()
    with pytest.raises(ApplicationError, match="submitted|подано|soumise"):
        flow.step(claim, name, actor)


def test_roles_cannot_take_each_others_steps(flow, world):
    claim = flow.file()
    for name, actor in (
        ("start_assessment", "veteran"),
        ("start_assessment", "case_worker"),
        ("complete_file", "medical_assessor"),
        ("request_information", "veteran"),
    ):
        with pytest.raises(ApplicationError):
            flow.step(claim, name, actor)
    with pytest.raises(ApplicationError):
        services.claim_decide(
            actor=world["users"]["medical_assessor"],
            claim_id=claim.pk,
            expected_version=claim.version,
            grant=True,
        )


def test_decision_needs_ready_state_and_a_rejection_needs_reasons(flow):
    claim = flow.file()
    with pytest.raises(ApplicationError):
        flow.decide(claim)
    flow.assess(claim)
    with pytest.raises(ApplicationError) as exc:
        flow.decide(claim, grant=False)
    assert "reason" in exc.value.fields


def test_below_threshold_can_only_be_rejected(flow):
    claim = flow.file()
    flow.assess(
        claim,
        rows=[{"label": "Cicatrice", "rate": Decimal("5"), "cause": "injury", "context": "war"}],
    )
    with pytest.raises(ApplicationError, match="threshold|поріг|seuil"):
        flow.decide(claim)
    decision = flow.decide(claim, grant=False, reason="Taux inférieur au minimum")
    assert decision.outcome == "reject" and not decision.result["eligible"]


def test_concurrent_edits_never_lose_an_update(flow, world):
    claim = flow.file()
    flow.step(claim, "start_assessment", "medical_assessor")
    claim.refresh_from_db()
    stale = claim.version
    services.infirmities_set(
        actor=world["users"]["medical_assessor"],
        claim_id=claim.pk,
        expected_version=stale,
        rows=InfirmityRow.from_rows(
            [{"label": "A", "rate": "20", "cause": "injury", "context": "war"}]
        ),
    )
    with pytest.raises(ConflictError):
        services.infirmities_set(
            actor=world["users"]["medical_assessor"],
            claim_id=claim.pk,
            expected_version=stale,
            rows=InfirmityRow.from_rows(
                [{"label": "B", "rate": "30", "cause": "injury", "context": "war"}]
            ),
        )
    assert list(claim.infirmities.values_list("label", flat=True)) == ["A"]
    with pytest.raises(ConflictError):
        services.claim_transition(
            actor=world["users"]["medical_assessor"],
            claim_id=claim.pk,
            name="complete_assessment",
            expected_version=stale,
        )


@pytest.mark.parametrize(
    ("rate", "field", "needle"),
    [
        ("abc", "rate", "number"),
        ("0", "rate", "above 0"),
        ("100.5", "rate", "above 0"),
        ("12.345", "rate", "two decimals"),
        ("NaN", "rate", "number"),
        ("1,234.5", "rate", "number"),
        ("12,5,1", "rate", "number"),
        ("7 5", "rate", "number"),
    ],
)
def test_bad_infirmity_rates_name_the_field(flow, world, rate, field, needle):
    from django.utils import translation

    claim = flow.file()
    flow.step(claim, "start_assessment", "medical_assessor")
    claim.refresh_from_db()
    with translation.override("en"), pytest.raises(ApplicationError) as exc:
        services.infirmities_set(
            actor=world["users"]["medical_assessor"],
            claim_id=claim.pk,
            expected_version=claim.version,
            rows=InfirmityRow.from_rows(
                [{"label": "A", "rate": rate, "cause": "injury", "context": "war"}]
            ),
        )
    assert needle in " ".join(exc.value.fields[f"infirmities.0.{field}"])
    assert not claim.infirmities.exists()


def test_appeal_within_deadline_then_decided_and_time_barred_after(flow, world):
    claim = flow.granted()
    with pytest.raises(ApplicationError):
        flow.step(claim, "appeal", "veteran")  # grievances required
    flow.step(claim, "appeal", "veteran", note="Le taux des acouphènes est sous-estimé")
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPEALED
    claim.refresh_from_db()
    services.infirmities_set(
        actor=world["users"]["medical_assessor"],
        claim_id=claim.pk,
        expected_version=claim.version,
        rows=InfirmityRow.from_rows(
            [
                {
                    "label": "Amputation",
                    "rate": "60",
                    "cause": "injury",
                    "context": "war",
                    "incurable": True,
                },
                {
                    "label": "Acouphènes",
                    "rate": "30",
                    "cause": "injury",
                    "context": "war",
                    "incurable": True,
                },
            ]
        ),
    )
    appeal = flow.decide(claim)
    assert appeal.kind == "appeal" and appeal.outcome == "grant_definitive"
    assert appeal.result["global_rate"] == 75  # 60 + (30 + 5) % of 40 = 74 → 75
    # A second claim whose deadline has passed: the appeal is filed, flagged late, and the
    # officer must decide its admissibility before deciding it (never blocked here).
    late = flow.granted()
    Decision.objects.filter(claim=late).update(
        notified_on=dt.date(2019, 6, 1), appeal_deadline=dt.date(2020, 1, 1)
    )
    flow.step(late, "appeal", "veteran", note="trop tard")
    late.refresh_from_db()
    assert late.state == ClaimState.APPEALED and late.appeal_late is True
    assert late.events.last().problem and "2020-01-01" in late.events.last().note
    with pytest.raises(ApplicationError):
        flow.decide(late)
    officer = world["users"]["pension_officer"]
    with pytest.raises(ApplicationError) as exc:  # reasons required
        services.appeal_admissibility(
            actor=officer,
            claim_id=late.pk,
            expected_version=late.version,
            admissible=False,
            note="",
        )
    assert "note" in exc.value.fields
    services.appeal_admissibility(
        actor=officer,
        claim_id=late.pk,
        expected_version=late.version,
        admissible=False,
        note="Aucun motif au retard",
    )
    with pytest.raises(ApplicationError):  # inadmissible: only a rejection
        flow.decide(late)
    assert flow.decide(late, grant=False, reason="Irrecevable: tardif").outcome == "reject"


def test_french_appeal_silence_is_shown_as_rejection_after_four_months(flow):
    from vetbridge.reparation.selectors import appeal_silence

    claim = flow.granted()
    flow.step(claim, "appeal", "veteran", note="contestation")
    claim.refresh_from_db()
    assert not appeal_silence(claim).passed
    claim.appealed_on = timezone.localdate() - dt.timedelta(days=125)
    claim.save(update_fields=["appealed_on"])
    silence = appeal_silence(claim)
    assert silence.passed and silence.deemed_rejected_on <= timezone.localdate()


def test_revision_needs_ten_more_points(flow, world):
    pension = flow.granted()  # 70 %
    small = flow.file("fr_revision", revision_of=pension.pk)
    flow.assess(
        small,
        rows=[
            {"label": "Amputation", "rate": "60", "cause": "injury", "context": "war"},
            {"label": "Acouphènes", "rate": "20", "cause": "injury", "context": "war"},
        ],
    )
    with pytest.raises(ApplicationError, match="10"):
        flow.decide(small)  # 60 + 25 % of 40 = 70: +0
    rejected = flow.decide(small, grant=False, reason="Aggravation insuffisante")
    assert any("+0 points" in s["text"]["fr"] for s in rejected.arrears["procedure_steps"])
    big = flow.file("fr_revision", revision_of=pension.pk)
    flow.assess(
        big,
        rows=[
            {"label": "Amputation", "rate": "80", "cause": "injury", "context": "war"},
            {"label": "Acouphènes", "rate": "20", "cause": "injury", "context": "war"},
        ],
    )
    assert flow.decide(big).result["global_rate"] == 85


def test_revision_must_point_to_a_granted_pension(flow):
    with pytest.raises(ApplicationError) as exc:
        flow.file("fr_revision")
    assert "revision_of" in exc.value.fields


def test_ukrainian_assistance_without_medical_assessment(flow):
    claim = flow.file(
        "ua_disability",
        actor="case_worker",
        disability_group=1,
        ua_cause="duty",
        group_set_at="2025-03-01",
    )
    with pytest.raises(ApplicationError):
        flow.step(claim, "start_assessment", "medical_assessor")
    flow.step(claim, "complete_file", "pension_officer")
    decision = flow.decide(claim)
    assert decision.outcome == "grant" and decision.amount > 0
    assert decision.appeal_deadline is None
    decision = services.decision_notify(
        actor=flow.users["pension_officer"],
        decision_id=decision.pk,
        notified_on=timezone.localdate(),
    )
    assert decision.appeal_deadline == timezone.localdate() + dt.timedelta(days=30)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"kind": "ua_disability", "ua_cause": "duty", "group_set_at": "2025-01-01"},
            "disability_group",
        ),
        (
            {
                "kind": "ua_disability",
                "disability_group": 1,
                "ua_cause": "x",
                "group_set_at": "2025-01-01",
            },
            "ua_cause",
        ),
        (
            {
                "kind": "ua_disability",
                "disability_group": 1,
                "ua_cause": "duty",
                "group_set_at": "2999-01-01",
            },
            "group_set_at",
        ),
        ({"kind": "ua_death", "death_date": "not a date", "recipients": 1}, "death_date"),
        ({"kind": "ua_death", "death_date": "2025-01-01", "recipients": 0}, "recipients"),
        ({"kind": "nonsense"}, "kind"),
        ({"kind": "fr_pension", "residence": "moon"}, "residence"),
    ],
)
def test_filing_errors_name_the_field(world, data, field):
    with pytest.raises(ApplicationError) as exc:
        services.claim_file(
            actor=world["users"]["veteran"],
            person_id=world["lviv"].pk,
            filing=ClaimFiling.from_data(data),
        )
    assert field in exc.value.fields


def test_a_veteran_never_sees_or_files_for_another(world, flow):
    claim = flow.file()
    other = services.claim_file(
        actor=world["users"]["admin"], person_id=world["kyiv"].pk, filing=ClaimFiling("fr_pension")
    )
    vet = world["users"]["veteran"]
    assert list(services.claims_for(vet)) == [claim]
    with pytest.raises(NotFoundError):
        services.claim_open(actor=vet, claim_id=other.pk)
    with pytest.raises(NotFoundError):
        services.claim_file(actor=vet, person_id=world["kyiv"].pk, filing=ClaimFiling("fr_pension"))
    with pytest.raises(NotFoundError):
        services.claim_transition(
            actor=vet, claim_id=other.pk, name="withdraw", expected_version=other.version
        )


def test_medical_reads_are_audited_and_case_workers_do_not_read_medical(flow, world):
    from vetbridge.accounts.models import AuditLog

    claim = flow.granted()
    for role in ("veteran", "medical_assessor", "pension_officer"):
        _, medical = services.claim_open(actor=world["users"][role], claim_id=claim.pk)
        assert medical
        assert AuditLog.objects.filter(
            actor=world["users"][role], action="read", object_type="reparation.claim"
        ).exists()
    _, medical = services.claim_open(actor=world["users"]["case_worker"], claim_id=claim.pk)
    assert not medical
    with pytest.raises(ApplicationError):
        services.decision_open(
            actor=world["users"]["case_worker"], decision_id=claim.decisions.get().pk
        )


def test_stats_median_days_and_small_cells(flow, world, settings):
    settings.VETBRIDGE_MIN_CELL_SIZE = 1
    claim = flow.granted()
    from vetbridge.reparation.models import Claim
    from vetbridge.reparation.selectors import claims_stats

    Claim.objects.filter(pk=claim.pk).update(filed_at=timezone.localdate() - dt.timedelta(days=12))
    stats = claims_stats(user=world["users"]["analyst"])
    assert stats["median_days_to_decision"] == 12
    assert {r["state"]: r["count"] for r in stats["by_state"]}["granted"] == 1
    settings.VETBRIDGE_MIN_CELL_SIZE = 5
    stats = claims_stats(user=world["users"]["analyst"])
    assert stats["median_days_to_decision"] is None
    assert {r["state"]: r["count"] for r in stats["by_state"]}["granted"] is None
