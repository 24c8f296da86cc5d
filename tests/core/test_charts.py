"""The shared chart builder (core.charts): the SVG parses and is named for screen readers, its
labels and numbers are in the reader's language, hidden cells are not drawn (the table says
so), every mark lies inside the plot area, and the distribution figures match the textbook."""

from __future__ import annotations

import datetime as dt
import random
import re
import statistics
import xml.etree.ElementTree as ET

import altair as alt
import pytest
from django.utils import translation

from vetbridge.core import charts

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")
TOKEN = re.compile(r"[MLHVZmlhvz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")


def parse(svg: str) -> ET.Element:
    """Our own SVG, as vl-convert wrote it: no entity or external reference to fear."""
    return ET.fromstring(svg)  # noqa: S314


def _path_points(d: str) -> list[tuple[float, float]]:
    """The vertices of an SVG path made of M, L, H, V (absolute or relative) and Z."""
    tokens = TOKEN.findall(d)
    x = y = 0.0
    points: list[tuple[float, float]] = []
    command = ""
    i = 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                continue
        if command in "MLml":
            dx, dy = float(tokens[i]), float(tokens[i + 1])
            i += 2
            x, y = (x + dx, y + dy) if command.islower() else (dx, dy)
        elif command in "Hh":
            x = x + float(tokens[i]) if command == "h" else float(tokens[i])
            i += 1
        elif command in "Vv":
            y = y + float(tokens[i]) if command == "v" else float(tokens[i])
            i += 1
        else:
            raise AssertionError(f"path command {command!r} not handled in {d!r}")
        points.append((x, y))
    return points


def _translate(element: ET.Element) -> tuple[float, float]:
    match = re.match(r"translate\(([-\d.e]+),\s*([-\d.e]+)\)", element.get("transform", ""))
    return (float(match[1]), float(match[2])) if match else (0.0, 0.0)


def plot_and_marks(svg: str) -> tuple[tuple[float, float], list[dict[str, object]]]:
    """(width, height) of the plot area, and each data mark with its points in plot
    coordinates and its aria-label."""
    root = parse(svg)
    frame = next(g for g in root.iter(f"{SVG}g") if "role-frame" in g.get("class", ""))
    background = next(p for p in frame.iter(f"{SVG}path") if p.get("class") == "background")
    width, height = (
        float(n) for n in re.findall(r"[hv](\d+(?:\.\d+)?)", background.get("d", ""))[:2]
    )
    marks = []
    for group in frame.iter(f"{SVG}g"):
        if "role-mark" not in group.get("class", "") or "role-axis" in group.get("class", ""):
            continue
        for mark in group:
            ox, oy = _translate(mark)
            if mark.get("transform"):  # a point symbol: its centre
                points = [(ox, oy)]
            else:
                points = [(ox + px, oy + py) for px, py in _path_points(mark.get("d", ""))]
            marks.append({"label": mark.get("aria-label", ""), "points": points})
    return (width, height), marks


def assert_inside(svg: str) -> list[dict[str, object]]:
    (width, height), marks = plot_and_marks(svg)
    assert marks, "no mark drawn"
    for mark in marks:
        for x, y in mark["points"]:  # type: ignore[attr-defined]
            assert -0.5 <= x <= width + 0.5 and -0.5 <= y <= height + 0.5, (mark, width, height)
    return marks


def _accessible(svg: str, dom_id: str, title: str) -> ET.Element:
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{dom_id}-title"
    assert root.find(f"{SVG}title").text == title  # type: ignore[union-attr]
    assert root.find(f"{SVG}title").get("id") == f"{dom_id}-title"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").get("id") == root.get("aria-describedby")  # type: ignore
    return root


def _valid(spec: dict[str, object]) -> None:
    alt.Chart.from_dict(spec, validate=True)  # raises on a spec Vega-Lite would not accept


BARS = [
    charts.Bar("Подана", 12),
    charts.Bar("Потребує інформації", None),
    charts.Bar("На експертизі", None),
    charts.Bar("Задоволена", 12345),
    charts.Bar("Відхилена", 0),
]


def test_bar_chart_draws_each_shown_cell_and_no_hidden_one():
    chart = charts.bar_chart(
        BARS,
        dom_id="t",
        title="Заяви за станом",
        category="Стан",
        value="заяви",
        min_cell=5,
        language="uk",
    )
    _valid(chart.spec)
    svg = chart.svg()
    _accessible(svg, "t", "Заяви за станом")
    marks = assert_inside(svg)
    drawn = {label for m in marks for label in re.findall(r"Стан: ([^;]+)", str(m["label"]))}
    assert drawn == {"Подана", "Задоволена", "Відхилена"}
    assert "Потребує інформації" not in drawn and "На експертизі" not in drawn
    with translation.override("en"):
        assert charts.hidden_text(5) == "hidden (fewer than 5)"
    hidden = charts.hidden_text(5)
    assert chart.cells == [
        ["Подана", "12"],
        ["Потребує інформації", hidden],
        ["На експертизі", hidden],
        ["Задоволена", "12\xa0345"],
        ["Відхилена", "0"],
    ]
    assert [r["hidden"] for r in chart.rows] == [False, True, True, False, False]
    # The longest bar is the largest count, the zero bar has no length.
    by_label = {re.search(r"Стан: ([^;]+)", str(m["label"]))[1]: m["points"] for m in marks}
    length = {k: max(x for x, _y in v) - min(x for x, _y in v) for k, v in by_label.items()}
    assert length["Задоволена"] > length["Подана"] > length["Відхилена"] == 0


