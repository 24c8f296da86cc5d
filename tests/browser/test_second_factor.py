"""Browser: a staff member signs in under required MFA, enrols an authenticator app by
keyboard (the key read as text, as a screen reader would), keeps the recovery codes, then
uses the htmx registry search — with the Content-Security-Policy on and no violation."""

from __future__ import annotations

import time

import pytest

from tests.browser.test_journey import page  # noqa: F401 (the Chromium page fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _code_from_key(key: str) -> str:
    import base64

    from django_otp.oath import totp

    secret = base64.b32decode(key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8))
    return f"{totp(secret, step=30, t0=0, digits=6, drift=0):06d}"


def test_enrol_verify_and_search_under_csp(page, live_server, world, settings):  # noqa: F811
    settings.VETBRIDGE_MFA_REQUIRED = True
    user = world["users"]["case_worker"]
    user.set_password("browser-test-password")
    user.language = "en"
    user.save()
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Ім'я користувача").fill("case_worker")
    page.get_by_label("Пароль").fill("browser-test-password")
    page.get_by_role("button", name="Увійти").click()
    # Led to enrolment, with the reason said.
    page.get_by_role("heading", name="Authenticator app").wait_for()
    assert "requires a second factor" in page.content()
    assert page.get_by_role("img", name="QR code to scan with your authenticator app").count()
    key = page.locator("code.secret").inner_text()
    page.get_by_label("Code").fill(_code_from_key(key))
    page.get_by_label("Code").press("Enter")
    page.get_by_role("heading", name="Recovery codes").wait_for()
    assert page.locator("ul.recovery-codes li").count() == 10
    page.get_by_role("link", name="I have kept them: continue").click()

    # The registry search (htmx, no eval) works under the policy.
    page.goto(f"{live_server.url}/people/")
    page.locator("#id_q").fill("Коваленко")
    time.sleep(1.0)
    page.get_by_role("link", name="Коваленко Ігор").first.wait_for()
    assert not violations, violations
