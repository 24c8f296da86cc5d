"""Input that cannot lie, in a real browser: the assessor's fiche in French and Ukrainian.

"12,5" and "12.5" are both 12.5 whatever the interface language ("7,5" is 7.5, never 75);
what is not a number is refused next to its field in the user's language; and a fiche with an
error comes back with everything the assessor typed, notes included.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.browser.test_journey import _login, page  # noqa: F401 (the browser fixture)
from vetbridge.reparation.kinds import ClaimFiling, FrenchSituation
from vetbridge.reparation.services import InfirmityRow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ERRORS = {
    "fr": "Saisissez un nombre, par ex. 12,5 ou 12.5.",
    "uk": "Введіть число, напр. 12,5 або 12.5.",
}
SAVED = {"fr": "Infirmités enregistrées.", "uk": "Ушкодження збережено."}
SAVE = {"fr": "Enregistrer les infirmités", "uk": "Зберегти ушкодження"}


def _claim_in_assessment(world):
    from vetbridge.reparation import services

    users = world["users"]
    claim = services.claim_file(
        actor=users["veteran"], person_id=world["lviv"].pk, filing=ClaimFiling("fr_pension")
    )
    return services.claim_transition(
        actor=users["medical_assessor"],
        claim_id=claim.pk,
        name="start_assessment",
        expected_version=claim.version,
    )


@pytest.mark.parametrize("lang", ["fr", "uk"])
def test_rates_with_comma_or_dot_and_a_refused_fiche_keeps_what_was_typed(
    page, live_server, world, lang
):  # noqa: F811
    assessor = world["users"]["medical_assessor"]
    assessor.language = lang
    assessor.save()
    claim = _claim_in_assessment(world)
    _login(page, live_server, assessor)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    assert page.locator("html").get_attribute("lang") == lang
    form = page.locator("form.infirmities")

    # A word in the rate field: refused next to the field, in the user's language, and the
    # whole fiche comes back as typed (the assessor's notes too).
    form.locator("#id_inf-0-label").fill("Acouphènes bilatéraux")
    form.locator("#id_inf-0-rate").fill("douze")
    form.locator("#id_inf-0-context").select_option("war")
    form.locator("#id_inf-1-label").fill("Raideur du genou")
    form.locator("#id_inf-1-rate").fill("7,5")
    form.locator("#id_children_birth_dates").fill("2015-09-01")
    notes = "Examen du 3 mars : audiogramme joint ; revoir dans 6 mois."
    form.locator("#id_medical_notes").fill(notes)
    form.get_by_role("button", name=SAVE[lang]).click()
    error = page.locator("#id_inf-0-rate_error")
    error.wait_for()
    assert error.inner_text() == ERRORS[lang]
    form = page.locator("form.infirmities")
    assert form.locator("#id_inf-0-rate").input_value() == "douze"
    assert form.locator("#id_inf-0-label").input_value() == "Acouphènes bilatéraux"
    assert form.locator("#id_inf-1-rate").input_value() == "7,5"
    assert form.locator("#id_medical_notes").input_value() == notes
    assert form.locator("#id_children_birth_dates").input_value() == "2015-09-01"
    claim.refresh_from_db()
    assert not claim.infirmities.exists() and claim.medical_notes == ""

    # Comma and dot both read as decimals, in either language.
    form.locator("#id_inf-0-rate").fill("12,5")
    form.locator("#id_inf-1-rate").fill("7.5")
    form.get_by_role("button", name=SAVE[lang]).click()
    page.get_by_text(SAVED[lang]).wait_for()
    claim.refresh_from_db()
    assert list(claim.infirmities.values_list("rate", flat=True)) == [
        Decimal("12.5"),
        Decimal("7.5"),
    ]
    assert claim.medical_notes == notes and claim.children_birth_dates == ["2015-09-01"]
    # Shown back in the reader's own notation.
    shown = page.locator("form.infirmities #id_inf-0-rate").input_value()
    assert shown == "12,5"


def test_claim_page_with_situation_notification_and_late_appeal_is_accessible(
    page, live_server, world
):  # noqa: F811
    """The officer's claim page (French) with every new part open: situation, frozen
    situation, notification form, late appeal with admissibility and expertise forms. axe-core
    finds no serious or critical violation; the notification is recorded by keyboard."""
    import datetime as dt

    from axe_playwright_python.sync_playwright import Axe

    from vetbridge.reparation import services
    from vetbridge.reparation.models import Decision

    users = world["users"]
    officer = users["pension_officer"]
    officer.language = "fr"
    officer.save()
    claim = services.claim_file(
        actor=users["case_worker"],
        person_id=world["lviv"].pk,
        filing=ClaimFiling(
            "fr_pension", details=FrenchSituation(third_person=True, grand_mutile=True)
        ),
    )
    claim = services.claim_transition(
        actor=users["medical_assessor"],
        claim_id=claim.pk,
        name="start_assessment",
        expected_version=claim.version,
    )
    claim = services.infirmities_set(
        actor=users["medical_assessor"],
        claim_id=claim.pk,
        expected_version=claim.version,
        rows=[
            InfirmityRow(
                label="Paraplégie", rate="100", cause="injury", context="war", incurable=True
            )
        ],
    )
    claim = services.claim_transition(
        actor=users["medical_assessor"],
        claim_id=claim.pk,
        name="complete_assessment",
        expected_version=claim.version,
    )
    decision = services.claim_decide(
        actor=officer, claim_id=claim.pk, expected_version=claim.version, grant=True
    )
    Decision.objects.filter(pk=decision.pk).update(computed_on=dt.date(2020, 1, 1))
    _login(page, live_server, officer)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    page.get_by_text("Date de notification pas encore enregistrée").wait_for()
    page.get_by_text("Enregistrer la date de notification").click()
    page.get_by_label("Notifiée au demandeur le").fill("2020-01-06")
    page.get_by_label("Notifiée au demandeur le").press("Enter")
    page.get_by_text("Date de notification enregistrée").wait_for()
    page.get_by_text("recours jusqu'au").first.wait_for()
    claim.refresh_from_db()
    services.claim_transition(
        actor=users["veteran"],
        claim_id=claim.pk,
        name="appeal",
        expected_version=claim.version,
        note="Taux sous-estimé",
    )
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    page.get_by_text("Tardif : déposé après la date limite.").wait_for()
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], [n["target"] for n in v["nodes"]]) for v in serious]
