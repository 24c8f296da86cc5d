"""The public simulator by keyboard only, in French and in Ukrainian (headless Chromium)."""

from __future__ import annotations

import pytest

from tests.browser.test_journey import page  # noqa: F401 (the Chromium page fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _focused_id(pg) -> str:
    return pg.evaluate(
        "document.activeElement && (document.activeElement.id || document.activeElement.className)"
    )


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "fr",
            {
                "rate": "Taux (%)",
                "label": "Infirmité",
                "group": "Infirmité 1",
                "compute": "Calculer l’estimation",
                "problem": "Il y a un problème",
                "not_number": "doit être un nombre",
                "result": "France : pension militaire",
                "amount": "Montant annuel estimé",
                "estimate": "pas une décision",
            },
        ),
        (
            "uk",
            {
                "rate": "Відсоток (%)",
                "label": "Ушкодження",
                "group": "Ушкодження 1",
                "compute": "Розрахувати оцінку",
                "problem": "Є помилки",
                "not_number": "має бути числом",
                "result": "Франція: військова пенсія",
                "amount": "Орієнтовна сума на рік",
                "estimate": "не рішення",
            },
        ),
    ],
)
def test_public_simulator_by_keyboard(page, live_server, lang, words):  # noqa: F811
    page.context.add_cookies(
        [{"name": "vetbridge_language", "value": lang, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/simulator/")
    assert page.locator("html").get_attribute("lang") == lang
    page.locator("#id_date").fill("2025-06-01")

    first = page.get_by_role("group", name=words["group"], exact=True)
    first.get_by_label(words["label"], exact=True).focus()
    page.keyboard.type("Genou droit")
    page.keyboard.press("Tab")  # to the rate
    assert _focused_id(page) == "id_inf-0-rate"
    page.keyboard.type("douze")
    page.locator("form.simulator button[name=compute]").focus()
    page.keyboard.press("Enter")

    summary = page.get_by_role("alert").filter(has_text=words["problem"])
    summary.wait_for()
    assert words["not_number"] in summary.inner_text()
    page.wait_for_function(
        "document.activeElement && document.activeElement.classList.contains('error-summary')"
    )
    # The summary's link leads to the field, by keyboard.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'id_inf-0-rate'"
    )
    page.keyboard.press("Control+A")
    page.keyboard.type("12,5")
    second = page.get_by_role("group", name=words["group"].replace("1", "2"), exact=True)
    second.get_by_label(words["rate"], exact=True).focus()
    page.keyboard.type("30")
    page.locator("form.simulator button[name=compute]").focus()
    page.keyboard.press("Enter")

    live = page.locator("#result[aria-live=polite]")
    live.get_by_role("heading", name=words["result"]).wait_for()
    text = live.inner_text()
    assert words["amount"] in text and "€" in text
    assert words["estimate"] in text
    steps = live.locator("ol.steps li")
    assert steps.count() >= 4
    assert "Genou droit" in steps.first.inner_text() or "Genou droit" in text

    # axe-core on the page with its result: no serious or critical violation.
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        v["id"]
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not serious, results.generate_report()
