"""The partner's side: decline with a reason, the contact details the veteran agreed to
share (and nothing else), referral rows linked by the veteran's name."""

from __future__ import annotations

import html
import json

import pytest
from django.test import Client
from django.utils import timezone

from vetbridge.accounts.models import AuditLog
from vetbridge.core.exceptions import ApplicationError
from vetbridge.core.services import input_from
from vetbridge.reintegration import services
from vetbridge.reintegration.services import ReferralInput

pytestmark = pytest.mark.django_db


def _data(world, **extra):
    return {
        "partner": world["hub"].pk,
        "service": "employment",
        "consent_on": timezone.localdate(),
        "consent_text": "ім'я, телефон",
        **extra,
    }


def _as(user, lang="en") -> Client:
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def phone(world):
    world["lviv"].phone, world["lviv"].email = "+380 67 123 45 67", "ihor@example.org"
    world["lviv"].save()
    return world["lviv"].phone


def test_the_partner_sees_only_the_contact_details_agreed_to(world, phone):
    worker, partner = world["users"]["case_worker"], world["users"]["partner"]
    shared = services.referral_create(
        actor=worker,
        person_id=world["lviv"].pk,
        data=input_from(ReferralInput, _data(world, shared_contacts=["phone"])),
    )
    page = _as(partner).get(f"/referrals/{shared.pk}/").content.decode()
    assert phone in page and "ihor@example.org" not in page
    assert AuditLog.objects.filter(
        actor=partner, action="read", object_id=str(shared.pk), summary="shared contact details"
    ).exists()
    unshared = services.referral_create(
        actor=worker, person_id=world["lviv"].pk, data=input_from(ReferralInput, _data(world))
    )
    assert phone not in _as(partner).get(f"/referrals/{unshared.pk}/").content.decode()


def test_a_contact_the_file_does_not_have_cannot_be_promised(world):
    with pytest.raises(ApplicationError) as exc:
        services.referral_create(
            actor=world["users"]["case_worker"],
            person_id=world["lviv"].pk,
            data=input_from(ReferralInput, _data(world, shared_contacts=["address"])),
        )
    assert "shared_contacts" in exc.value.fields


def test_declining_needs_a_reason_that_the_case_worker_reads(world):
    worker, partner = world["users"]["case_worker"], world["users"]["partner"]
    referral = services.referral_create(
        actor=worker, person_id=world["lviv"].pk, data=input_from(ReferralInput, _data(world))
    )
    response = _as(partner, "fr").post(
        f"/referrals/{referral.pk}/act/",
        {"action": "decline", "version": referral.version},
        follow=True,
    )
    assert "Dites pourquoi vous refusez" in html.unescape(response.content.decode())
    referral.refresh_from_db()
    assert referral.status == "sent"
    _as(partner).post(
        f"/referrals/{referral.pk}/act/",
        {"action": "decline", "version": referral.version, "reason": "Pas de place avant mars"},
    )
    referral.refresh_from_db()
    assert referral.status == "declined" and referral.decline_reason == "Pas de place avant mars"
    assert (
        "Pas de place avant mars" in _as(worker).get(f"/referrals/{referral.pk}/").content.decode()
    )


def test_api_decline_without_reason_names_the_field_and_shares_contacts(world, phone):
    worker, partner = _as(world["users"]["case_worker"]), _as(world["users"]["partner"], "uk")
    created = worker.post(
        "/api/referrals",
        json.dumps(
            {
                "person_id": world["lviv"].pk,
                "partner_id": world["hub"].pk,
                "service": "employment",
                "consent_on": str(timezone.localdate()),
                "consent_text": "ім'я, телефон",
                "shared_contacts": ["phone"],
            }
        ),
        content_type="application/json",
    ).json()
    got = partner.get(f"/api/referrals/{created['id']}").json()
    assert got["shared_contacts"] == {"phone": phone}
    response = partner.post(
        f"/api/referrals/{created['id']}/answer",
        json.dumps({"version": created["version"], "accept": False}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_referral_rows_link_by_the_veterans_name(world):
    referral = services.referral_create(
        actor=world["users"]["case_worker"],
        person_id=world["lviv"].pk,
        data=input_from(ReferralInput, _data(world)),
    )
    page = _as(world["users"]["partner"]).get("/referrals/").content.decode()
    assert f'href="/referrals/{referral.pk}/">{world["lviv"].display_name()}</a>' in page
