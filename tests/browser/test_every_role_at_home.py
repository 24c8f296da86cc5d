"""Every role at home, in Ukrainian and in French (issue #16, "done when"), in a real browser:

- a list (the registry, the claim queue) shows dates in the reader's form, never ISO;
- a person's history reads as sentences in the reader's language, without internal codes;
- the page's XLSX export, downloaded through its link and read back with openpyxl, has its
  header in the reader's language and exactly the rows the page lists (nothing outside the
  reader's scope);
- an officer's request for information reaches the claimant through a real SMTP server
  (aiosmtpd) in the claimant's language, which is not the officer's;
- the WHODAS chart is drawn: every point inside the plot area;
- the care summary PDF is in the reader's language, with its dates written out.

The session is set in the browser directly (no login page) and each test loads few pages.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from tests.browser.test_accessibility import _sign_in
from tests.browser.test_journey import page  # noqa: F401 (the Chromium page fixture)
from vetbridge.core.services import input_from
from vetbridge.people.services import PersonChanges, StatusInput
from vetbridge.reparation.kinds import ClaimFiling

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OTHER = {"uk": "fr", "fr": "uk"}
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SHORT = {"uk": re.compile(r"^\d{2}\.\d{2}\.\d{4}$"), "fr": re.compile(r"^\d{2}/\d{2}/\d{4}$")}
SHORT_PATTERN = {"uk": "%d.%m.%Y", "fr": "%d/%m/%Y"}
# Internal codes a person must never read in a history.
CODES = (
    "provide_information",
    "request_information",
    "needs_information",
    "contact_person",
    "whodas12",
    "ua_combatant",
    "birth_date",
    "reparation.claim",
    "people.person",
    "{",
    "}",
    "None",
    "True",
    "False",
    "_",
)


def _spaces(text: str) -> str:
    """Runs of spaces (no-break and narrow no-break ones included) as one space."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _short(day: dt.date, lang: str) -> str:
    return day.strftime(SHORT_PATTERN[lang])


def _table(page, selector: str = "main table") -> tuple[list[str], list[list[str]]]:  # noqa: F811
    """The header and the body rows of the first table matching, as the reader sees them."""
    table = page.locator(selector).first
    header = [t.strip(" ▲▼\n") for t in table.locator("thead th").all_inner_texts()]  # sort marks
    rows = table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    return header, rows


def _xlsx(download) -> tuple[list[str], list[list]]:
    from openpyxl import load_workbook

    # The downloaded file has no extension, which openpyxl requires: read its bytes.
    book = load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True)
    sheet = book.worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [str(h) for h in values[0]], values[1:]


def _cell_text(value, lang: str) -> str:
    """An XLSX cell as the page writes it: dates in the reader's short form."""
    if isinstance(value, dt.datetime):
        return _short(value.date(), lang)
    if isinstance(value, dt.date):
        return _short(value, lang)
    return "—" if value in (None, "") else str(value)


def _named(world, lang: str):
    """Names on the accounts (the history says who did what) and the readers' languages."""
    users = world["users"]
    for role, first, last in (
        ("case_worker", "Оксана", "Мельник"),
        ("pension_officer", "Claire", "Martin"),
        ("veteran", "Ігор", "Коваленко"),
    ):
        user = users[role]
        user.first_name, user.last_name = first, last
        user.language = lang if role != "veteran" else OTHER[lang]
        user.email = f"{role}@example.org"
        user.save()
    return users


# ---------------------------------------------------------------- registry, history, export


