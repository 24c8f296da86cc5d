"""Referrals: consent first, capacity, the partner's answer and outcome, partner isolation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from vetbridge.core.exceptions import ApplicationError, ConflictError, NotFoundError
from vetbridge.core.services import input_from
from vetbridge.reintegration import services
from vetbridge.reintegration.models import Partner
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


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"consent_text": " "}, "consent_text"),
        ({"consent_on": None}, "consent_on"),
        ({"consent_on": dt.date(2999, 1, 1)}, "consent_on"),
        ({"service": "surgery"}, "service"),
        ({"partner": 0}, "partner"),
    ],
)
def test_consent_and_choices_are_required(world, extra, field):
    with pytest.raises(ApplicationError) as exc:
        services.referral_create(
            actor=world["users"]["case_worker"],
            person_id=world["lviv"].pk,
            data=input_from(ReferralInput, _data(world, **extra)),
        )
    assert field in exc.value.fields


def test_partner_must_offer_the_service_and_have_capacity(world):
    small = Partner.objects.create(name="Sport club", services=["sport"], monthly_capacity=1)
    cw = world["users"]["case_worker"]
    with pytest.raises(ApplicationError) as exc:
        services.referral_create(
            actor=cw,
            person_id=world["lviv"].pk,
            data=input_from(ReferralInput, _data(world, partner=small.pk)),
        )
    assert "service" in exc.value.fields
    services.referral_create(
        actor=cw,
        person_id=world["lviv"].pk,
        data=input_from(ReferralInput, _data(world, partner=small.pk, service="sport")),
    )
    with pytest.raises(ApplicationError) as exc:
        services.referral_create(
            actor=cw,
            person_id=world["lviv"].pk,
            data=input_from(ReferralInput, _data(world, partner=small.pk, service="sport")),
        )
    assert "partner" in exc.value.fields


def test_partner_answers_and_records_the_outcome(world):
    referral = services.referral_create(
        actor=world["users"]["case_worker"],
        person_id=world["lviv"].pk,
        data=input_from(ReferralInput, _data(world)),
    )
    partner = world["users"]["partner"]
    with pytest.raises(ApplicationError):  # not accepted yet
        services.referral_outcome(
            actor=partner,
            referral_id=referral.pk,
            expected_version=referral.version,
            outcome="employed",
        )
    services.referral_answer(
        actor=partner, referral_id=referral.pk, expected_version=referral.version, accept=True
    )
    with pytest.raises(ApplicationError):  # answered already
        services.referral_answer(
            actor=partner, referral_id=referral.pk, expected_version=referral.version, accept=False
        )
    with pytest.raises(ConflictError):  # a stale version never overwrites
        services.referral_outcome(
            actor=partner,
            referral_id=referral.pk,
            expected_version=referral.version,
            outcome="employed",
        )
    referral.refresh_from_db()
    services.referral_outcome(
        actor=partner,
        referral_id=referral.pk,
        expected_version=referral.version,
        outcome="employed",
        note="Водій, з 1 грудня",
    )
    referral.refresh_from_db()
    assert referral.status == "completed" and referral.outcome == "employed"


def test_partner_sees_only_its_referrals_and_never_medical(world):
    other = Partner.objects.create(name="Other", services=["employment"], monthly_capacity=9)
    mine = services.referral_create(
        actor=world["users"]["case_worker"],
        person_id=world["lviv"].pk,
        data=input_from(ReferralInput, _data(world)),
    )
    theirs = services.referral_create(
        actor=world["users"]["case_worker"],
        person_id=world["lviv"].pk,
        data=input_from(ReferralInput, _data(world, partner=other.pk)),
    )
    partner = world["users"]["partner"]
    assert list(services.referrals_for(partner)) == [mine]
    with pytest.raises(NotFoundError):
        services.referral_answer(
            actor=partner, referral_id=theirs.pk, expected_version=theirs.version, accept=True
        )
    client = _as(partner)
    page = client.get(f"/referrals/{mine.pk}/").content.decode()
    assert "Коваленко" in page and "телефон" in page
    for url in (
        f"/people/{world['lviv'].pk}/",
        f"/care/{world['lviv'].pk}/",
        f"/care/{world['lviv'].pk}/summary.pdf",
        "/claims/",
        "/api/people",
        f"/api/people/{world['lviv'].pk}",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/referrals/{theirs.pk}/").status_code == 404


def test_unanswered_referrals_are_flagged(world, settings):
    referral = services.referral_create(
        actor=world["users"]["case_worker"],
        person_id=world["lviv"].pk,
        data=input_from(ReferralInput, _data(world)),
    )
    page = _as(world["users"]["case_worker"]).get("/referrals/").content.decode()
    assert 'class="problem"' not in page
    type(referral).objects.filter(pk=referral.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=settings.VETBRIDGE_REFERRAL_ANSWER_DAYS + 1)
    )
    page = _as(world["users"]["case_worker"]).get("/referrals/").content.decode()
    assert 'class="problem"' in page
