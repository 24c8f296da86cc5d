"""Browser journey in headless Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

import os
import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def page(live_server):
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is required: `make test` installs it")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        context = browser.new_context(locale="uk-UA")
        pg = context.new_page()
        pg.set_default_timeout(15000)
        yield pg
        context.close()
        browser.close()


def test_login_create_cyrillic_person_switch_language_check_audit(page, live_server, world):
    from vetbridge.accounts.models import AuditLog

    admin = world["users"]["admin"]
    admin.set_password("browser-test-password")
    admin.save()
    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "uk"
    page.get_by_label("Ім'я користувача").fill("admin")
    page.get_by_label("Пароль").fill("browser-test-password")
    page.get_by_role("button", name="Увійти").click()
    page.get_by_role("navigation", name="Головне меню").get_by_role(
        "link", name="Зареєструвати особу").click()
    page.get_by_label("Прізвище").fill("Гончаренко")
    page.get_by_label("Ім'я", exact=True).fill("Василь")
    page.get_by_label("По батькові").fill("Іванович")
    page.get_by_role("button", name="Зберегти").click()
    page.get_by_role("heading", name="Гончаренко Василь Іванович").wait_for()

    # Keyboard-only language switch to French.
    page.get_by_label("Мова", exact=True).select_option("fr")
    page.get_by_role("button", name="Змінити").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Identité").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"

    page.get_by_role("link", name="Journal d'audit").click()
    page.get_by_label("Action").select_option("create")
    page.get_by_role("button", name="Filtrer").click()
    row = page.get_by_role("row").filter(has_text="Гончаренко Василь")
    row.first.wait_for()
    assert "création" in row.first.inner_text()
    assert AuditLog.objects.filter(action="create", actor=admin,
                                   summary__contains="Гончаренко").exists()
