"""The same rows in the chart (SVG), its table, the PDF report (uk, fr), CSV and XLSX."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.utils import translation

from vetbridge.accounts.models import AuditLog
from vetbridge.cooperation import charts, selectors, services
from vetbridge.cooperation.report import build_quarterly_report


@pytest.fixture
def surgeons(officers, axes, make_action):
    action = make_action(
        {"fr": "Stages de chirurgiens", "uk": "Стажування хірургів"}, axis="medical-care"
    )
    indicator = services.indicator_create(
        actor=officers["ua"],
        data=services.IndicatorInput(
            code="surgeons",
            axis_id=axes["medical-care"].pk,
            action_id=action.pk,
            name={"uk": "Хірурги, які пройшли стажування", "fr": "Chirurgiens formés"},
        ),
    )
    for period, value, target in (
        ("2026-Q2", "2", "4"),
        ("2026-Q3", "6", "8"),
        ("2026-Q4", "11", "12"),
    ):
        services.value_enter(
            actor=officers["ua"],
            indicator_id=indicator.pk,
            period=period,
            value=value,
            source="Звіт фонду",
        )
        services.target_set(
            actor=officers["ua"], indicator_id=indicator.pk, period=period, value=target
        )
    for region, value in (("UA-30", "7"), ("UA-46", "4")):
        services.value_enter(
            actor=officers["ua"],
            indicator_id=indicator.pk,
            period="2026-Q4",
            value=value,
            source="Звіт фонду",
            breakdown=region,
        )
    return indicator


def _points(svg: str) -> list[dict[str, str]]:
    """The data of each mark, as Vega writes it in the mark's aria-label."""
    labels = re.findall(r'aria-label="([^"]*)"', svg)
    return [
        dict(part.split(": ", 1) for part in label.split("; "))
        for label in labels
        if ": " in label and "axis" not in label.lower() and "legend" not in label.lower()
    ]


@pytest.mark.django_db
def test_the_chart_svg_draws_every_row_of_its_table(surgeons, officers):
    rows = selectors.series(officers["fr"], surgeons)
    with translation.override("fr"):
        chart = charts.time_chart(surgeons, rows)
        svg = chart.svg()
    assert [(r["period"], r["series"], r["value"]) for r in chart.rows] == [
        ("2026-Q2", "valeur", 2),
        ("2026-Q2", "cible", 4),
        ("2026-Q3", "valeur", 6),
        ("2026-Q3", "cible", 8),
        ("2026-Q4", "valeur", 11),
        ("2026-Q4", "cible", 12),
    ]
    points = _points(svg)
    for row in chart.rows:
        want = {"period": row["period"], "series": row["series"], "value": f"{row['value']:g}"}
        assert any(want.items() <= p.items() for p in points), want
    assert "Chirurgiens formés" in svg and "trimestre" in svg
    with translation.override("uk"):
        by_region = charts.region_chart(
            surgeons, rows, "2026-Q4", {"UA-30": "Київ", "UA-46": "Львівська область"}
        )
        svg = by_region.svg()
    assert {r["category"] for r in by_region.rows} == {"Київ", "Львівська область"}
    assert any({"Київ", "7"} <= set(p.values()) for p in _points(svg))


@pytest.mark.django_db
def test_the_page_shows_the_chart_and_its_table_in_the_readers_language(surgeons, officers):
    client = Client()
    client.force_login(officers["fr"])
    html = client.get(f"/cooperation/indicators/{surgeons.pk}/").content.decode()
    assert html.count("<svg") == 2
    assert "Les données du graphique" in html
    assert '<span lang="fr">Chirurgiens formés</span>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "uk",
            [
                "Квартальний звіт дорожньої карти, 2026-Q4",
                "Стажування хірургів",
                "Хірурги, які пройшли стажування",
                "Реабілітація та реінтеграція",
            ],
        ),
        (
            "fr",
            [
                "Rapport trimestriel de la feuille de route, 2026-Q4",
                "Stages de chirurgiens",
                "Chirurgiens formés",
                "Réhabilitation et réinsertion",
            ],
        ),
    ],
)
def test_the_quarterly_report_reads_back_in_its_language(
    surgeons, officers, make_action, language, expected
):
    from pypdf import PdfReader

    make_action({"fr": "Sport adapté"}, axis="rehabilitation")
    pdf = build_quarterly_report(period="2026-Q4", language=language, user_id=officers["fr"].pk)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    for phrase in expected:
        assert phrase in text, phrase
    notice = "лише французькою" if language == "uk" else "Sport adapté"
    assert notice in text
    # The chart is in the PDF as an image.
    assert any(page.images for page in reader.pages)


@pytest.mark.django_db
def test_the_xlsx_export_reads_back_and_is_audited(surgeons, world):
    from openpyxl import load_workbook

    client = Client()
    client.force_login(world["users"]["case_worker"])  # Lviv: totals and Lviv only
    response = client.get("/cooperation/indicators/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "indicator",
        "name",
        "unit",
        "period",
        "breakdown_code",
        "breakdown",
        "value",
    )
    values = [(r[3], r[4], r[6]) for r in rows[1:]]
    assert ("2026-Q4", None, 11) in values  # the whole
    assert ("2026-Q4", "UA-46", 4) in values  # the case worker's own region
    assert ("2026-Q4", "UA-30", 7) not in values  # another region
    assert AuditLog.objects.filter(action="export", summary="indicators.xlsx").exists()


@pytest.mark.django_db
def test_the_csv_export_hides_small_cells(world, officers, axes, settings):
    from vetbridge.cooperation.models import IndicatorValue

    indicator = services.indicator_create(
        actor=officers["fr"],
        data=services.IndicatorInput(
            code="x",
            name={"fr": "x"},
            axis_id=axes["reparation"].pk,
            numerator="reparation.claims_filed",
        ),
    )
    IndicatorValue.objects.create(
        indicator=indicator,
        period="2026-Q3",
        breakdown="UA-46",
        value=None,
        suppressed=True,
        source="reparation.claims_filed",
    )
    client = Client()
    client.force_login(world["users"]["analyst"])
    body = client.get("/cooperation/indicators/export.csv").content.decode("utf-8-sig")
    line = next(line for line in body.splitlines() if line.startswith("x,"))
    assert ",True," in line and ",,True," in line  # no value, marked hidden


@pytest.mark.django_db
def test_the_report_page_and_bad_period(world, officers):
    client = Client()
    client.force_login(officers["ua"])
    ok = client.get("/cooperation/report/?period=2026-Q4&lang=uk")
    assert ok.status_code == 200 and ok.content.startswith(b"%PDF")
    bad = client.get("/cooperation/report/?period=2026-13&lang=uk")
    assert bad.status_code == 400
    assert "РРРР-Qn" in bad.content.decode()
