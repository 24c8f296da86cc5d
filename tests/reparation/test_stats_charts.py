"""The claim indicators page draws its figures (claims by state, filed per month, days to the
first decision) with the table beside each chart, in uk and fr, the values those of the
database and the small cells hidden from both the drawing and the table."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from django.db.models import Count
from django.test import Client
from django.utils import timezone, translation

from tests.core.test_charts import assert_inside
from vetbridge.core import charts

# Days from filing to the first decision of the eight granted claims.
DAYS = [10, 12, 15, 20, 25, 30, 40, 90]


@pytest.fixture
def claims(world, settings):
    """10 submitted today, 8 granted (one decision each, DAYS after filing), 2 rejected, 1
    withdrawn; with cells below 2 hidden."""
    from vetbridge.reparation.models import Claim, Decision, RulesSnapshot

    settings.VETBRIDGE_MIN_CELL_SIZE = 2
    person = world["lviv"]
    now = timezone.now()
    today = timezone.localdate()
    Claim.objects.bulk_create(
        [
            Claim(person=person, kind="fr_pension", state="submitted", filed_at=today)
            for _ in range(10)
        ]
        + [
            Claim(
                person=person,
                kind="fr_pension",
                state="rejected",
                filed_at=today - dt.timedelta(days=400),
            )
            for _ in range(2)
        ]
        + [Claim(person=person, kind="fr_pension", state="withdrawn", filed_at=today)]
    )
    snapshot = RulesSnapshot.objects.create(digest="t" * 32, country="fr", files={})
    for days in DAYS:
        claim = Claim.objects.create(
            person=person,
            kind="fr_pension",
            state="granted",
            filed_at=today - dt.timedelta(days=days),
        )
        Decision.objects.create(
            claim=claim,
            outcome="grant_definitive",
            computed_on=today,
            inputs={},
            result={},
            rules_version="t",
            snapshot=snapshot,
            decided_at=now,
        )
        # A later decision (an appeal) does not change the time to the first one.
        Decision.objects.create(
            claim=claim,
            kind="appeal",
            outcome="grant_definitive",
            computed_on=today,
            inputs={},
            result={},
            rules_version="t",
            snapshot=snapshot,
            decided_at=now + dt.timedelta(days=30),
        )
    return Claim.objects.all()


def _page(user, language: str) -> str:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = client.get("/claims/stats/")
    assert response.status_code == 200
    return response.content.decode()


def _figure(page: str, dom_id: str) -> str:
    start = page.index(f'<figure class="chart" aria-labelledby="{dom_id}-caption">')
    return page[start : page.index("</figure>", start)]


def _table(figure: str) -> dict[str, str]:
    rows = re.findall(r'<th scope="row">(.*?)</th><td class="num">(.*?)</td>', figure)
    return {html.unescape(k): html.unescape(v) for k, v in rows}


def _svg(figure: str) -> str:
    return (
        html.unescape(figure[figure.index("<svg") : figure.index("</svg>") + 6])
        if "<svg" in figure
        else ""
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["uk", "fr"])
def test_claims_by_state_chart_and_table_match_the_database(claims, world, language):
    from vetbridge.reparation.models import ClaimState

    page = _page(world["users"]["analyst"], language)
    figure = _figure(page, "claims-state")
    with translation.override(language):
        labels = {s: str(ClaimState(s).label) for s in ClaimState.values}
        hidden = charts.hidden_text(2)
    table = _table(figure)
    in_db = dict(claims.values_list("state").annotate(n=Count("id")).order_by())
    assert table[labels["submitted"]] == "10" == str(in_db["submitted"])
    assert table[labels["granted"]] == "8" == str(in_db["granted"])
    assert table[labels["in_assessment"]] == "0"
    # 1 withdrawn is small; 2 rejected is hidden with it, so neither can be subtracted out.
    assert table[labels["withdrawn"]] == table[labels["rejected"]] == hidden
    svg = _svg(figure)
    assert 'role="img"' in svg and "<title" in svg
    drawn = " | ".join(str(m["label"]) for m in assert_inside(svg))
    assert labels["submitted"] in drawn and labels["granted"] in drawn
    assert labels["withdrawn"] not in drawn and labels["rejected"] not in drawn


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["uk", "fr"])
def test_claims_per_month_in_the_readers_language(claims, world, language):
    page = _page(world["users"]["analyst"], language)
    figure = _figure(page, "claims-month")
    this_month = timezone.localdate().replace(day=1)
    table = _table(figure)
    assert len(table) == 24
    in_db = claims.filter(filed_at__gte=this_month).count()
    assert table[charts.month_label(this_month, language, short=False)] == str(in_db)
    # The claims filed 400 days ago are in their month (13 or 14 months back), not lost.
    old = (timezone.localdate() - dt.timedelta(days=400)).replace(day=1)
    with translation.override(language):
        assert table[charts.month_label(old, language, short=False)] in ("2", charts.hidden_text(2))
    svg = _svg(figure)
    assert charts.month_label(this_month, language) in svg
    assert_inside(svg)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "median"), [("uk", "22,5"), ("fr", "22,5")])
def test_days_to_decision_histogram_median_and_p90(claims, world, language, median):
    page = _page(world["users"]["analyst"], language)
    figure = _figure(page, "claims-days")
    table = _table(figure)
    with translation.override(language):
        hidden = charts.hidden_text(2)
    # Width 10 for 0..90 days: 10–19 holds 10, 12, 15; 20–29 holds 20, 25; the bins with one
    # claim (30, 40, 90) are hidden together.
    assert table["10–19"] == "3" and table["20–29"] == "2" and table["0–9"] == "0"
    assert table["30–39"] == table["40–49"] == table["90–99"] == hidden
    assert table["50–59"] == "0"
    note = re.search(r'<p class="chart-note">(.*?)</p>', figure)[1]
    assert median in note and "90" in note and "8" in note
    marks = assert_inside(_svg(figure))
    assert len(marks) == 10 - 3  # the three hidden bins are not drawn


@pytest.mark.django_db
def test_the_export_carries_the_chart_figures(claims, world):
    from openpyxl import load_workbook

    user = world["users"]["analyst"]
    user.language = "fr"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = client.get("/claims/stats/export/?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {str(r[0]): r[1] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    this_month = timezone.localdate().replace(day=1)
    assert (
        rows["Demandes déposées en " + charts.month_label(this_month, "fr", short=False)]
        == claims.filter(filed_at__gte=this_month).count()
    )
    assert rows["90e centile des jours entre le dépôt et la première décision"] == 90
    assert rows["Demandes décidées en 10 à 19 jours"] == 3
