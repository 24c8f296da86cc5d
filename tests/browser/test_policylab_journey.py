"""Browser journey of the policy lab: the analyst (French interface) runs the +5 % point-value
reform on the demo population and reads the cost chart and its table."""

from __future__ import annotations

import pytest

from tests.browser.test_journey import _login, page  # noqa: F401 (the Chromium page fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_analyst_runs_point_value_reform_and_reads_the_cost_chart(page, live_server, world):  # noqa: F811
    from vetbridge.policylab.models import SimulationRun

    analyst = world["users"]["analyst"]
    analyst.language = "fr"
    analyst.save(update_fields=["language"])
    _login(page, live_server, analyst)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Laboratoire des politiques"
    ).click()
    page.get_by_role("heading", name="Laboratoire des politiques", level=1).wait_for()
    # The demo population: the seeded synthetic population offered by default.
    assert page.get_by_role("radio", name="population synthétique").is_checked()
    page.get_by_label("Droit en vigueur le").fill("2026-03-01")
    page.get_by_label("Réforme", exact=True).select_option(label="PMI point value +5 %")
    page.get_by_role("button", name="Lancer la simulation").click()

    chart = page.get_by_role("region", name="Coût annuel par tranche de taux")
    chart.wait_for()
    figure = chart.get_by_role("img", name="Coût annuel par tranche de taux")
    assert figure.locator("svg").count() == 1
    assert figure.locator("svg").bounding_box()["width"] > 300
    table = chart.get_by_role("table")
    assert "données" in table.locator("caption").inner_text()
    row = table.get_by_role("row").filter(has_text="10–19")
    cells = row.get_by_role("cell").all_inner_texts()
    baseline, reform = cells[2], cells[5]  # cost, baseline and reform (EUR), French digits

    def to_number(s: str) -> float:
        return float(s.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", "."))

    assert to_number(reform) > to_number(baseline) > 0
    run = SimulationRun.objects.get()
    assert run.results["reform"]["total_eur"] > run.results["baseline"]["total_eur"]
    assert run.created_by == analyst and run.reform_name == "PMI point value +5 %"
    total = page.locator("#reform-total").inner_text()
    assert to_number(total) == pytest.approx(run.results["reform"]["total_eur"], abs=0.01)

    # The results page and the lab page pass axe's automated accessibility rules.
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = axe.run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    assert found.violations_count == 0, found.generate_report()
    page.get_by_role("link", name="Retour au laboratoire des politiques").click()
    page.get_by_role("heading", name="Laboratoire des politiques", level=1).wait_for()
    assert page.get_by_role("row").filter(has_text="PMI point value +5 %").count() == 1
    found = axe.run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    assert found.violations_count == 0, found.generate_report()
