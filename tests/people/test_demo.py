"""The demo behind `make run`: one account per role, a coherent story, loadable twice."""

from __future__ import annotations

import pytest
from django.test import Client

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Role
from vetbridge.care.models import Appointment
from vetbridge.memorial.models import MemorialRecord
from vetbridge.people.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from vetbridge.reparation.services import replay_all

pytestmark = pytest.mark.django_db


def test_demo_loads_every_role_and_is_idempotent(regions):
    first = load_demo()
    assert first["accounts"] == len(DEMO_ACCOUNTS)
    assert {a.role for a in DEMO_ACCOUNTS} == set(Role.values)
    again = load_demo()  # `make run` twice must not fail nor duplicate
    assert again["people"] == first["people"]
    assert User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).count() == len(
        DEMO_ACCOUNTS
    )
    for acc in DEMO_ACCOUNTS:
        client = Client()
        response = client.post("/login/", {"username": acc.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, acc.username
        assert client.get("/").status_code in (200, 302)
    # The story the README promises: decided claims replay exactly, a published memorial,
    # the veteran's appointments (one passed without outcome, one to come).
    from vetbridge.reparation.models import Decision

    assert Decision.objects.exists() and replay_all() == []
    assert MemorialRecord.objects.filter(published=True).exists()
    veteran = User.objects.get(username="veteran").person
    assert Appointment.objects.filter(person=veteran).count() == 2