@pytest.mark.parametrize(
    ("language", "thousands", "month", "month_long"),
    [
        ("uk", "10\xa0000", "груд. 2026", "грудень 2026"),
        ("fr", "10\u202f000", "déc. 2026", "décembre 2026"),
        ("en", "10,000", "Dec 2026", "December 2026"),
    ],
)
def test_labels_and_numbers_in_the_readers_language(language, thousands, month, month_long):
    months = charts.months_back(dt.date(2026, 12, 2), 24)
    assert months[0] == dt.date(2025, 1, 1) and months[-1] == dt.date(2026, 12, 1)
    counts = [
        (m, 12000 if m.month == 12 else None if m.month == 6 else 100 * m.month) for m in months
    ]
    with translation.override(language):
        chart = charts.month_chart(counts, dom_id="m", title="T", value="n", min_cell=5)
    _valid(chart.spec)
    svg = chart.svg()
    texts = [t.text or "" for t in parse(svg).iter(f"{SVG}text")]
    assert month in texts
    assert any(thousands in t for t in texts), texts  # the count axis, reader's separators
    assert [month_long, charts.number(12000, language)] in chart.cells
    assert chart.cells[5][1] == chart.cells[17][1] != "0"  # June: hidden, not zero
    marks = assert_inside(svg)
    assert len(marks) == 22  # 24 months, two hidden


def test_numbers_use_the_readers_separators():
    assert charts.number(1234567, "uk") == "1\xa0234\xa0567"
    assert charts.number(1234567, "fr") == "1\u202f234\u202f567"
    assert charts.number(1234.5, "en", 1) == "1,234.5"
    assert charts.number(34.5, "fr", 1) == "34,5"


def test_the_histogram_draws_adjacent_bins_inside_the_plot():
    days = [(d, (d * 7) % 13) for d in range(0, 200)]
    bins = charts.histogram_bins(days)
    assert [(b.low, b.high) for b in bins][:2] == [(0, 29), (30, 59)]
    assert sum(b.count or 0 for b in bins) == sum(n for _d, n in days)
    hidden = [charts.Bin(b.low, b.high, None if i == 2 else b.count) for i, b in enumerate(bins)]
    chart = charts.histogram(
        hidden,
        dom_id="h",
        title="Днів до рішення",
        unit="дні",
        value="рішення",
        min_cell=5,
        language="uk",
        note="Медіана",
    )
    _valid(chart.spec)
    marks = assert_inside(chart.svg())
    assert len(marks) == len(bins) - 1
    assert chart.cells[2] == ["60–89", charts.hidden_text(5)]
    assert all("60–89" not in str(m["label"]) for m in marks)


def test_bins_have_a_sensible_width():
    assert charts.bin_width(9) == 1
    assert charts.bin_width(40) == 5
    assert charts.bin_width(100) == 10
    assert charts.bin_width(300) == 30
    assert charts.bin_width(1000) == 90
    assert charts.histogram_bins([]) == []
    assert [(b.low, b.high, b.count) for b in charts.histogram_bins([(3, 2), (-1, 1)])] == [
        (0, 0, 1),
        (1, 1, 0),
        (2, 2, 0),
        (3, 3, 2),
    ]


def test_median_and_quantile_from_grouped_counts_match_the_raw_values():
    rng = random.Random(16)
    for _ in range(300):
        values = [rng.randint(0, 400) for _ in range(rng.randint(1, 60))]
        pairs = [(v, values.count(v)) for v in set(values)]
        assert charts.median_of(pairs) == statistics.median(values)
        ordered = sorted(values)
        rank = -(-9 * len(values) // 10)  # nearest rank: ceil(0.9 n)
        assert charts.quantile_of(pairs, 0.9) == ordered[rank - 1]
    assert charts.median_of([]) is None and charts.quantile_of([], 0.9) is None


def test_rendering_is_cached_by_digest(monkeypatch):
    calls = []
    real = charts._vlc()

    class Counting:
        def vegalite_to_svg(self, *args, **kwargs):
            calls.append(1)
            return real.vegalite_to_svg(*args, **kwargs)

    monkeypatch.setattr(charts, "_vlc", lambda: Counting())
    chart = charts.bar_chart(
        [charts.Bar("a", 7), charts.Bar("b", 9)],
        dom_id="c",
        title=f"cache {random.random()}",
        category="x",
        value="n",
        min_cell=5,
        language="fr",
    )
    first = chart.svg()
    assert chart.svg() == first and len(calls) == 1
    other = charts.bar_chart(
        [charts.Bar("a", 7), charts.Bar("b", 10)],
        dom_id="c",
        title=chart.title,
        category="x",
        value="n",
        min_cell=5,
        language="fr",
    )
    assert other.svg() != first and len(calls) == 2


def test_the_svg_escapes_titles():
    chart = charts.bar_chart(
        [charts.Bar("<b>", 7)],
        dom_id="e",
        title='A & "B" <i>',
        category="x",
        value="n",
        min_cell=5,
        language="en",
    )
    root = _accessible(chart.svg(), "e", 'A & "B" <i>')
    assert root.find(f"{SVG}desc") is not None
