"""A real second factor: TOTP enrolment and verification at sign-in, recovery codes,
enforcement for every staff role when required; API tokens that expire and can be revoked;
password change and reset. Every step audited."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from vetbridge.accounts.models import ApiToken, AuditAction, AuditLog

PASSWORD = "pw-for-tests-only"  # noqa: S105 (the conftest's test password)
pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _login(client: Client, username: str):
    return client.post("/login/", {"username": username, "password": PASSWORD})


def _enrol(client: Client) -> tuple[TOTPDevice, list[str]]:
    page = client.get("/account/second-factor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script>" not in html  # the QR code inline, no inline script
    device = TOTPDevice.objects.get(confirmed=False)
    secret = re.search(r'class="secret">([A-Z2-7 ]+)<', html).group(1)  # type: ignore[union-attr]
    assert len(secret.replace(" ", "")) >= 32  # the key as text, for screen readers
    done = client.post("/account/second-factor/", {"code": _code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


def test_required_mfa_leads_staff_to_enrolment_then_asks_a_code(settings, world):
    settings.VETBRIDGE_MFA_REQUIRED = True
    client = Client()
    response = _login(client, "case_worker")
    assert response.status_code == 302 and response.url.startswith("/account/second-factor/")
    # Nothing else opens until the second factor is set up, with a message saying why.
    blocked = client.get("/people/", follow=True)
    assert blocked.redirect_chain[0][0].startswith("/account/second-factor/")
    assert (
        "authenticator" in blocked.content.decode().lower()
        or "автентиф" in blocked.content.decode().lower()
    )
    assert client.get("/api/people").status_code == 403
    assert client.get("/api/people").json()["error"]["code"] == "second_factor_required"
    device, codes = _enrol(client)
    assert client.get("/people/").status_code == 200
    assert AuditLog.objects.filter(
        action=AuditAction.CREATE, object_type="otp_totp.totpdevice"
    ).exists()

    # Next sign-in: the code is asked after the password.
    other = Client()
    response = _login(other, "case_worker")
    assert response.url.startswith("/login/second-factor/")
    assert other.get("/people/").status_code == 302
    wrong = other.post("/login/second-factor/", {"code": "000000"})
    assert wrong.status_code == 400
    assert AuditLog.objects.filter(
        action=AuditAction.LOGIN_FAILED, summary="second factor"
    ).exists()
    time.sleep(1.1)  # django-otp throttles: one second after a first wrong code
    ok = other.post("/login/second-factor/", {"code": _code(device, steps_ahead=1)})
    assert ok.status_code == 302
    assert other.get("/people/").status_code == 200
    assert AuditLog.objects.filter(action=AuditAction.LOGIN, summary="second factor: totp").exists()


def test_recovery_code_works_once(settings, world):
    settings.VETBRIDGE_MFA_REQUIRED = True
    client = Client()
    _login(client, "pension_officer")
    _device, codes = _enrol(client)
    first = Client()
    _login(first, "pension_officer")
    assert first.post("/login/second-factor/", {"code": codes[0].upper()}).status_code == 302
    assert first.get("/claims/").status_code == 200
    assert AuditLog.objects.filter(summary="second factor: recovery code").count() == 1
    again = Client()
    _login(again, "pension_officer")
    assert again.post("/login/second-factor/", {"code": codes[0]}).status_code == 400
    assert again.get("/claims/").status_code == 302


@pytest.mark.parametrize(
    "role",
    [
        "case_worker",
        "medical_assessor",
        "pension_officer",
        "memorial_editor",
        "analyst",
        "admin",
        "partner",
    ],
)
def test_every_staff_role_must_enrol_when_required(settings, world, role):
    settings.VETBRIDGE_MFA_REQUIRED = True
    client = Client()
    assert _login(client, role).url.startswith("/account/second-factor/")
    assert client.get("/").status_code == 302


def test_veterans_and_dev_settings_sign_in_with_the_password(settings, world):
    settings.VETBRIDGE_MFA_REQUIRED = True
    veteran = Client()
    assert not _login(veteran, "veteran").url.startswith("/account/second-factor")
    settings.VETBRIDGE_MFA_REQUIRED = False
    staff = Client()
    _login(staff, "analyst")
    assert staff.get("/people/stats/").status_code == 200


def test_an_enrolled_account_is_asked_its_code_even_when_not_required(settings, world):
    settings.VETBRIDGE_MFA_REQUIRED = False
    client = Client()
    _login(client, "admin")
    _enrol(client)
    again = Client()
    assert _login(again, "admin").url.startswith("/login/second-factor/")
    assert again.get("/accounts/audit/").status_code == 302
    assert again.get("/audit/").status_code == 302


def test_too_many_wrong_codes_sign_out(settings, world):
    settings.VETBRIDGE_MFA_REQUIRED = True
    client = Client()
    _login(client, "admin")
    _enrol(client)
    again = Client()
    _login(again, "admin")
    for _ in range(5):
        response = again.post("/login/second-factor/", {"code": "123456"})
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert "_auth_user_id" not in again.session


# --- API tokens ---------------------------------------------------------------------------


def test_tokens_expire_by_default_and_expired_ones_get_a_clear_401(settings, world):
    settings.VETBRIDGE_API_TOKEN_DAYS = 90
    token, raw = ApiToken.issue(user=world["users"]["admin"], name="cli")
    assert token.expires_at is not None
    days = (token.expires_at - token.created_at).days
    assert days == 90
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get("/api/me", **auth).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at)
    response = Client().get("/api/me", **auth)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"


def test_owner_revokes_a_token_through_the_api_not_anothers(world):
    admin, officer = world["users"]["admin"], world["users"]["pension_officer"]
    token, raw = ApiToken.issue(user=admin, name="cli")
    other, other_raw = ApiToken.issue(user=officer, name="theirs")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    listed = Client().get("/api/tokens", **auth).json()
    assert [t["id"] for t in listed] == [token.pk] and listed[0]["active"]
    assert Client().delete(f"/api/tokens/{other.pk}", **auth).status_code == 404
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {other_raw}").status_code == 200
    assert Client().delete(f"/api/tokens/{token.pk}", **auth).status_code == 204
    refused = Client().get("/api/me", **auth)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_revoked"
    assert AuditLog.objects.filter(
        object_type="accounts.apitoken", object_id=str(token.pk), summary="revoked"
    ).exists()


def test_owner_revokes_a_token_on_the_account_page(world):
    admin = world["users"]["admin"]
    client = Client()
    client.force_login(admin)
    client.post("/account/", {"name": "script"})
    token = ApiToken.objects.get(user=admin)
    assert AuditLog.objects.filter(object_type="accounts.apitoken", action="create").exists()
    page = client.get("/account/").content.decode()
    assert f"/account/tokens/{token.pk}/revoke/" in page
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    stranger = Client()
    stranger.force_login(world["users"]["analyst"])
    assert stranger.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404


def test_password_change_revokes_every_token_and_is_audited(world):
    user = world["users"]["case_worker"]
    _t, raw = ApiToken.issue(user=user, name="a")
    _t2, raw2 = ApiToken.issue(user=user, name="b")
    client = Client()
    client.force_login(user)
    assert client.get("/account/password/").status_code == 200
    weak = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert weak.status_code == 200 and ApiToken.objects.filter(revoked_at=None).count() == 2
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-passphrase-42",
            "new_password2": "a-much-longer-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200  # this session stays signed in
    for secret in (raw, raw2):
        assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert AuditLog.objects.filter(
        object_type="accounts.user", summary="password changed", actor=user
    ).exists()


def test_password_reset_by_email_in_the_users_language(world):
    user = world["users"]["medical_assessor"]
    user.email = "assessor@example.org"
    user.language = "fr"
    user.save(update_fields=["email", "language"])
    _t, raw = ApiToken.issue(user=user, name="a")
    page = Client().get("/password-reset/")
    assert page.status_code == 200
    response = Client().post("/password-reset/", {"email": "assessor@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "mot de passe" in message.subject.lower()
    link = re.search(r"https?://[^/]+(/password-reset/[^\s]+)", message.body).group(1)  # type: ignore[union-attr]
    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {
            "new_password1": "another-long-passphrase-77",
            "new_password2": "another-long-passphrase-77",
        },
    )
    assert done.status_code == 302
    assert (
        Client()
        .post("/login/", {"username": user.username, "password": "another-long-passphrase-77"})
        .status_code
        == 302
    )
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert AuditLog.objects.filter(
        object_type="accounts.user", summary="password reset", actor=user
    ).exists()
    assert AuditLog.objects.filter(summary="password reset e-mail sent").exists()
    # Nobody learns whether an address has an account.
    assert Client().post("/password-reset/", {"email": "nobody@example.org"}).status_code == 302
    assert len(mail.outbox) == 1


def test_tokens_from_before_lifetimes_get_the_default_one(world):
    import datetime as dt
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "vetbridge.accounts.migrations.0006_apitoken_default_expiry"
    )
    token, _raw = ApiToken.issue(user=world["users"]["admin"], name="old")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    migration.backfill(apps, None)
    token.refresh_from_db()
    assert token.expires_at == token.created_at + dt.timedelta(days=90)
