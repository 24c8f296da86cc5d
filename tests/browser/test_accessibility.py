"""Accessibility, measured: axe-core (WCAG 2.1 A and AA rules) on every main page, in
Ukrainian and in French, for the role that works on it; and no sideways scrolling on a phone
(390 px) or at 200 % zoom (640 px) on the pages people fill in or read in long lists.

One browser per test; each role is signed in once (its session cookie set in the browser)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.test_journey import page  # noqa: F401 (the Chromium page fixture)
from vetbridge.core.services import input_from
from vetbridge.memorial.services import RecordChanges
from vetbridge.reintegration.services import ReferralInput
from vetbridge.reparation.kinds import ClaimFiling
from vetbridge.reparation.services import InfirmityRow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WCAG21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
ROLES = [
    "veteran",
    "case_worker",
    "medical_assessor",
    "pension_officer",
    "memorial_editor",
    "analyst",
    "admin",
    "partner",
    "cooperation_officer",
]


@pytest.fixture
def filled(world, regions):
    """The world of conftest with one of each thing a main page shows: a decided claim, a
    referral, a care follow-up, a published memorial record."""
    from vetbridge.memorial import services as memorial
    from vetbridge.reintegration import services as referrals
    from vetbridge.reparation import services as claims

    users = world["users"]
    claim = claims.claim_file(
        actor=users["veteran"], person_id=world["lviv"].pk, filing=ClaimFiling("fr_pension")
    )
    claim = claims.claim_transition(
        actor=users["medical_assessor"],
        claim_id=claim.pk,
        name="start_assessment",
        expected_version=claim.version,
    )
    claim = claims.infirmities_set(
        actor=users["medical_assessor"],
        claim_id=claim.pk,
        expected_version=claim.version,
        rows=[
            InfirmityRow(
                label="Acouphènes", rate="12.5", cause="injury", context="war", incurable=False
            )
        ],
    )
    referral = referrals.referral_create(
        actor=users["case_worker"],
        person_id=world["lviv"].pk,
        data=input_from(
            ReferralInput,
            {
                "partner": world["hub"].pk,
                "service": "employment",
                "consent_on": dt.date(2026, 1, 1),
                "consent_text": "name",
            },
        ),
    )
    record = memorial.record_create_for(actor=users["memorial_editor"], person_id=world["kyiv"].pk)
    record = memorial.record_update(
        actor=users["memorial_editor"],
        record_id=record.pk,
        expected_version=record.version,
        source="Книга пам'яті",
        data=input_from(RecordChanges, {"unit": "93 ОМБр", "death_place": "Авдіївка"}),
    )
    memorial.record_publish(
        actor=users["memorial_editor"], record_id=record.pk, basis="consent", note="Родина"
    )
    return {**world, "claim": claim, "referral": referral, "record": record}


def _pages(f) -> list[tuple[str | None, str]]:
    """(role signed in, path) of every main page; None: a visitor."""
    lviv, kyiv = f["lviv"].pk, f["kyiv"].pk
    return [
        *[(role, "/") for role in ROLES],
        ("case_worker", "/people/"),
        ("case_worker", "/people/?q=Kovalenko"),
        ("case_worker", "/people/new/"),
        ("case_worker", f"/people/{lviv}/"),
        ("case_worker", f"/care/{lviv}/"),
        ("case_worker", "/care/caseload/"),
        ("case_worker", "/referrals/"),
        ("partner", "/referrals/"),
        ("pension_officer", "/claims/"),
        ("pension_officer", f"/claims/{f['claim'].pk}/"),
        ("medical_assessor", f"/claims/{f['claim'].pk}/"),
        ("veteran", f"/claims/{f['claim'].pk}/"),
        (None, "/memorial/?q=Shevchenko"),
        (None, f"/memorial/{f['record'].pk}/"),
        ("memorial_editor", "/memorial/desk/"),
        ("admin", "/audit/"),
        ("analyst", "/people/stats/"),
        ("analyst", "/claims/stats/"),
        ("veteran", "/account/"),
        (None, "/help/glossary/"),
        (None, "/simulator/"),
        ("cooperation_officer", "/cooperation/roadmap/"),
        ("cooperation_officer", "/policylab/"),
        ("admin", f"/people/{kyiv}/"),
        ("admin", f"/people/{lviv}/history/"),
        ("admin", "/people/duplicates/"),
        ("admin", "/people/import/"),
        ("case_worker", "/referrals/partners/"),
        ("partner", f"/referrals/{f['referral'].pk}/"),
        ("veteran", "/claims/notifications/"),
        ("memorial_editor", f"/memorial/desk/{f['record'].pk}/"),
        ("memorial_editor", "/memorial/desk/import/"),
        (None, "/login/"),
        (None, "/memorial/ceremonies/"),
        (None, "/cooperation/"),
    ]


def _sign_in(page, live_server, user) -> None:  # noqa: F811
    """The user's session, made by Django's test client, set in the browser."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _visitor(page, live_server, lang) -> None:  # noqa: F811
    from django.conf import settings

    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}]
    )


