"""Trusted proxies: one setting from which audit, login throttling and the tribute limit
take the client address; the client's own X-Forwarded-For entries are never trusted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from vetbridge.core.client_ip import client_ip_from, parse_trusted_proxies


@pytest.mark.parametrize(
    ("trusted", "remote", "xff", "expected"),
    [
        (0, "198.51.100.7", "1.2.3.4", "198.51.100.7"),  # no proxy: header ignored
        (1, "10.0.0.2", "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # spoofed first entry ignored
        (1, "10.0.0.2", "203.0.113.9", "203.0.113.9"),
        (2, "10.0.0.3", "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "10.0.0.3", "203.0.113.9", "10.0.0.3"),  # fewer hops than proxies
        (1, "10.0.0.2", "", "10.0.0.2"),
        (1, "10.0.0.2", "not-an-ip", "10.0.0.2"),
        ("10.0.0.0/8", "10.0.0.2", "6.6.6.6, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
        ("10.0.0.0/8", "198.51.100.7", "6.6.6.6", "198.51.100.7"),  # peer not a trusted proxy
        ("10.0.0.0/8,2001:db8::/32", "2001:db8::1", "[2001:db8:1::5]:443, 6.6.6.6", "6.6.6.6"),
        ("10.0.0.0/8", "10.0.0.2", "10.0.0.9, 10.0.0.8", "10.0.0.9"),  # all trusted: leftmost
    ],
)
def test_client_address_from_the_chain(trusted, remote, xff, expected):
    assert client_ip_from(remote, xff, parse_trusted_proxies(trusted)) == expected


@pytest.mark.parametrize("bad", ["-1", "10.0.0.0/33", "proxy.example", True])
def test_bad_setting_is_refused_at_parse(bad):
    with pytest.raises(ImproperlyConfigured):
        parse_trusted_proxies(bad)


def test_list_setting(settings):
    from vetbridge.core.client_ip import trusted_proxies

    settings.VETBRIDGE_TRUSTED_PROXIES = ["192.0.2.1", "10.0.0.0/8"]
    assert len(trusted_proxies()) == 2  # type: ignore[arg-type]


@pytest.mark.django_db
def test_audit_records_the_real_client_not_the_spoofed_entry(settings, make_user):
    from vetbridge.accounts.models import AuditAction, AuditLog

    settings.VETBRIDGE_TRUSTED_PROXIES = 1
    make_user("admin", username="boss")
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    client.post("/login/", {"username": "boss", "password": "pw-for-tests-only"})
    entry = AuditLog.objects.get(action=AuditAction.LOGIN)
    assert entry.ip == "203.0.113.9"


def _fail(client, username):
    return client.post("/login/", {"username": username, "password": "wrong-password"})


@pytest.mark.django_db
def test_lockout_is_per_user_and_address_behind_the_proxy(settings, make_user):
    settings.VETBRIDGE_TRUSTED_PROXIES = "10.0.0.0/8"
    make_user("case_worker", username="victim")
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(attacker, "victim")
    assert _fail(attacker, "victim").status_code in (403, 429)
    # The same user through the same proxy, from their own address, still signs in.
    own = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = own.post("/login/", {"username": "victim", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    # And a forged header cannot give the attacker a fresh address: its first entry is
    # never trusted.
    forged = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20, 203.0.113.66")
    assert _fail(forged, "victim").status_code in (403, 429)


@pytest.mark.django_db
def test_spraying_across_accounts_from_one_address_is_limited(settings, make_user):
    settings.VETBRIDGE_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for i in range(8):
        make_user("case_worker", username=f"user{i}")
    sprayer = Client(REMOTE_ADDR="203.0.113.50")
    for i in range(6):
        assert _fail(sprayer, f"user{i}").status_code == 200
    # Now even a right password from that address is refused, with the blocked page.
    response = sprayer.post("/login/", {"username": "user7", "password": "pw-for-tests-only"})
    assert response.status_code == 429
    assert "_auth_user_id" not in sprayer.session
    # Another address is unaffected.
    other = Client(REMOTE_ADDR="198.51.100.1")
    assert (
        other.post("/login/", {"username": "user7", "password": "pw-for-tests-only"}).status_code
        == 302
    )


@pytest.mark.django_db
def test_tribute_limit_is_per_client_behind_the_proxy(settings, world):
    """Behind one proxy, the public tribute quota is each client's, not one global quota."""
    from vetbridge.memorial import services

    settings.VETBRIDGE_TRUSTED_PROXIES = 1
    editor = world["users"]["memorial_editor"]
    rec = services.record_create_for(actor=editor, person_id=world["kyiv"].pk)
    services.record_publish(actor=editor, record_id=rec.pk, basis="editorial", note="test")

    def post(client, i):
        return client.post(
            f"/memorial/{rec.pk}/tribute/",
            {"kind": "tribute", "author_name": f"N{i}", "text": "Пам'ятаємо"},
        ).status_code

    first = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.1")
    for i in range(services.TRIBUTES_PER_HOUR):
        assert post(first, i) == 302
    assert post(first, 99) == 429
    # A spoofed first entry does not give a fresh quota...
    spoof = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.1")
    assert post(spoof, 100) == 429
    # ...but another client behind the same proxy has its own.
    second = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert post(second, 101) == 302
