"""E-mail notices reach a real SMTP server, in each recipient's language, after commit."""

from __future__ import annotations

import email.header

import pytest
from django.test import Client
from django.utils import timezone

from vetbridge.core.services import input_from
from vetbridge.reintegration import services as referrals
from vetbridge.reintegration.services import ReferralInput
from vetbridge.reparation import services as claims
from vetbridge.reparation.kinds import ClaimFiling

pytestmark = pytest.mark.django_db


def _text(message) -> str:
    part = message.get_payload(decode=True)
    return part.decode(message.get_content_charset() or "utf-8")


def _subject(message) -> str:
    return " ".join(
        str(email.header.make_header(email.header.decode_header(message["Subject"]))).split()
    )


@pytest.fixture
def people(world):
    users = world["users"]
    users["veteran"].email, users["veteran"].language = "veteran@example.org", "fr"
    users["veteran"].save()
    users["case_worker"].email, users["case_worker"].language = "worker@example.org", "uk"
    users["case_worker"].save()
    world["lviv"].contact_person = users["case_worker"]
    world["lviv"].save()
    return users


def test_request_for_information_reaches_the_claimant_in_french(
    world, people, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        claim = claims.claim_file(
            actor=people["veteran"], person_id=world["lviv"].pk, filing=ClaimFiling("fr_pension")
        )
    smtp_server.clear()
    claim.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        claims.claim_transition(
            actor=people["pension_officer"],
            claim_id=claim.pk,
            name="request_information",
            expected_version=claim.version,
            note="Joindre le certificat médical initial",
        )
    by_to = {m["To"]: m for m in smtp_server}
    assert set(by_to) == {"veteran@example.org", "worker@example.org"}
    french = by_to["veteran@example.org"]
    assert _subject(french).startswith(f"Votre demande {claim.reference}")
    body = _text(french)
    assert "Joindre le certificat médical initial" in body
    assert f"/claims/{claim.pk}/" in body
    assert french["Content-Language"] == "fr"
    ukrainian = by_to["worker@example.org"]
    assert _subject(ukrainian).startswith(f"Заява {claim.reference}")
    assert "Коваленко" in _text(ukrainian)  # staff read whose claim it is


def test_nothing_is_sent_when_notices_are_off_or_the_write_fails(
    world, people, smtp_server, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(people["veteran"])
    assert client.post("/account/notices/", {}).status_code == 302
    people["veteran"].refresh_from_db()
    assert people["veteran"].email_notifications is False
    with django_capture_on_commit_callbacks(execute=True):
        claims.claim_file(
            actor=people["case_worker"],
            person_id=world["lviv"].pk,
            filing=ClaimFiling("fr_pension"),
        )
    assert [m["To"] for m in smtp_server] == []  # veteran off; the actor is never told

    from vetbridge.core.exceptions import ApplicationError

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ApplicationError),
    ):
        claims.claim_file(
            actor=people["case_worker"],
            person_id=world["lviv"].pk,
            filing=ClaimFiling.from_data({"kind": "no_such_kind"}),
        )
    assert callbacks == [] and smtp_server == []


def test_referral_answer_is_told_to_the_case_worker_in_ukrainian(
    world, people, smtp_server, django_capture_on_commit_callbacks, make_user
):
    from vetbridge.reintegration.models import Partner

    partner = Partner.objects.create(
        name="Veteran Hub Lviv", services=["employment"], monthly_capacity=10
    )
    staff = make_user("partner", username="hub", partner=partner)
    referral = referrals.referral_create(
        actor=people["case_worker"],
        person_id=world["lviv"].pk,
        data=input_from(
            ReferralInput,
            {
                "partner": partner.pk,
                "service": "employment",
                "consent_on": timezone.localdate(),
                "consent_text": "name and phone",
                "message": "Looking for work",
            },
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        referrals.referral_answer(
            actor=staff, referral_id=referral.pk, expected_version=referral.version, accept=True
        )
    assert [m["To"] for m in smtp_server] == ["worker@example.org"]
    assert "Veteran Hub Lviv" in _subject(smtp_server[0])
    body = _text(smtp_server[0])
    assert "прийнято" in body and "Коваленко" in body
