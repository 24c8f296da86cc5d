from __future__ import annotations

import datetime as dt
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API + live server

ROLES = [
    "veteran",
    "case_worker",
    "medical_assessor",
    "pension_officer",
    "memorial_editor",
    "analyst",
    "admin",
    "partner",
    "cooperation_officer",
]


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Each test stores its uploads in its own folder: no file left by another test."""
    settings.MEDIA_ROOT = str(tmp_path / "private-media")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached rankings hold ids of another test's rows."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def regions(db):
    from vetbridge.core.models import Region

    return {r.code: r for r in Region.objects.all()}


@pytest.fixture
def make_user(db, regions):
    from vetbridge.accounts.models import User

    def make(role: str, username: str | None = None, region: str | None = None, **extra):
        user = User.objects.create_user(
            username=username or role,
            password="pw-for-tests-only",
            role=role,
            region=regions[region] if region else None,
            **extra,
        )
        return user

    return make


@pytest.fixture
def make_person(db, regions):
    from vetbridge.core.services import input_from
    from vetbridge.people.services import NameInput, PersonInput, person_create

    def make(surname="Коваленко", given="Ігор", region="UA-46", lifecycle="alive", **data):
        if lifecycle != "alive":
            data.setdefault("lifecycle_date", dt.date(2024, 5, 1))
        return person_create(
            actor=None,
            data=input_from(
                PersonInput,
                {"region": regions.get(region) if region else None, "lifecycle": lifecycle, **data},
            ),
            names=[
                input_from(NameInput, {"surname": surname, "given_name": given, "language": "uk"})
            ],
        )

    return make


@pytest.fixture
def world(make_user, make_person):
    """Two people (Lviv alive, Kyiv fallen) and one user per role; the veteran owns Lviv."""
    lviv = make_person(external_id="P-LVIV")
    kyiv = make_person(
        "Шевченко", "Олександр", region="UA-30", lifecycle="fallen", external_id="P-KYIV"
    )
    users = {
        role: make_user(role, region="UA-46" if role == "case_worker" else None) for role in ROLES
    }
    users["veteran"].person = lviv
    users["veteran"].save(update_fields=["person"])
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save(update_fields=["is_staff", "is_superuser"])
    from vetbridge.core.models import Region
    from vetbridge.reintegration.models import Partner

    hub = Partner.objects.create(
        name="Veteran Hub Lviv",
        monthly_capacity=50,
        services=["employment", "training", "housing", "psychological", "peer", "sport"],
    )
    hub.regions.set(Region.objects.filter(code="UA-46"))
    users["partner"].partner = hub
    users["partner"].save(update_fields=["partner"])
    return {"users": users, "lviv": lviv, "kyiv": kyiv, "hub": hub}


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free loopback port; Django's SMTP backend sends to
    it. Yields the list of messages received (email.message.Message objects)."""
    import email
    import socket

    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
            message = email.message_from_bytes(envelope.content)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            received.append(message)
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield received
    finally:
        controller.stop()
