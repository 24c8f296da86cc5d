"""Browser journey in headless Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

import os
import shutil

import pytest

from vetbridge.core.services import input_from
from vetbridge.memorial.services import RecordChanges
from vetbridge.people.services import NameInput, PersonInput

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def page(live_server):
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is required: `make test` installs it")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
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
        "link", name="Зареєструвати особу"
    ).click()
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
    assert AuditLog.objects.filter(
        action="create", actor=admin, summary__contains="Гончаренко"
    ).exists()


def test_find_across_scripts_review_duplicate_merge_and_undo(page, live_server, world, regions):
    """A case worker finds a Cyrillic file by its French spelling (in Ukrainian), meets the
    duplicate warning when registering the same man again, then (in French) merges the pair
    from the queue and undoes the merge."""
    import datetime as dt

    from vetbridge.people.models import Person, PersonMerge
    from vetbridge.people.services import person_create

    taras = person_create(
        actor=None,
        data=input_from(
            PersonInput, {"region": regions["UA-46"], "birth_date": dt.date(1991, 3, 9)}
        ),
        names=[
            input_from(
                NameInput,
                {"surname": "Шевченко", "given_name": "Тарас", "patronymic": "Григорович"},
            )
        ],
    )
    worker = world["users"]["case_worker"]
    worker.set_password("browser-test-password")
    worker.save()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Ім'я користувача").fill(worker.username)
    page.get_by_label("Пароль").fill("browser-test-password")
    page.get_by_role("button", name="Увійти").click()

    # Search-as-you-type with a French press spelling finds the Cyrillic file, with reasons.
    page.goto(f"{live_server.url}/people/")
    page.get_by_label("Ім'я або зовнішній ідентифікатор").fill("Tarass Chevtchenko")
    page.get_by_text("найкращий збіг першим").first.wait_for()
    row = page.get_by_role("row").filter(has_text="Шевченко Тарас Григорович")
    assert "те саме ім'я в іншому написанні" in row.inner_text()

    # Registering him again from a unit list: warned before anything is saved.
    page.get_by_role("navigation", name="Головне меню").get_by_role(
        "link", name="Зареєструвати особу"
    ).click()
    page.get_by_label("Прізвище").fill("Shevchenko")
    page.get_by_label("Ім'я", exact=True).fill("Taras")
    page.get_by_label("Дата народження").fill("1991-03-09")
    page.get_by_label("Регіон проживання").select_option(str(worker.region_id))
    page.get_by_role("button", name="Зберегти").click()
    page.get_by_role("heading", name="Ця особа, можливо, вже зареєстрована").wait_for()
    assert Person.objects.count() == 3  # world's two + Taras: nothing saved
    page.get_by_role("button", name="Жодна з них: зареєструвати нову особу").click()
    page.get_by_role("heading", name="Shevchenko Taras").wait_for()

    # In French: the queue, the merge, the undo.
    page.get_by_label("Мова", exact=True).select_option("fr")
    page.get_by_role("button", name="Змінити").click()
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Doublons"
    ).click()
    pair = page.get_by_role("region").filter(has_text="Shevchenko Taras")
    pair.get_by_label(f"garder le n° {taras.pk}").check()
    pair.get_by_role("button", name="Fusionner").click()
    page.get_by_text("Dossiers fusionnés.").wait_for()
    assert PersonMerge.objects.filter(survivor=taras).exists()
    page.get_by_role("button", name="Annuler cette fusion").click()
    page.get_by_text("La fusion a été annulée").wait_for()
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def _login(page, live_server, user, password="browser-test-password"):  # noqa: S107
    user.set_password(password)
    user.save()
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("form.login button[type=submit], main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_claim_end_to_end_in_ukrainian_and_french(page, live_server, world, tmp_path):
    """The veteran files (uk) with a document, the assessor (fr) records the infirmities, the
    officer (fr) grants, the veteran (uk) downloads the letter and appeals."""
    users = world["users"]
    for role, lang in (("veteran", "uk"), ("medical_assessor", "fr"), ("pension_officer", "fr")):
        users[role].language = lang
        users[role].save()
    scan = tmp_path / "vypyska.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

    _login(page, live_server, users["veteran"])
    page.goto(f"{live_server.url}/people/{world['lviv'].pk}/")
    page.get_by_role("link", name="Подати заяву").click()
    page.get_by_label("Вид заяви").select_option("fr_pension")
    page.get_by_role("button", name="Далі").click()  # step 1 of 2: the type, then its fields
    page.get_by_label("Що сталося").fill("Поранення осколком під Бахмутом, 2023")
    page.get_by_label("Підтвердний документ (PDF, PNG або JPEG)").set_input_files(str(scan))
    page.get_by_role("button", name="Подати заяву").click()
    page.locator(".messages").get_by_text("Заяву подано").wait_for()
    claim = world["lviv"].claims.get()
    assert claim.documents.count() == 1

    _login(page, live_server, users["medical_assessor"])
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    page.get_by_role("button", name="Commencer l'expertise médicale").click()
    page.get_by_text("C'est fait").wait_for()
    form = page.locator("form.infirmities")
    form.locator("#id_inf-0-label").fill("Amputation de l'avant-bras gauche")
    form.locator("#id_inf-0-rate").fill("60")
    form.locator("#id_inf-0-context").select_option("war")
    form.locator("#id_inf-0-incurable").check()
    form.get_by_role("button", name="Enregistrer les infirmités").click()
    page.get_by_text("Infirmités enregistrées.").wait_for()
    page.get_by_role("button", name="Clore l'expertise : prête pour décision").click()
    page.get_by_text("C'est fait").wait_for()

    _login(page, live_server, users["pension_officer"])
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    page.get_by_text("Amputation de l'avant-bras gauche", exact=False).first.wait_for()
    page.get_by_label("Accorder").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_text("Décision enregistrée").wait_for()

    _login(page, live_server, users["veteran"])
    page.goto(f"{live_server.url}/claims/notifications/")
    page.get_by_role("link", name=claim.reference).first.click()
    page.get_by_text("Ваше право визнано").first.wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Завантажити лист (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_label("Що ви оскаржуєте в рішенні").fill("Не враховано шум у вухах")
    page.get_by_role("button", name="Оскаржити рішення").click()
    page.get_by_text("Готово: заявника").wait_for()
    claim.refresh_from_db()
    assert claim.state == "appealed"


def test_memorial_search_tribute_and_moderation_in_two_languages(page, live_server, world, regions):
    """A visitor (French) finds a Cyrillic name by its French spelling and leaves a tribute;
    the memorial editor (Ukrainian) publishes it; the visitor sees it."""
    import datetime as dt

    from vetbridge.memorial import services
    from vetbridge.people.services import person_create

    editor = world["users"]["memorial_editor"]
    taras = person_create(
        actor=None,
        data=input_from(
            PersonInput,
            {
                "lifecycle": "fallen",
                "region": regions["UA-46"],
                "lifecycle_date": dt.date(2024, 2, 17),
            },
        ),
        names=[
            input_from(
                NameInput,
                {"surname": "Шевченко", "given_name": "Тарас", "patronymic": "Григорович"},
            )
        ],
    )
    rec = services.record_create_for(actor=editor, person_id=taras.pk)
    services.record_update(
        actor=editor,
        record_id=rec.pk,
        expected_version=rec.version,
        source="Книга пам'яті",
        data=input_from(RecordChanges, {"unit": "93 ОМБр", "death_place": "Авдіївка"}),
    )
    services.record_publish(
        actor=editor, record_id=rec.pk, basis="consent", note="Родина, 2025-01-10"
    )

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/memorial/")
    page.get_by_label("Мова", exact=True).select_option("fr")
    page.get_by_role("button", name="Змінити").click()
    page.get_by_role("heading", name="Mémorial des morts").wait_for()
    page.get_by_label("Nom, dans toute écriture ou graphie").fill("Tarass Chevtchenko")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Шевченко Тарас Григорович").click()
    page.get_by_role("heading", name="Шевченко Тарас Григорович").wait_for()
    assert "Авдіївка" in page.content()
    page.get_by_text("Laisser un hommage, une photo ou une correction").click()
    page.get_by_label("Votre nom").fill("Claire")
    page.get_by_label("Votre lien avec la personne").fill("amie de la famille")
    page.get_by_label("Vos mots").fill("Nous ne t'oublierons pas. <script>alert(1)</script>")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("Merci. Votre message apparaîtra").wait_for()
    assert "Nous ne t'oublierons pas" not in page.locator("section.panel").inner_text()

    _login(page, live_server, editor)
    page.get_by_role("navigation", name="Головне меню").get_by_role(
        "link", name="Редакція меморіалу"
    ).click()
    review = page.get_by_role("article").filter(has_text="Claire")
    review.get_by_role("button", name="Опублікувати").click()
    page.get_by_text("Модерацію зафіксовано.").wait_for()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/memorial/{rec.pk}/")
    tribute = page.locator("figure.tribute")
    tribute.wait_for()
    assert "Nous ne t'oublierons pas. <script>alert(1)</script>" in tribute.inner_text()
    assert "Claire" in tribute.inner_text()


def test_care_from_first_contact_to_a_referral_with_an_outcome(page, live_server, world):
    """The case worker (uk) registers a veteran, becomes the contact person, records an
    injury, a goal and a WHODAS assessment, refers him with consent; the partner (fr) accepts
    and records the outcome, seeing no medical detail; the case worker sees the outcome."""
    worker, partner = world["users"]["case_worker"], world["users"]["partner"]
    partner.language = "fr"
    partner.save()
    _login(page, live_server, worker)
    page.get_by_role("navigation", name="Головне меню").get_by_role(
        "link", name="Зареєструвати особу"
    ).click()
    page.get_by_label("Прізвище").fill("Мельничук")
    page.get_by_label("Ім'я", exact=True).fill("Остап")
    page.get_by_label("Регіон проживання").select_option(str(worker.region_id))
    page.get_by_role("button", name="Зберегти").click()
    page.get_by_role("heading", name="Мельничук Остап").wait_for()
    page.get_by_role("link", name="Відкрити маршрут допомоги").click()
    page.get_by_role("button", name="Стати контактною особою").click()
    page.get_by_text("Тепер ви — контактна особа").wait_for()

    page.get_by_text("Поранення", exact=True).click()
    page.get_by_label("Код МКХ-10").fill("S82.2")
    page.locator("#id_injury-label").fill("Перелом великогомілкової кістки")
    page.locator("form[action$='/add/injury/'] button").click()
    page.get_by_text("S82.2 Перелом великогомілкової кістки").wait_for()

    page.get_by_text("Мета реабілітації", exact=True).click()
    page.locator("#id_goal-domain").select_option("work")
    page.locator("#id_goal-description").fill("Працювати електриком")
    page.locator("form[action$='/add/goal/'] button").click()
    page.get_by_text("Працювати електриком").first.wait_for()

    page.get_by_text("Оцінювання WHODAS 2.0", exact=True).click()
    page.locator("#id_whodas-assessed_on").fill("2026-11-01")
    for i in range(1, 13):
        page.locator(f"input[name='whodas-S{i}'][value='{i % 3}']").check()
    page.locator("form[action$='/add/whodas/'] button").click()
    page.get_by_role("img", name="Бал WHODAS за датами").wait_for()

    page.get_by_role("link", name="Скерувати до партнера").click()
    page.locator("#id_partner").select_option(label="Veteran Hub Lviv")
    page.locator("#id_service").select_option("employment")
    page.get_by_label("Що потрібно знати партнеру").fill("Електрик, шукає роботу у Львові")
    page.get_by_label("Згоду надано").fill("2026-11-20")
    page.get_by_label("Чим ветеран погодився поділитися").fill("Ім'я, телефон, фах")
    page.get_by_role("button", name="Надіслати скерування").click()
    page.get_by_text("Скерування надіслано").wait_for()

    _login(page, live_server, partner)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Orientations"
    ).click()
    page.get_by_role("row").filter(has_text="Мельничук").get_by_role("link").click()
    assert "S82.2" not in page.content() and "великогомілков" not in page.content()
    page.get_by_role("button", name="Accepter").click()
    page.locator("#id_outcome").select_option("employed")
    page.locator("#id_note").fill("Embauché comme électricien")
    page.get_by_role("button", name="Enregistrer le résultat").click()
    page.get_by_text("en emploi").first.wait_for()
    assert page.goto(f"{live_server.url}/care/{worker.caseload.get().pk}/").status == 403

    _login(page, live_server, worker)
    page.get_by_role("navigation", name="Головне меню").get_by_role(
        "link", name="Мої підопічні"
    ).click()
    page.get_by_role("link", name="Мельничук Остап").click()
    page.get_by_text("завершено · працевлаштовано").wait_for()