@pytest.mark.parametrize("lang", ["uk", "fr"])
def test_registry_list_history_and_xlsx_export_in_the_readers_language(
    page, live_server, world, make_person, lang
):  # noqa: F811
    """The case worker's registry: dates in the reader's form, the XLSX export equal to the
    page (her region only), and a person's history told in sentences."""
    from vetbridge.care import services as care
    from vetbridge.people import services as people
    from vetbridge.reparation import services as claims

    users = _named(world, lang)
    worker, lviv = users["case_worker"], world["lviv"]
    olena = make_person("Бондаренко", "Олена", birth_date=dt.date(1986, 12, 2), external_id="P-2")
    maria = make_person("Ткаченко", "Марія", birth_date=dt.date(1979, 3, 1))
    make_person("Поза", "Регіоном", region="UA-30", birth_date=dt.date(1980, 1, 1))
    # What the history will tell: an edit with a date, a status, the contact person, a
    # claim asked for information and answered, a WHODAS assessment.
    people.person_update(
        actor=worker,
        person_id=lviv.pk,
        expected_version=lviv.version,
        data=PersonChanges(birth_date=dt.date(1991, 3, 9), birth_place="Львів"),
    )
    people.person_status_add(
        actor=worker,
        person_id=lviv.pk,
        data=input_from(
            StatusInput,
            {
                "kind": "ua_combatant",
                "valid_from": dt.date(2023, 4, 1),
                "document_number": "АБ 123",
            },
        ),
    )
    care.contact_set(actor=worker, person_id=lviv.pk)
    claim = claims.claim_file(
        actor=users["veteran"], person_id=lviv.pk, filing=ClaimFiling("fr_pension")
    )
    claim = claims.claim_transition(
        actor=users["pension_officer"],
        claim_id=claim.pk,
        name="request_information",
        expected_version=claim.version,
        note="Виписка з лікарні",
    )
    claims.claim_transition(
        actor=users["veteran"],
        claim_id=claim.pk,
        name="provide_information",
        expected_version=claim.version,
    )
    care.whodas_add(
        actor=worker,
        person_id=lviv.pk,
        assessed_on=dt.date(2026, 11, 1),
        answers={f"S{i}": i % 3 for i in range(1, 13)},
    )

    _sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}/people/")
    assert page.locator("html").get_attribute("lang") == lang
    header, rows = _table(page)
    births = [
        r[header.index({"uk": "Дата народження", "fr": "Date de naissance"}[lang])] for r in rows
    ]
    assert _short(dt.date(1986, 12, 2), lang) in births
    assert all(SHORT[lang].match(b) or b == "—" for b in births), births
    assert not ISO.search(page.locator("main table").inner_text())
    assert "Регіоном" not in page.locator("main").inner_text()  # another region: out of scope

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("XLSX")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    xheader, xrows = _xlsx(download.value)
    assert {"uk": "Дата народження", "fr": "Date de naissance"}[lang] in xheader
    shared = [h for h in header if h in xheader]
    assert len(shared) >= 4, (header, xheader)  # No., name, birth date, region, lifecycle
    on_page = [[r[header.index(h)] for h in shared] for r in rows]
    in_file = [[_cell_text(r[xheader.index(h)], lang) for h in shared] for r in xrows]
    assert in_file == on_page
    # Her region only: the world's Lviv person and the two made here in Lviv.
    assert sorted(r[xheader.index(header[0])] for r in xrows) == [lviv.pk, olena.pk, maria.pk]

    page.goto(f"{live_server.url}/people/{lviv.pk}/history/")
    header, rows = _table(page)
    text = page.locator("main table").inner_text()
    for code in CODES:
        assert code not in text, (code, text)
    assert not ISO.search(text), text
    whens = [r[0] for r in rows]
    assert all(re.match(SHORT[lang].pattern[:-1] + r" \d{2}:\d{2}$", w) for w in whens), whens
    what = "\n".join(r[1] for r in rows)
    expected = {
        "uk": [
            "Оксана Мельник",
            "Claire Martin",
            claim.reference,
            "09.03.1991",
            "Львів",
            "очікує інформації від заявника",
        ],
        "fr": [
            "Оксана Мельник",
            "Claire Martin",
            claim.reference,
            "09/03/1991",
            "Львів",
            "en attente d'informations du demandeur",
        ],
    }[lang]
    for words in expected:
        assert words in what, (words, what)


# ---------------------------------------------------------------- claim queue, e-mail


def _mail_text(message) -> tuple[str, str]:
    """Subject and body of a received message, decoded, spaces normalised."""
    from email.header import decode_header, make_header

    subject = str(make_header(decode_header(message["Subject"])))
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    return _spaces(subject), body.replace("\u00a0", " ").replace("\u202f", " ")


WAITING = {"uk": "очікує інформації від заявника", "fr": "en attente d'informations du demandeur"}


