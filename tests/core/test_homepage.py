"""The home page of each role says what to do now, from that role's own scope."""

from __future__ import annotations

import pytest
from django.test import Client

from vetbridge.accounts.models import User
from vetbridge.people.demo import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(regions):
    load_demo()


def _panels(username: str) -> dict[str, object]:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get("/")
    assert response.status_code == 200
    return {p.key: p for p in response.context["panels"]}


EXPECTED = {
    "caseworker": {"care.caseload", "claims.information", "referrals", "people.duplicates"},
    "assessor": {"claims.assess"},
    "officer": {"claims.decide", "claims.appeals", "claims.indicators"},
    "editor": {"memorial.moderation"},
    "partner": {"referrals"},
    "veteran": {"claims.mine", "care.next"},
    "analyst": {"claims.indicators"},
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_gets_its_own_panels(demo, username):
    assert set(_panels(username)) == EXPECTED[username]


def test_panels_hold_what_waits_for_that_role(demo):
    from vetbridge.care.models import Appointment
    from vetbridge.reintegration.models import Referral, ReferralStatus
    from vetbridge.reparation.models import Claim, ClaimState

    veteran = User.objects.get(username="veteran").person
    mine = _panels("veteran")["claims.mine"]
    assert (
        mine.count
        == Claim.objects.filter(person=veteran).exclude(state=ClaimState.WITHDRAWN).count()
    )
    assert {r.url for r in mine.rows} == {
        f"/claims/{c.pk}/" for c in Claim.objects.filter(person=veteran)
    }
    waiting = Claim.objects.filter(person=veteran, state=ClaimState.NEEDS_INFORMATION)
    assert {r.url for r in mine.rows if r.urgent} == {f"/claims/{c.pk}/" for c in waiting}
    nxt = _panels("veteran")["care.next"]
    assert (
        nxt.count == 1
        and nxt.rows[0].when > Appointment.objects.filter(person=veteran).order_by("at").first().at
    )

    caseload = _panels("caseworker")["care.caseload"]
    assert any(r.url == f"/care/{veteran.pk}/" for r in caseload.rows)

    partner = User.objects.get(username="partner")
    answer = _panels("partner")["referrals"]
    assert (
        answer.count
        == Referral.objects.filter(
            partner_id=partner.partner_id, status=ReferralStatus.SENT
        ).count()
    )


def test_a_case_worker_sees_nothing_outside_their_region(demo):
    from vetbridge.reparation.models import Claim

    lviv_claims = {f"/claims/{c.pk}/" for c in Claim.objects.filter(person__region__code="UA-46")}
    for panel in _panels("caseworker.kyiv").values():
        assert not {r.url for r in panel.rows} & lviv_claims, panel.key


def test_home_page_speaks_the_readers_language(demo):
    client = Client()
    user = User.objects.get(username="officer")
    client.force_login(user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Demandes prêtes pour décision" in page