@pytest.mark.parametrize("lang", ["uk", "fr"])
def test_every_main_page_passes_axe_wcag21_aa(page, live_server, filled, lang):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    users = filled["users"]
    for user in users.values():
        user.language = lang
        user.save(update_fields=["language"])
    axe = Axe()
    found: dict[str, list] = {}
    signed_in: object = object()
    for role, path in _pages(filled):
        if role != signed_in:
            if role is None:
                _visitor(page, live_server, lang)
            else:
                _sign_in(page, live_server, users[role])
            signed_in = role
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, (role, path)
        assert page.locator("html").get_attribute("lang") == lang, (role, path)
        # Folded parts (details) count too.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        violations = axe.run(page, options=WCAG21_AA).response["violations"]
        if violations:
            found[f"{role} {path}"] = [
                (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations
            ]
    # A refused form (the register form sent empty): its errors are accessible too.
    _sign_in(page, live_server, users["case_worker"])
    page.goto(f"{live_server.url}/people/new/")
    page.locator("main form button[type=submit]").first.click()
    page.locator(".error").first.wait_for()
    # Focus on the error summary, the title says there is an error, each link leads to a field.
    page.wait_for_function("document.activeElement.hasAttribute('data-error-summary')")
    assert page.title().startswith({"uk": "Помилка: ", "fr": "Erreur\u00a0: "}[lang])
    targets = page.locator("[data-error-summary] a").evaluate_all(
        "links => links.map(a => !!document.getElementById(a.hash.slice(1)))"
    )
    assert targets and all(targets)
    violations = axe.run(page, options=WCAG21_AA).response["violations"]
    if violations:
        found["case_worker /people/new/ refused"] = [v["id"] for v in violations]
    assert found == {}


NARROW = [390, 640]  # a phone; 1280 px at 200 % zoom


@pytest.mark.parametrize("lang", ["uk", "fr"])
def test_no_sideways_scrolling_on_a_phone_or_at_200_percent(page, live_server, filled, lang):  # noqa: F811
    users = filled["users"]
    for user in users.values():
        user.language = lang
        user.save(update_fields=["language"])
    pages = [
        ("case_worker", "/people/?q=Kovalenko"),
        ("case_worker", "/people/new/"),
        ("admin", "/audit/"),
        (None, "/memorial/?q=Shevchenko"),
        ("analyst", "/claims/stats/"),
        ("analyst", "/people/stats/"),
    ]
    wide = []
    signed_in: object = object()
    for role, path in pages:
        if role != signed_in:
            if role is None:
                _visitor(page, live_server, lang)
            else:
                _sign_in(page, live_server, users[role])
            signed_in = role
        for width in NARROW:
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{live_server.url}{path}")
            sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if sizes[0] > sizes[1]:
                wide.append((path, width, sizes))
            # Every region that scrolls sideways is reachable by keyboard and named.
            unreachable = page.evaluate("""() => [...document.querySelectorAll('main *')]
                .filter(el => el.scrollWidth > el.clientWidth + 1
                        && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
                .filter(el => el.tabIndex < 0
                        || !(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
                             || el.querySelector('caption')))
                .map(el => el.tagName + '.' + el.className)""")
            if unreachable:
                wide.append((path, width, unreachable))
    assert wide == []


CONTRAST_JS = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const header = getComputedStyle(document.querySelector('header.site-header'));
  const [a, b] = [lum(rgb(style.outlineColor)), lum(rgb(header.backgroundColor))];
  return {tag: el.tagName, text: (el.textContent || el.name || '').trim().slice(0, 30),
          inHeader: !!el.closest('header.site-header'), width: parseFloat(style.outlineWidth),
          ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
}"""


@pytest.mark.parametrize("role", [None, "case_worker"])
def test_focus_outline_in_the_header_has_3_to_1_contrast(page, live_server, filled, role):  # noqa: F811
    """Tab through the header (skip link first): every element that takes the focus there has
    an outline at least 2 px wide, at least 3:1 against the header's background."""
    if role is None:
        _visitor(page, live_server, "uk")
    else:
        _sign_in(page, live_server, filled["users"][role])
    page.goto(f"{live_server.url}/")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focus = page.evaluate(CONTRAST_JS)
        if not focus["inHeader"]:
            if seen:
                break
            continue
        seen.append(focus)
    assert len(seen) >= 4  # brand, language, change, at least one menu link
    weak = [f for f in seen if f["width"] < 2 or f["ratio"] < 3]
    assert weak == []
