"""The care pathway: records, timeline, caseload, reminders, scoping and audit, PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from vetbridge.accounts.models import AuditLog
from vetbridge.care import services
from vetbridge.care.models import FollowUp
from vetbridge.care.services import (
    AppointmentInput,
    EpisodeInput,
    FollowUpInput,
    GoalInput,
    InjuryInput,
    NoteInput,
    UaFunctioningInput,
)
from vetbridge.core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from vetbridge.core.services import input_from
from vetbridge.reintegration.services import ReferralInput
from vetbridge.reparation.kinds import ClaimFiling

pytestmark = pytest.mark.django_db
ANSWERS = {f"S{i}": (i % 5) for i in range(1, 13)}


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_record_and_read_the_timeline_joining_care_and_claims(world):
    from vetbridge.reparation.services import claim_file

    cw, lviv = world["users"]["case_worker"], world["lviv"]
    services.injury_add(
        actor=cw,
        person_id=lviv.pk,
        data=input_from(
            InjuryInput,
            {"icd10": "s58.1", "label": "Ампутація передпліччя", "occurred_on": "2024-03-02"},
        ),
    )
    services.episode_add(
        actor=cw,
        person_id=lviv.pk,
        data=input_from(
            EpisodeInput,
            {"kind": "rehabilitation", "provider": "Unbroken, Lviv", "started_on": "2024-04-01"},
        ),
    )
    services.goal_add(
        actor=cw,
        person_id=lviv.pk,
        data=input_from(
            GoalInput, {"domain": "work", "description": "Повернутися до роботи водієм"}
        ),
    )
    services.whodas_add(actor=cw, person_id=lviv.pk, assessed_on="2024-05-01", answers=ANSWERS)
    claim_file(actor=world["users"]["veteran"], person_id=lviv.pk, filing=ClaimFiling("fr_pension"))
    entries = services.timeline(user=cw, person=lviv)
    kinds = [e.kind for e in entries]
    assert {"injury", "care", "goal", "assessment", "claim"} <= set(kinds)
    assert entries[0].day >= entries[-1].day
    assert any(e.title.startswith("S58.1") for e in entries)


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("injury", {"icd10": "knee", "label": "x"}, "icd10"),
        ("injury", {"icd10": "S80", "label": ""}, "label"),
        ("injury", {"icd10": "S80", "label": "x", "occurred_on": "2999-01-01"}, "occurred_on"),
        ("episode", {"kind": "spa", "provider": "x", "started_on": "2024-01-01"}, "kind"),
        (
            "episode",
            {
                "kind": "hospital",
                "provider": "x",
                "started_on": "2024-02-01",
                "ended_on": "2024-01-01",
            },
            "ended_on",
        ),
        ("goal", {"domain": "moon", "description": "x"}, "domain"),
        ("ua_functioning", {"assessed_on": "2024-01-01", "group": 7}, "group"),
    ],
)
def test_bad_input_names_the_field(world, kind, data, field):
    adder, input_class = {
        "injury": (services.injury_add, InjuryInput),
        "episode": (services.episode_add, EpisodeInput),
        "goal": (services.goal_add, GoalInput),
        "ua_functioning": (services.ua_functioning_add, UaFunctioningInput),
    }[kind]
    with pytest.raises(ApplicationError) as exc:
        adder(
            actor=world["users"]["case_worker"],
            person_id=world["lviv"].pk,
            data=input_from(input_class, data),
        )
    assert field in exc.value.fields


def test_whodas_incomplete_is_refused(world):
    answers = dict(ANSWERS)
    del answers["S12"]
    with pytest.raises(ApplicationError) as exc:
        services.whodas_add(
            actor=world["users"]["case_worker"],
            person_id=world["lviv"].pk,
            assessed_on="2024-05-01",
            answers=answers,
        )
    assert "S12" in exc.value.fields


def test_scope_and_roles(world):
    kyiv = world["kyiv"]
    with pytest.raises(NotFoundError):
        services.care_open(actor=world["users"]["case_worker"], person_id=kyiv.pk)
    for role in ("partner", "pension_officer", "memorial_editor", "analyst"):
        with pytest.raises(PermissionDeniedError):
            services.care_open(actor=world["users"][role], person_id=world["lviv"].pk)
    with pytest.raises(PermissionDeniedError):
        services.note_add(
            actor=world["users"]["veteran"],
            person_id=world["lviv"].pk,
            data=input_from(NoteInput, {"text": "x"}),
        )


def test_every_read_of_the_care_file_is_audited(world):
    for role in ("veteran", "case_worker", "medical_assessor"):
        services.care_open(actor=world["users"][role], person_id=world["lviv"].pk)
    assert AuditLog.objects.filter(object_type="care.file", action="read").count() == 3
    _as(world["users"]["veteran"]).get(f"/care/{world['lviv'].pk}/")
    assert AuditLog.objects.filter(object_type="care.file", action="read").count() == 4


def test_caseload_shows_overdue_due_new_and_unanswered(world, settings):
    from vetbridge.reintegration.services import referral_create

    cw, lviv = world["users"]["case_worker"], world["lviv"]
    services.contact_set(actor=cw, person_id=lviv.pk)
    today = timezone.localdate()
    services.followup_add(
        actor=cw,
        person_id=lviv.pk,
        data=input_from(
            FollowUpInput, {"due_on": today - dt.timedelta(days=2), "what": "Подзвонити"}
        ),
    )
    services.followup_add(
        actor=cw,
        person_id=lviv.pk,
        data=input_from(FollowUpInput, {"due_on": today + dt.timedelta(days=3), "what": "Огляд"}),
    )
    referral = referral_create(
        actor=cw,
        person_id=lviv.pk,
        data=input_from(
            ReferralInput,
            {
                "partner": world["hub"].pk,
                "service": "employment",
                "consent_on": today,
                "consent_text": "ім'я та телефон",
            },
        ),
    )
    type(referral).objects.filter(pk=referral.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=settings.VETBRIDGE_REFERRAL_ANSWER_DAYS + 1)
    )
    [row] = services.caseload(user=cw)
    assert row.person == lviv and row.new
    assert [f.what for f in row.overdue] == ["Подзвонити"]
    assert [f.what for f in row.due_soon] == ["Огляд"]
    assert row.unanswered == 1
    services.followup_done(actor=cw, followup_id=FollowUp.objects.get(what="Подзвонити").pk)
    assert services.caseload(user=cw)[0].overdue == []


def test_web_forms_and_summary_pdf_in_the_veterans_language(world):
    from pypdf import PdfReader

    cw, lviv = world["users"]["case_worker"], world["lviv"]
    client = _as(cw)
    bad = client.post(
        f"/care/{lviv.pk}/add/injury/", {"injury-icd10": "knee", "injury-label": "Коліно"}
    )
    assert bad.status_code == 400 and "S58.1" in bad.content.decode()
    ok = client.post(
        f"/care/{lviv.pk}/add/whodas/",
        {"whodas-assessed_on": "2024-05-01", **{f"whodas-{k}": v for k, v in ANSWERS.items()}},
    )
    assert ok.status_code == 302
    client.post(
        f"/care/{lviv.pk}/add/goal/",
        {"goal-domain": "mobility", "goal-description": "Ходити без милиць"},
    )
    page = client.get(f"/care/{lviv.pk}/").content.decode()
    assert "<svg" in page and "Ходити без милиць" in page
    pdf = _as(world["users"]["veteran"]).get(f"/care/{lviv.pk}/summary.pdf")
    assert pdf.status_code == 200 and pdf["Cache-Control"] == "private, no-store"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Ходити без милиць" in text and "реабілітац" in text.lower()
    assert _as(world["users"]["partner"]).get(f"/care/{lviv.pk}/summary.pdf").status_code == 403


def test_appointments_are_recorded_and_flagged_when_passed_without_outcome(world):
    worker = world["users"]["case_worker"]
    person = world["lviv"]
    services.contact_set(actor=worker, person_id=person.pk)
    now = timezone.now()
    past = services.appointment_add(
        actor=worker,
        person_id=person.pk,
        data=input_from(
            AppointmentInput, {"at": now - dt.timedelta(days=2), "with_whom": "Ортопед"}
        ),
    )
    soon = services.appointment_add(
        actor=worker,
        person_id=person.pk,
        data=input_from(
            AppointmentInput, {"at": now + dt.timedelta(days=3), "with_whom": "Психолог"}
        ),
    )
    later = services.appointment_add(
        actor=worker,
        person_id=person.pk,
        data=input_from(AppointmentInput, {"at": now + dt.timedelta(days=30), "with_whom": "МСЕК"}),
    )
    [row] = services.caseload(user=worker)
    assert row.appointments_unrecorded == [past] and row.appointments_soon == [soon]
    page = _as(worker).get("/care/caseload/").content.decode()
    assert "Ортопед" in page and "Психолог" in page and "МСЕК" not in page
    for status in ("missed", "done"):  # still to come: no outcome yet
        with pytest.raises(ApplicationError) as exc:
            services.appointment_set_status(actor=worker, appointment_id=soon.pk, status=status)
        assert "status" in exc.value.fields
    with pytest.raises(ApplicationError):
        services.appointment_set_status(actor=worker, appointment_id=past.pk, status="planned")
    response = _as(worker).post(f"/care/appointments/{past.pk}/status/", {"status": "done"})
    assert response.status_code == 302
    past.refresh_from_db()
    assert past.status == "done"
    assert AuditLog.objects.filter(
        object_type="care.appointment", object_id=str(past.pk), action="update"
    ).exists()
    [row] = services.caseload(user=worker)
    assert row.appointments_unrecorded == [] and later not in row.appointments_soon


def test_appointment_status_is_scoped(world, make_person):
    kyiv = world["kyiv"]
    ap = services.appointment_add(
        actor=world["users"]["admin"],
        person_id=kyiv.pk,
        data=input_from(
            AppointmentInput, {"at": timezone.now() - dt.timedelta(days=1), "with_whom": "Хірург"}
        ),
    )
    with pytest.raises(NotFoundError):
        services.appointment_set_status(
            actor=world["users"]["case_worker"], appointment_id=ap.pk, status="done"
        )
    response = _as(world["users"]["partner"]).post(
        f"/care/appointments/{ap.pk}/status/", {"status": "done"}
    )
    assert response.status_code == 403


def test_summary_pdf_in_the_readers_language_or_the_one_asked(world):
    """A French case worker reads the summary in French (dates written out, `1er`); the page
    offers it in the veteran's language too, and `?lang=uk` gives it in Ukrainian."""
    from pypdf import PdfReader

    cw, lviv = world["users"]["case_worker"], world["lviv"]
    cw.language = "fr"
    cw.save(update_fields=["language"])
    services.whodas_add(
        actor=cw, person_id=lviv.pk, assessed_on=dt.date(2026, 11, 1), answers=ANSWERS
    )
    client = _as(cw)

    def text(url: str) -> str:
        pdf = client.get(url)
        assert pdf.status_code == 200
        return " ".join(
            "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
        )

    french = text(f"/care/{lviv.pk}/summary.pdf")
    assert "Synthèse des soins et de la réadaptation" in french
    assert "1er novembre 2026" in french and "2026-11-01" not in french
    page = client.get(f"/care/{lviv.pk}/").content.decode()
    assert f"/care/{lviv.pk}/summary.pdf?lang=uk" in page
    assert "dans la langue de l'ancien combattant\u00a0: Ukrainien" in page
    ukrainian = text(f"/care/{lviv.pk}/summary.pdf?lang=uk")
    assert "Підсумок лікування та реабілітації" in ukrainian
    assert "1 листопада 2026 р." in ukrainian
    assert "Synthèse" not in ukrainian
    assert "Synthèse des soins" in text(f"/care/{lviv.pk}/summary.pdf?lang=xx")  # unknown: reader's