@pytest.mark.parametrize("lang", ["uk", "fr"])
def test_claim_queue_export_and_a_request_for_information_mailed_in_the_claimants_language(
    page, live_server, world, smtp_server, lang
):  # noqa: F811
    """The case worker's claim queue sorted by filing date: dates in her form, the XLSX the
    same rows in the same order (her region only). The officer, in her language, asks the
    claimant for a document: the claimant's e-mail arrives in HIS language, the contact
    person's in hers."""
    from vetbridge.care import services as care
    from vetbridge.reparation import services as claims
    from vetbridge.reparation.models import Claim

    users = _named(world, lang)
    worker, officer, veteran = users["case_worker"], users["pension_officer"], users["veteran"]
    care.contact_set(actor=worker, person_id=world["lviv"].pk)
    first = claims.claim_file(
        actor=veteran, person_id=world["lviv"].pk, filing=ClaimFiling("fr_pension")
    )
    second = claims.claim_file(
        actor=worker, person_id=world["lviv"].pk, filing=ClaimFiling("fr_pension")
    )
    elsewhere = claims.claim_file(
        actor=users["admin"], person_id=world["kyiv"].pk, filing=ClaimFiling("fr_pension")
    )
    filed = {
        first.pk: dt.datetime(2026, 11, 3, 10, 0, tzinfo=dt.UTC),
        second.pk: dt.datetime(2026, 10, 12, 10, 0, tzinfo=dt.UTC),
    }
    for pk, at in filed.items():
        Claim.objects.filter(pk=pk).update(filed_at=at, state_since=at)
    smtp_server.clear()  # the filings' own notices are not what this test reads

    _sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}/claims/?sort=filed")
    assert page.locator("html").get_attribute("lang") == lang
    header, rows = _table(page, "table.queue")
    table_text = page.locator("table.queue").inner_text()
    assert not ISO.search(table_text), table_text
    filed_column = header.index({"uk": "Подано", "fr": "Déposée le"}[lang])
    assert [r[filed_column] for r in rows] == [
        _short(dt.date(2026, 10, 12), lang),
        _short(dt.date(2026, 11, 3), lang),
    ]
    assert elsewhere.reference not in table_text  # Kyiv: not her region

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("XLSX")).click()
    xheader, xrows = _xlsx(download.value)
    # The page's columns, in the reader's language, in the page's order (the last column
    # of the page holds buttons, not data).
    assert xheader[: len(header) - 1] == header[:-1]
    deadline = header.index({"uk": "Строк", "fr": "Échéance"}[lang])
    for on_page, in_file in zip(rows, xrows, strict=True):
        for i, cell in enumerate(on_page[:-1]):
            if i == deadline:  # "overdue from 02.01.2027 (passed)": the date in the file
                assert _cell_text(in_file[i], lang) in cell, (cell, in_file[i])
            else:
                assert _cell_text(in_file[i], lang) == cell, (header[i], cell, in_file[i])

    _sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/claims/{first.pk}/")
    page.get_by_label(
        {"uk": "Що має надати заявник", "fr": "Ce que le demandeur doit fournir"}[lang]
    ).fill("Виписка з госпіталю / bulletin d'hospitalisation")
    page.get_by_role(
        "button",
        name={
            "uk": "Запросити інформацію в заявника",
            "fr": "Demander des informations au demandeur",
        }[lang],
    ).click()
    page.locator(".messages").get_by_text({"uk": "Готово", "fr": "C'est fait"}[lang]).wait_for()

    mails = {m["X-Envelope-To"]: m for m in smtp_server}
    assert set(mails) == {veteran.email, worker.email}  # never the officer who acted
    claimant = OTHER[lang]
    assert mails[veteran.email]["Content-Language"] == claimant
    subject, body = _mail_text(mails[veteran.email])
    assert (
        subject
        == {
            "uk": f"Ваша заява {first.reference}: {WAITING['uk']}",
            "fr": f"Votre demande {first.reference} : {WAITING['fr']}",
        }[claimant]
    )
    assert body.startswith(
        {"uk": "Вітаємо, Ігор Коваленко!", "fr": "Bonjour Ігор Коваленко,"}[claimant]
    )
    assert {"uk": "Що потрібно надати:", "fr": "Ce qui est demandé :"}[claimant] in body
    assert "Виписка з госпіталю / bulletin d'hospitalisation" in body
    assert f"/claims/{first.pk}/" in body
    assert mails[worker.email]["Content-Language"] == lang
    subject, body = _mail_text(mails[worker.email])
    assert (
        subject
        == {
            "uk": f"Заява {first.reference}: {WAITING['uk']}",
            "fr": f"Demande {first.reference} : {WAITING['fr']}",
        }[lang]
    )
    assert body.startswith(
        {"uk": "Вітаємо, Оксана Мельник!", "fr": "Bonjour Оксана Мельник,"}[lang]
    )


# ---------------------------------------------------------------- care: chart and PDF


