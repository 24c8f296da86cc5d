"""Browser journey of the roadmap (headless Chromium): the French cooperation officer creates
an action under "Réhabilitation et réinsertion" with an indicator computed from referrals; the
Ukrainian officer sees it in Ukrainian (told it exists only in French), updates its status
and records a meeting's decision on it; the public page shows the public action."""

from __future__ import annotations

import pytest

from tests.browser.test_journey import page  # noqa: F401 (the Chromium page fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _axe_violations(page) -> list[str]:  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    return [v["id"] for v in Axe().run(page).response["violations"]]


def _login(page, url: str, username: str) -> None:  # noqa: F811
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.get_by_label("Ім'я користувача").fill(username)
    page.get_by_label("Пароль").fill("browser-test-password")
    page.get_by_role("button", name="Увійти").click()


def test_officers_build_the_roadmap_and_the_public_sees_it(page, live_server, make_user):  # noqa: F811
    from vetbridge.cooperation.models import Action, Indicator, MeetingDecision

    for username, language, side in (("coop.fr", "fr", "fr"), ("coop.ua", "uk", "ua")):
        user = make_user("cooperation_officer", username, language=language, side=side)
        user.set_password("browser-test-password")
        user.save()

    # The French officer, French interface.
    _login(page, live_server.url, "coop.fr")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Coopération"
    ).click()
    page.get_by_role("link", name="Nouvelle action").click()
    page.get_by_label("Axe").select_option(label="Réhabilitation et réinsertion")
    page.get_by_label("Titre en français").fill("Programme de sport adapté")
    page.get_by_label("Afficher sur la page publique").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Programme de sport adapté").wait_for()
    action = Action.objects.get()
    assert action.axis.code == "rehabilitation" and action.title == {
        "fr": "Programme de sport adapté"
    }
    page.get_by_role("link", name="Ajouter un indicateur").click()
    page.get_by_label("Code", exact=False).first.fill("sport-referrals")
    page.get_by_label("Nom en français").fill("Orientations vers le sport adapté")
    page.get_by_label("Numérateur (calculé par la plateforme)").select_option(
        "reintegration.referrals_sent"
    )
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="sport-referrals").wait_for()
    indicator = Indicator.objects.get()
    assert indicator.numerator == "reintegration.referrals_sent"
    assert indicator.action == action and indicator.values.exists()

    # The Ukrainian officer, Ukrainian interface.
    _login(page, live_server.url, "coop.ua")
    page.get_by_role("navigation", name="Головне меню").get_by_role(
        "link", name="Співпраця"
    ).click()
    page.get_by_role("link", name=action.reference).click()
    heading = page.get_by_role("heading", level=1)
    assert "лише французькою" in heading.inner_text()
    assert _axe_violations(page) == []
    assert page.locator('h1 span[lang="fr"]').inner_text() == "Programme de sport adapté"
    page.get_by_label("Новий стан").select_option("in_progress")
    page.get_by_label("Примітка").fill("Старт у Львові")
    page.get_by_role("button", name="Оновити стан").click()
    page.get_by_text("Стан оновлено.").wait_for()
    action.refresh_from_db()
    assert action.status == "in_progress"

    page.get_by_role("link", name="Зустрічі та візити").first.click()
    page.get_by_role("link", name="Зафіксувати зустріч").click()
    page.get_by_label("Вид").select_option("steering")
    page.get_by_label("Дата").fill("2026-11-20")
    page.get_by_label("Назва українською").fill("Керівний комітет")
    page.get_by_role("button", name="Зберегти").click()
    page.get_by_role("heading", name="Керівний комітет").wait_for()
    page.get_by_label("Рішення українською").fill("Програма під загрозою: бракує тренерів")
    page.get_by_label("Номер дії (для оновлення)").fill(str(action.pk))
    page.get_by_label("Новий стан дії").select_option("at_risk")
    page.get_by_role("button", name="Зафіксувати рішення").click()
    page.get_by_text("Рішення зафіксовано.").wait_for()
    decision = MeetingDecision.objects.get()
    action.refresh_from_db()
    assert (decision.action, decision.effect, action.status) == (action, "updated", "at_risk")
    assert page.get_by_role("link", name=action.reference).count() == 1

    # Anyone, without logging in.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/cooperation/")
    page.get_by_role("cell", name="Programme de sport adapté").wait_for()
    assert "лише французькою" in page.content()
    assert _axe_violations(page) == []
