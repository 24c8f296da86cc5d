"""Claims carry the whole situation; input that cannot lie; the notification and the appeal.

These run with the calculator as it is and as it will be after the rules mending: the keys
that only the mended calculator knows are tested in test_situation_merged.py.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from vetbridge.accounts.models import AuditLog
from vetbridge.core.exceptions import ApplicationError
from vetbridge.reparation import services
from vetbridge.reparation.forms import InfirmityForm, PercentField
from vetbridge.reparation.kinds import FrenchSituation
from vetbridge.reparation.letters import decision_letter_pdf
from vetbridge.reparation.services import InfirmityRow

pytestmark = pytest.mark.django_db
HUNDRED = [
    {"label": "Paraplégie", "rate": "100", "cause": "injury", "context": "war", "incurable": True}
]


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(decision) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(decision_letter_pdf(decision))).pages
    ).replace("\n", " ")


# ---------------------------------------------------------------- the rules' input


def test_a_claim_without_situation_gives_the_old_input_shape(flow):
    """Optional keys appear only when they say something: decisions frozen before and after
    the situation existed read alike, and replay uses exactly what was frozen."""
    claim = flow.granted()
    decision = claim.decisions.get()
    assert set(decision.inputs) == {"date", "infirmities"}
    assert all(
        set(row) == {"label", "rate", "cause", "context", "addition"}
        for row in decision.inputs["infirmities"]
    )
    assert services.replay_all() == []


def test_the_situation_reaches_the_calculator_only_when_set(flow, world):
    claim = flow.file(
        actor="case_worker",
        third_person=True,
        grand_mutile=True,
        grade="adjudant",
        left_service=True,
        children_birth_dates=["2016-04-02", "2012-01-30"],
    )
    flow.step(claim, "start_assessment", "medical_assessor")
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
                    "amputation_without_prosthesis": True,
                    "third_person": True,
                },
                {
                    "label": "Genou",
                    "rate": "12,5",
                    "cause": "injury",
                    "context": "war",
                    "arithmetic_addition": "2,5",
                },
                {
                    "label": "Acouphènes",
                    "rate": "10",
                    "cause": "injury",
                    "context": "war",
                    "arithmetic_addition": "",
                },
            ]
        ),
    )
    claim.refresh_from_db()
    inputs = services.rules_inputs(claim)
    assert inputs["third_person"] is True and inputs["grand_mutile"] is True
    assert inputs["grade"] == "adjudant" and inputs["left_service"] is True
    assert inputs["children"] == 2
    assert inputs["children_birth_dates"] == ["2012-01-30", "2016-04-02"]
    first, second, third = inputs["infirmities"]
    assert first["third_person"] is True and first["amputation_without_prosthesis"] is True
    assert second["rate"] == "12.50" and second["arithmetic_addition"] == 2.5
    assert set(third) == {"label", "rate", "cause", "context", "addition"}
    json.dumps(inputs)  # every value is plain JSON


def test_third_person_need_is_decided_and_frozen_and_shown(flow, world):
    """A 100 % invalid who needs a third person: the need reaches the calculator (at least
    1,838 points, never 628), the frozen decision, the page and the letter."""
    claim = flow.file(actor="case_worker", third_person=True)
    flow.assess(claim, rows=HUNDRED)
    decision = flow.decide(claim)
    assert decision.inputs["third_person"] is True
    assert decision.result["points"] >= 1838
    officer = world["users"]["pension_officer"]
    officer.language = "fr"
    officer.save()
    page = _as(officer).get(f"/claims/{claim.pk}/").content.decode()
    # The frozen situation of the decision, beside it.
    assert "Situation prise en compte" in page and "Besoin d&#x27;une tierce personne" in page
    body = json.loads(_as(officer).get(f"/api/claims/{claim.pk}").content)
    assert body["decisions"][0]["inputs"]["third_person"] is True
    worker = json.loads(_as(world["users"]["case_worker"]).get(f"/api/claims/{claim.pk}").content)
    assert worker["decisions"][0]["inputs"] is None
    assert (
        "tierce"
        not in _as(world["users"]["case_worker"]).get(f"/claims/{claim.pk}/").content.decode()
    )
    with translation.override("fr"):
        world["lviv"].preferred_language = "fr"
        world["lviv"].save()
        claim.person.refresh_from_db()
        text = _pdf_text(decision)
    assert "Situation prise en compte" in text and "Besoin d'une tierce personne" in text
    assert services.replay_all() == []


def test_the_fiche_records_the_situation_with_an_audit(flow, world):
    claim = flow.file()
    flow.step(claim, "start_assessment", "medical_assessor")
    claim.refresh_from_db()
    services.infirmities_set(
        actor=world["users"]["medical_assessor"],
        claim_id=claim.pk,
        expected_version=claim.version,
        rows=InfirmityRow.from_rows(HUNDRED),
        situation=FrenchSituation(
            third_person=True,
            grand_mutile=True,
            children_birth_dates=(dt.date(2019, 5, 1),),
            grade="capitaine",
            left_service=False,
        ),
    )
    claim.refresh_from_db()
    assert claim.third_person and claim.grand_mutile and claim.grade == "capitaine"
    assert claim.children_birth_dates == ["2019-05-01"]
    entry = AuditLog.objects.filter(action="update", summary__endswith="infirmities").last()
    assert entry.changes["third_person"] == [False, True]
    assert entry.changes["grade"] == ["soldier", "capitaine"]


@pytest.mark.parametrize(
    ("situation", "field"),
    [
        ({"children_birth_dates": ["2999-01-01"]}, "children_birth_dates"),
        ({"children_birth_dates": ["01/13/2015"]}, "children_birth_dates"),
        ({"children_birth_dates": ["2015-01-01"] * 31}, "children_birth_dates"),
        ({"grade": "marshal_of_the_galaxy"}, "grade"),
        ({"third_person": "maybe"}, "third_person"),
    ],
)
def test_bad_situation_names_the_field_and_writes_nothing(flow, world, situation, field):
    claim = flow.file()
    flow.step(claim, "start_assessment", "medical_assessor")
    claim.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        services.infirmities_set(
            actor=world["users"]["medical_assessor"],
            claim_id=claim.pk,
            expected_version=claim.version,
            rows=InfirmityRow.from_rows(HUNDRED),
            situation=FrenchSituation.from_data(situation),
        )
    assert field in exc.value.fields
    claim.refresh_from_db()
    assert not claim.infirmities.exists() and claim.grade == "soldier"


def test_medical_parts_of_the_situation_only_for_medical_roles(flow, world):
    claim = flow.file(
        actor="case_worker", third_person=True, grade="sergent", children_birth_dates=["2016-04-02"]
    )
    flow.assess(claim, rows=[{**HUNDRED[0], "third_person": True}])
    worker = _as(world["users"]["case_worker"])
    page = worker.get(f"/claims/{claim.pk}/").content.decode()
    assert "Paraplégie" not in page and "sergent" not in page  # labels, not keys
    body = json.loads(worker.get(f"/api/claims/{claim.pk}").content)
    assert body["infirmities"] is None and body["situation"]["third_person"] is False
    assert body["situation"]["grade"] == "sergent"
    assert body["situation"]["children_birth_dates"] == ["2016-04-02"]
    officer = _as(world["users"]["pension_officer"])
    body = json.loads(officer.get(f"/api/claims/{claim.pk}").content)
    assert body["situation"]["third_person"] is True
    assert body["infirmities"][0]["third_person"] is True
    assert AuditLog.objects.filter(
        action="read", actor=world["users"]["pension_officer"], summary=claim.reference
    ).exists()


def test_ukrainian_death_record_date_reaches_the_rules(flow, world):
    claim = flow.file(
        "ua_death",
        actor="case_worker",
        death_date="2025-06-01",
        death_record_date="2025-10-01",
        recipients=1,
    )
    assert services.rules_inputs(claim)["death_record_date"] == "2025-10-01"
    worker = world["users"]["case_worker"]
    worker.language = "en"
    worker.save()
    page = _as(worker).get(f"/claims/{claim.pk}/").content.decode()
    assert "Date of the death record" in page and "October 1, 2025" in page
    with pytest.raises(ApplicationError) as exc:
        flow.file(
            "ua_death",
            actor="case_worker",
            death_date="2025-06-01",
            death_record_date="2025-05-01",
            recipients=1,
        )
    assert "death_record_date" in exc.value.fields


# ---------------------------------------------------------------- input that cannot lie


@pytest.mark.parametrize("lang", ["uk", "fr", "en"])
@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        ("7,5", Decimal("7.5")),
        ("7.5", Decimal("7.5")),
        ("40", Decimal("40")),
        (" 60 ", Decimal("60")),
        ("99,99", Decimal("99.99")),
    ],
)
def test_rate_field_reads_comma_and_dot_alike_in_every_language(lang, typed, value):
    with translation.override(lang):
        assert PercentField().clean(typed) == value


@pytest.mark.parametrize(
    "typed",
    [
        "abc",
        "12,5,1",
        "1,234.5",
        "1.234,5",
        "1 2",
        "12%",
        "-5",
        "0",
        "100,5",
        "12,345",
        "1e2",
        "NaN",
        "٣",
    ],
)
def test_rate_field_refuses_what_is_not_a_rate_in_the_users_language(typed):
    for lang, needle in (("fr", "Saisissez"), ("uk", "Введіть"), ("en", "Enter")):
        with translation.override(lang):
            form = InfirmityForm(
                {
                    "label": "A",
                    "rate": typed,
                    "cause": "injury",
                    "context": "war",
                    "addition": "chain",
                }
            )
            assert not form.is_valid() and form.errors["rate"]
            if typed not in ("12,345", "0", "100,5"):  # those name decimals or the range
                assert any(needle in e for e in form.errors["rate"]), form.errors


def test_service_reads_comma_rates_too(flow, world):
    claim = flow.file()
    flow.step(claim, "start_assessment", "medical_assessor")
    claim.refresh_from_db()
    services.infirmities_set(
        actor=world["users"]["medical_assessor"],
        claim_id=claim.pk,
        expected_version=claim.version,
        rows=InfirmityRow.from_rows(
            [{"label": "A", "rate": "7,5", "cause": "injury", "context": "war"}]
        ),
    )
    assert claim.infirmities.get().rate == Decimal("7.5")


def test_a_refused_fiche_keeps_everything_typed(flow, world):
    claim = flow.file()
    flow.step(claim, "start_assessment", "medical_assessor")
    claim.refresh_from_db()
    assessor = world["users"]["medical_assessor"]
    assessor.language = "fr"
    assessor.save()
    response = _as(assessor).post(
        f"/claims/{claim.pk}/infirmities/",
        {
            "inf-TOTAL_FORMS": "2",
            "inf-INITIAL_FORMS": "0",
            "inf-MIN_NUM_FORMS": "0",
            "inf-MAX_NUM_FORMS": "20",
            "version": claim.version,
            "situation_shown": "1",
            "medical_notes": "Audiogramme du 3 mars joint",
            "children_birth_dates": "2015-09-01",
            "grade": "sergent",
            "left_service": "on",
            "inf-0-label": "Genou",
            "inf-0-rate": "douze",
            "inf-0-cause": "injury",
            "inf-0-context": "war",
            "inf-0-addition": "chain",
            "inf-0-grouping": "jambe gauche",
            "inf-1-label": "Acouphènes",
            "inf-1-rate": "7,5",
            "inf-1-cause": "injury",
            "inf-1-context": "war",
            "inf-1-addition": "chain",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    for typed in (
        "Audiogramme du 3 mars joint",
        "douze",
        "jambe gauche",
        "7,5",
        "2015-09-01",
        'value="sergent" selected',
    ):
        assert typed in page, typed
    assert "Saisissez un nombre" in page
    claim.refresh_from_db()
    assert not claim.infirmities.exists() and claim.medical_notes == ""


def test_api_takes_comma_rates_and_the_situation(flow, world):
    claim = flow.file()
    flow.step(claim, "start_assessment", "medical_assessor")
    claim.refresh_from_db()
    response = _as(world["users"]["medical_assessor"]).put(
        f"/api/claims/{claim.pk}/infirmities",
        data=json.dumps(
            {
                "version": claim.version,
                "infirmities": [
                    {
                        "label": "Genou",
                        "rate": "12,5",
                        "cause": "injury",
                        "context": "war",
                        "arithmetic_addition": 5,
                    }
                ],
                "situation": {
                    "third_person": True,
                    "children_birth_dates": ["2014-02-03"],
                    "grade": "adjudant",
                    "left_service": True,
                },
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert Decimal(str(body["infirmities"][0]["rate"])) == Decimal("12.5")
    assert body["situation"]["left_service"] is True
    bad = _as(world["users"]["medical_assessor"]).put(
        f"/api/claims/{claim.pk}/infirmities",
        data=json.dumps(
            {
                "version": body["version"],
                "infirmities": [
                    {"label": "Genou", "rate": "12,5,0", "cause": "injury", "context": "war"}
                ],
            }
        ),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "infirmities.0.rate" in json.loads(bad.content)["error"]["fields"]


# ---------------------------------------------------------------- notification and appeal


def test_deadline_waits_for_the_notification_then_runs_from_it(flow, world):
    claim = flow.granted()
    decision = claim.decisions.get()
    officer = _as(world["users"]["pension_officer"])
    page = officer.get(f"/claims/{claim.pk}/").content.decode()
    assert f'action="/claims/decisions/{decision.pk}/notification/"' in page
    bad = officer.post(
        f"/claims/decisions/{decision.pk}/notification/", {"notified_on": "2000-01-01"}
    )
    assert bad.status_code == 400
    decision.refresh_from_db()
    assert decision.notified_on is None
    today = timezone.localdate()
    assert (
        officer.post(
            f"/claims/decisions/{decision.pk}/notification/", {"notified_on": today.isoformat()}
        ).status_code
        == 302
    )
    decision.refresh_from_db()
    assert decision.notified_on == today
    assert decision.appeal_deadline == services.procedure.add_months(today, 6)
    assert decision.deadline_steps and "R711-2" not in str(decision.inputs)
    assert AuditLog.objects.filter(summary=f"{claim.reference} notified").exists()
    # The veteran may not record it.
    assert (
        _as(world["users"]["veteran"])
        .post(f"/claims/decisions/{decision.pk}/notification/", {"notified_on": today.isoformat()})
        .status_code
        == 403
    )


def test_after_the_cri_the_letter_names_the_tribunal_and_two_months(flow, world):
    claim = flow.granted()
    flow.step(claim, "appeal", "veteran", note="Taux sous-estimé")
    claim.refresh_from_db()
    assert claim.appeal_late is None  # no notification recorded: unknown, not refused
    appeal = flow.decide(claim)
    assert services.next_remedy(appeal) == "court" and appeal.appeal_deadline is None
    notified = timezone.localdate()
    appeal = services.decision_notify(
        actor=world["users"]["pension_officer"], decision_id=appeal.pk, notified_on=notified
    )
    assert appeal.appeal_deadline == services.procedure.add_months(notified, 2)
    world["lviv"].preferred_language = "fr"
    world["lviv"].save()
    appeal.claim.person.refresh_from_db()
    text = _pdf_text(appeal)
    assert "tribunal administratif" in text and "2 mois" in text
    assert "R421" in text


def test_recording_the_notification_later_rechecks_an_appeal(flow, world):
    claim = flow.granted()
    flow.step(claim, "appeal", "veteran", note="Taux sous-estimé")
    decision = claim.decisions.get()
    Decision = type(decision)
    Decision.objects.filter(pk=decision.pk).update(computed_on=dt.date(2020, 1, 1))
    services.decision_notify(
        actor=world["users"]["pension_officer"],
        decision_id=decision.pk,
        notified_on=dt.date(2020, 1, 6),
    )
    claim.refresh_from_db()
    assert claim.appeal_late is True
    page = _as(world["users"]["pension_officer"]).get(f"/claims/{claim.pk}/").content.decode()
    assert f'action="/claims/{claim.pk}/admissibility/"' in page


def test_expertise_suspends_the_silence_clock(flow, world):
    from vetbridge.reparation.selectors import appeal_silence

    claim = flow.granted()
    flow.step(claim, "appeal", "veteran", note="Taux sous-estimé")
    claim.refresh_from_db()
    today = timezone.localdate()
    plain = appeal_silence(claim).deemed_rejected_on
    officer = world["users"]["pension_officer"]
    with pytest.raises(ApplicationError) as exc:
        services.appeal_expertise(
            actor=officer,
            claim_id=claim.pk,
            expected_version=claim.version,
            started_on=today - dt.timedelta(days=400),
        )
    assert "started_on" in exc.value.fields
    claim = services.appeal_expertise(
        actor=officer, claim_id=claim.pk, expected_version=claim.version, started_on=today
    )
    running = appeal_silence(claim)
    assert running.suspended and not running.passed and running.deemed_rejected_on > plain
    claim.expertise_started_on = today - dt.timedelta(days=10)
    claim.appealed_on = today - dt.timedelta(days=20)
    claim.save(update_fields=["expertise_started_on", "appealed_on"])
    claim.refresh_from_db()
    claim = services.appeal_expertise(
        actor=officer,
        claim_id=claim.pk,
        expected_version=claim.version,
        started_on=claim.expertise_started_on,
        ended_on=today,
    )
    done = appeal_silence(claim)
    assert not done.suspended
    assert done.deemed_rejected_on == services.procedure.add_months(
        claim.appealed_on, 4
    ) + dt.timedelta(days=10)


def test_api_files_a_claim_with_its_situation_and_names_a_bad_field(world):
    client = _as(world["users"]["case_worker"])
    response = client.post(
        "/api/claims",
        data=json.dumps(
            {
                "person_id": world["lviv"].pk,
                "kind": "fr_pension",
                "situation": {
                    "children_birth_dates": ["2016-04-02"],
                    "grade": "capitaine",
                    "left_service": True,
                },
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = json.loads(response.content)
    assert body["situation"] == {
        "children_birth_dates": ["2016-04-02"],
        "grade": "capitaine",
        "left_service": True,
        "third_person": False,
        "grand_mutile": False,
    }
    bad = client.post(
        "/api/claims",
        data=json.dumps(
            {
                "person_id": world["lviv"].pk,
                "kind": "fr_pension",
                "situation": {"children_birth_dates": ["2999-01-01"]},
            }
        ),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "children_birth_dates" in json.loads(bad.content)["error"]["fields"]


@pytest.mark.parametrize(
    ("lang", "typed"),
    [
        ("uk", "02.04.2016\n30.01.2012"),
        ("fr", "02/04/2016, 30/01/2012"),
        ("en", "2016-04-02 2012-01-30"),
    ],
)
def test_children_birth_dates_are_read_in_the_users_language(lang, typed):
    from vetbridge.reparation.forms import DateListField

    with translation.override(lang):
        assert DateListField(required=False).clean(typed) == [
            dt.date(2016, 4, 2),
            dt.date(2012, 1, 30),
        ]
        with pytest.raises(Exception, match="31.02|date"):
            DateListField(required=False).clean("31.02.2016")


def test_officer_pages_for_admissibility_and_expertise(flow, world):
    claim = flow.granted()
    decision = claim.decisions.get()
    type(decision).objects.filter(pk=decision.pk).update(computed_on=dt.date(2020, 1, 1))
    services.decision_notify(
        actor=world["users"]["pension_officer"],
        decision_id=decision.pk,
        notified_on=dt.date(2020, 1, 6),
    )
    flow.step(claim, "appeal", "veteran", note="Taux sous-estimé")
    claim.refresh_from_db()
    officer = _as(world["users"]["pension_officer"])
    refused = officer.post(
        f"/claims/{claim.pk}/admissibility/", {"adm-version": claim.version, "adm-admissible": "1"}
    )
    assert refused.status_code == 400  # reasons required, shown on the page
    assert (
        officer.post(
            f"/claims/{claim.pk}/admissibility/",
            {
                "adm-version": claim.version,
                "adm-admissible": "1",
                "adm-note": "Hospitalisé pendant le délai",
            },
        ).status_code
        == 302
    )
    claim.refresh_from_db()
    assert claim.appeal_admissible is True
    assert (
        officer.post(
            f"/claims/{claim.pk}/expertise/",
            {"exp-version": claim.version, "exp-started_on": timezone.localdate().isoformat()},
        ).status_code
        == 302
    )
    claim.refresh_from_db()
    assert claim.expertise_started_on == timezone.localdate()
    assert (
        _as(world["users"]["veteran"])
        .post(
            f"/claims/{claim.pk}/expertise/",
            {"exp-version": claim.version, "exp-started_on": timezone.localdate().isoformat()},
        )
        .status_code
        == 403
    )
    # Deciding now works: the late appeal was found admissible.
    assert flow.decide(claim).kind == "appeal"