@pytest.mark.parametrize("lang", ["uk", "fr"])
def test_whodas_chart_drawn_inside_its_axes_and_the_care_pdf_in_the_readers_language(
    page, live_server, world, lang
):  # noqa: F811
    """Three WHODAS assessments (the best, a middle and the worst score) on the care page:
    every point of the chart has plain numeric coordinates inside the plot area the axes
    draw (the old page wrote `cx="24,0"` in uk and fr). The care summary downloaded from the
    page is in the reader's language, its dates written out."""
    from pypdf import PdfReader

    from vetbridge.care import services as care

    users = _named(world, lang)
    worker, lviv = users["case_worker"], world["lviv"]
    care.contact_set(actor=worker, person_id=lviv.pk)
    scores = {dt.date(2026, 6, 15): 0, dt.date(2026, 9, 1): 2, dt.date(2026, 12, 1): 4}
    for day, level in scores.items():
        care.whodas_add(
            actor=worker,
            person_id=lviv.pk,
            assessed_on=day,
            answers={f"S{i}": level for i in range(1, 13)},
        )

    _sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}/care/{lviv.pk}/")
    assert page.locator("html").get_attribute("lang") == lang
    chart = page.locator("#h-whodas ~ svg.chart")
    chart.wait_for()
    drawn = chart.evaluate("""svg => ({
        box: svg.viewBox.baseVal && [svg.viewBox.baseVal.width, svg.viewBox.baseVal.height],
        axes: [...svg.querySelectorAll('line')].map(l => ['x1', 'y1', 'x2', 'y2'].map(
            a => l.getAttribute(a))),
        points: [...svg.querySelectorAll('circle')].map(c => ({
            cx: c.getAttribute('cx'), cy: c.getAttribute('cy'),
            x: c.cx.baseVal.value, y: c.cy.baseVal.value})),
        line: svg.querySelector('polyline').getAttribute('points'),
        polyline: [...svg.querySelector('polyline').points].map(p => [p.x, p.y]),
    })""")
    number = re.compile(r"^-?\d+(\.\d+)?$")
    for point in drawn["points"]:  # what the server wrote, as SVG reads numbers
        assert number.match(point["cx"]) and number.match(point["cy"]), point
    xs = [float(v) for line in drawn["axes"] for v in (line[0], line[2])]
    ys = [float(v) for line in drawn["axes"] for v in (line[1], line[3])]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    assert 0 <= left < right <= drawn["box"][0] and 0 <= top < bottom <= drawn["box"][1]
    assert len(drawn["points"]) == len(scores)
    for point in drawn["points"]:  # what the browser drew
        assert left <= point["x"] <= right and top <= point["y"] <= bottom, (point, drawn)
    # Oldest left, newest right; lower is better: the best score lowest on the page's axis
    # (the largest y), the worst at the top of the plot area.
    xs_drawn = [p["x"] for p in drawn["points"]]
    ys_drawn = [p["y"] for p in drawn["points"]]
    assert xs_drawn == sorted(xs_drawn) and len(set(xs_drawn)) == 3
    assert ys_drawn[0] == bottom and ys_drawn[2] == top and top < ys_drawn[1] < bottom
    assert drawn["polyline"] == [[p["x"], p["y"]] for p in drawn["points"]], drawn["line"]
    table = _spaces(page.locator("#h-whodas ~ table").inner_text())
    assert {"uk": "1 грудня 2026 р.", "fr": "1er décembre 2026"}[lang] in table
    assert "01 " not in table
    assert not ISO.search(table)

    with page.expect_download() as download:
        page.get_by_role(
            "link", name={"uk": "Підсумок допомоги (PDF)", "fr": "Synthèse des soins (PDF)"}[lang]
        ).click()
    reader = PdfReader(download.value.path())
    text = _spaces(" ".join(p.extract_text() for p in reader.pages))
    heading = {
        "uk": "Підсумок лікування та реабілітації",
        "fr": "Synthèse des soins et de la réadaptation",
    }[lang]
    assessments = {
        "uk": "Оцінювання функціонування (WHODAS 2.0, 12 питань)",
        "fr": "Évaluations fonctionnelles (WHODAS 2.0, 12 items)",
    }[lang]
    assert heading in text and assessments in text, text
    for day in {
        "uk": ["15 червня 2026 р.", "1 вересня 2026 р.", "1 грудня 2026 р."],
        "fr": ["15 juin 2026", "1er septembre 2026", "1er décembre 2026"],
    }[lang]:
        assert day in text, (day, text)
    assert not ISO.search(text), text
    other = {"uk": "Synthèse", "fr": "Підсумок"}[lang]
    assert other not in text  # one language only
