"""JSON API of care and referrals: the same scoping, audit and errors as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from vetbridge.accounts.models import AuditLog
from vetbridge.care import services as care
from vetbridge.care.services import FollowUpInput, InjuryInput
from vetbridge.core.services import input_from
from vetbridge.reintegration import services as referrals
from vetbridge.reintegration.models import Partner
from vetbridge.reintegration.services import ReferralInput

pytestmark = pytest.mark.django_db
ANSWERS = {f"S{i}": (i % 5) for i in range(1, 13)}  # 1,2,3,4,0,1,2,3,4,0,1,2: 23


def _as(user, language: str = "uk") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, body: dict) -> tuple[int, dict]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def _referral(world, partner=None):
    return referrals.referral_create(
        actor=world["users"]["case_worker"],
        person_id=world["lviv"].pk,
        data=input_from(
            ReferralInput,
            {
                "partner": (partner or world["hub"]).pk,
                "service": "employment",
                "consent_on": timezone.localdate(),
                "consent_text": "ім'я, телефон",
            },
        ),
    )


def test_care_file_gives_the_timeline_and_scores_and_audits_the_read(world):
    person = world["lviv"]
    case_worker = world["users"]["case_worker"]
    care.injury_add(
        actor=case_worker,
        person_id=person.pk,
        data=input_from(InjuryInput, {"icd10": "S82.1", "label": "Перелом гомілки"}),
    )
    client = _as(world["users"]["medical_assessor"])
    status, body = _post(
        client, f"/api/care/{person.pk}/whodas", {"assessed_on": "2025-03-01", "answers": ANSWERS}
    )
    assert status == 201 and body["score"] == 23 and body["percent"] == 47.9
    assert body["method"] == "simple"
    before = AuditLog.objects.filter(object_type="care.file", object_id=str(person.pk)).count()
    data = client.get(f"/api/care/{person.pk}").json()
    assert {e["kind"] for e in data["timeline"]} >= {"injury", "assessment"}
    assert [p["score"] for p in data["whodas"]] == [23]
    after = AuditLog.objects.filter(object_type="care.file", object_id=str(person.pk)).count()
    assert after == before + 1


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({k: v for k, v in ANSWERS.items() if k != "S7"}, "S7"),
        ({**ANSWERS, "S3": 9}, "S3"),
        ({**ANSWERS, "S13": 1}, "S13"),
    ],
)
def test_whodas_errors_name_the_question_in_the_users_language(world, answers, field):
    client = _as(world["users"]["case_worker"], "fr")
    count = world["lviv"].assessments.count()
    status, body = _post(
        client,
        f"/api/care/{world['lviv'].pk}/whodas",
        {"assessed_on": "2025-03-01", "answers": answers},
    )
    assert status == 400 and field in body["error"]["fields"]
    message = " ".join(body["error"]["fields"][field])
    assert "question" in message.lower()  # French: « … question … »
    assert world["lviv"].assessments.count() == count  # nothing half-written


def test_future_assessment_date_is_refused(world):
    client = _as(world["users"]["case_worker"])
    status, body = _post(
        client,
        f"/api/care/{world['lviv'].pk}/whodas",
        {"assessed_on": "2999-01-01", "answers": ANSWERS},
    )
    assert status == 400 and "assessed_on" in body["error"]["fields"]


def test_partner_sees_its_referrals_without_medical_content_and_no_care_file(world):
    care.injury_add(
        actor=world["users"]["case_worker"],
        person_id=world["lviv"].pk,
        data=input_from(InjuryInput, {"icd10": "F43.1", "label": "ПТСР"}),
    )
    other = Partner.objects.create(name="Other", services=["employment"], monthly_capacity=9)
    mine, theirs = _referral(world), _referral(world, other)
    client = _as(world["users"]["partner"], "fr")
    listed = client.get("/api/referrals").json()
    assert [r["id"] for r in listed] == [mine.pk]
    text = json.dumps(listed, ensure_ascii=False)
    assert "F43" not in text and "ПТСР" not in text
    assert client.get(f"/api/referrals/{theirs.pk}").status_code == 404
    assert client.get(f"/api/care/{world['lviv'].pk}").status_code == 403
    status, body = _post(
        client, f"/api/referrals/{theirs.pk}/answer", {"version": theirs.version, "accept": True}
    )
    assert status == 404


def test_referral_lifecycle_through_the_api_with_optimistic_locking(world):
    worker = _as(world["users"]["case_worker"])
    status, created = _post(
        worker,
        "/api/referrals",
        {
            "person_id": world["lviv"].pk,
            "partner_id": world["hub"].pk,
            "service": "employment",
            "consent_on": str(timezone.localdate()),
            "consent_text": "ім'я, телефон",
        },
    )
    assert status == 201 and created["status"] == "sent" and not created["late"]
    partner = _as(world["users"]["partner"])
    url = f"/api/referrals/{created['id']}"
    status, accepted = _post(
        partner, f"{url}/answer", {"version": created["version"], "accept": True}
    )
    assert status == 200 and accepted["status"] == "accepted"
    status, stale = _post(
        partner, f"{url}/answer", {"version": created["version"], "accept": False}
    )
    assert status in (400, 409)
    status, body = _post(
        partner, f"{url}/outcome", {"version": created["version"], "outcome": "employed"}
    )
    assert status == 409  # someone (here: the partner itself) changed it since
    status, done = _post(
        partner,
        f"{url}/outcome",
        {"version": accepted["version"], "outcome": "employed", "note": "CDI"},
    )
    assert status == 200 and done["status"] == "completed" and done["outcome"] == "employed"
    status, body = _post(worker, f"{url}/cancel", {"version": done["version"]})
    assert status == 400 and body["error"]["message"]


def test_consent_is_required_and_named(world):
    client = _as(world["users"]["case_worker"], "fr")
    status, body = _post(
        client,
        "/api/referrals",
        {
            "person_id": world["lviv"].pk,
            "partner_id": world["hub"].pk,
            "service": "employment",
            "consent_on": str(timezone.localdate()),
            "consent_text": "  ",
        },
    )
    assert status == 400 and "consent_text" in body["error"]["fields"]


def test_partners_directory_filters_and_unknown_region(world):
    client = _as(world["users"]["case_worker"], "fr")
    found = client.get("/api/partners", {"region": "UA-46", "service": "employment"}).json()
    assert [p["name"] for p in found] == ["Veteran Hub Lviv"]
    assert found[0]["regions"] == ["UA-46"]
    assert client.get("/api/partners", {"region": "UA-32"}).json() == []
    response = client.get("/api/partners", {"region": "XX-99"})
    assert response.status_code == 400 and "region" in response.json()["error"]["fields"]


def test_caseload_lists_the_contact_persons_people(world):
    worker = world["users"]["case_worker"]
    care.contact_set(actor=worker, person_id=world["lviv"].pk)
    care.followup_add(
        actor=worker,
        person_id=world["lviv"].pk,
        data=input_from(FollowUpInput, {"due_on": timezone.localdate(), "what": "подзвонити"}),
    )
    rows = _as(worker).get("/api/care/caseload").json()
    assert [r["person_id"] for r in rows] == [world["lviv"].pk]
    assert rows[0]["due_this_week"] == 1
