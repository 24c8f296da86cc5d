"""Charts as data, for every app: a Vega-Lite specification (altair) built from the same rows
as the table beside it, rendered on the server by vl-convert — SVG for the page and print,
PNG for a PDF — in the reader's language (axis labels, month names, number separators).

- `bar_chart`: one count per category (claims by state, people by region); a hidden cell
  (small-cell rule, `core.disclosure`) is not drawn and its table row says
  "hidden (fewer than N)".
- `month_chart`: one count per calendar month over a window of months, labels written by
  babel in the reader's language ("груд. 2026", "déc. 2026").
- `histogram`: counts of a whole-number quantity (days) in bins of a sensible width, built from
  the (value, count) pairs a GROUP BY gives (`histogram_bins`); `median_of` and `quantile_of`
  read the same pairs, so no table is ever read whole into Python.

Rendering costs about 30 ms per chart once vl-convert is warm (0.4 s for the first one in a
process): the SVG is cached in the shared cache under the digest of its specification and
locale, so a page seen twice with the same figures renders nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, wraps
from html import escape
from pathlib import Path
from typing import Any, ParamSpec

from babel.dates import format_date
from babel.numbers import format_decimal
from django.core.cache import cache as shared_cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FORMAT_LOCALES = {"uk": "uk-UA", "fr": "fr-FR", "en": "en-US"}
COLOR = "#1f5fa8"  # 6.4:1 on white
WIDTH = 460
SVG_CACHE_SECONDS = 24 * 3600


def language_of(language: str | None = None) -> str:
    lang = (language or get_language() or "uk")[:2]
    return lang if lang in FORMAT_LOCALES else "uk"


@cache
def _vlc() -> Any:
    import vl_convert

    vl_convert.register_font_directory(str(FONT_DIR))  # Cyrillic in PNG as in the PDF
    return vl_convert


@cache
def number_locale(language: str) -> dict[str, Any]:
    """Vega's number format locale with babel's (CLDR) separators, so the axis and the table
    beside it write a number the same way (French: a narrow no-break space, U+202F)."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    base = dict(_vlc().get_format_locale(FORMAT_LOCALES[language]))
    base.update(decimal=get_decimal_symbol(language), thousands=get_group_symbol(language))
    return base


def _digest(spec: dict[str, Any], language: str, kind: str) -> str:
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{kind}|{language}|{text}".encode()).hexdigest()


def render_svg(spec: dict[str, Any], language: str | None = None) -> str:
    """The SVG of a specification in a language, from the cache when already drawn."""
    lang = language_of(language)
    key = "vetbridge:chart-svg:" + _digest(spec, lang, "svg")
    svg = shared_cache.get(key)
    if svg is None:
        svg = str(
            _vlc().vegalite_to_svg(
                spec, format_locale=number_locale(lang), time_format_locale=FORMAT_LOCALES[lang]
            )
        )
        shared_cache.set(key, svg, SVG_CACHE_SECONDS)
    return str(svg)


def render_png(spec: dict[str, Any], language: str | None = None, scale: float = 2.0) -> bytes:
    lang = language_of(language)
    return bytes(
        _vlc().vegalite_to_png(
            spec,
            scale=scale,
            format_locale=number_locale(lang),
            time_format_locale=FORMAT_LOCALES[lang],
        )
    )


_SVG_ROOT = re.compile(r"<svg\b([^>]*)>")


def accessible(svg: str, *, dom_id: str, title: str, description: str) -> str:
    """The SVG named for screen readers: `role="img"` on the root, labelled by its own
    `<title>` and described by its `<desc>` (the table beside it is the full equivalent)."""

    def root(match: re.Match[str]) -> str:
        return (
            f'<svg{match[1]} role="img" aria-labelledby="{dom_id}-title" '
            f'aria-describedby="{dom_id}-desc"><title id="{dom_id}-title">'
            f'{escape(title)}</title><desc id="{dom_id}-desc">{escape(description)}</desc>'
        )

    return _SVG_ROOT.sub(root, svg, count=1)


def number(value: float | int, language: str | None = None, digits: int = 0) -> str:
    """A number with the reader's separators: 12 345 (uk, fr), 12,345 (en)."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=language_of(language))


def hidden_text(k: int) -> str:
    return _("hidden (fewer than %(n)s)") % {"n": k}


@dataclass(frozen=True)
class Chart:
    """A chart and its table. `rows` are exactly the data given to Vega (hidden cells have
    `hidden` true and are left out of the drawing); `cells` are the table's rows as shown."""

    dom_id: str
    title: str
    description: str
    spec: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]]
    cells: list[list[str]] = field(default_factory=list)
    language: str = "uk"
    note: str = ""  # a sentence under the chart (the median and 90th percentile)

    @property
    def drawn(self) -> bool:
        """True when at least one mark is drawn (otherwise the page shows the table only)."""
        return any(not r.get("hidden") and r.get("value") is not None for r in self.rows)

    def svg(self) -> str:
        return accessible(
            render_svg(self.spec, self.language),
            dom_id=self.dom_id,
            title=self.title,
            description=self.description,
        )

    def png(self, scale: float = 2.0) -> bytes:
        return render_png(self.spec, self.language, scale)


@dataclass(frozen=True)
class Bar:
    """One category of a bar chart: its label and count, None when hidden."""

    label: str
    value: int | float | None


P = ParamSpec("P")


def unvalidated(build: Callable[P, Chart]) -> Callable[P, Chart]:
    """A builder run without altair's schema validation at each step (two thirds of the build
    time); the tests validate every finished specification against the Vega-Lite schema."""

    @wraps(build)
    def run(*args: P.args, **kwargs: P.kwargs) -> Chart:
        from altair.utils import schemapi

        with schemapi.debug_mode(False):
            return build(*args, **kwargs)

    return run


def _value_axis(title: str, counts: bool = True) -> Any:
    import altair as alt

    if counts:
        return alt.Axis(title=title, format=",d", tickMinStep=1)
    return alt.Axis(title=title)


def finish(chart: Any, description: str) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict(validate=False)
    spec["description"] = description
    spec.setdefault("config", {})["font"] = "DejaVu Sans, sans-serif"
    return spec


def _cells(bars: Sequence[Bar], language: str, k: int) -> list[list[str]]:
    return [
        [b.label, hidden_text(k) if b.value is None else number(b.value, language, 2)] for b in bars
    ]


@unvalidated
def bar_chart(
    bars: Sequence[Bar],
    *,
    dom_id: str,
    title: str,
    category: str,
    value: str,
    min_cell: int,
    language: str | None = None,
    description: str = "",
    counts: bool = True,
) -> Chart:
    """Horizontal bars in the order given, one per category; hidden categories are listed in
    the table and not drawn (no zero-length bar that would read as "none")."""
    import altair as alt

    lang = language_of(language)
    data = [{"category": b.label, "value": b.value} for b in bars if b.value is not None]
    rows = [{"category": b.label, "value": b.value, "hidden": b.value is None} for b in bars]
    order = [b.label for b in bars]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(color=COLOR)
        .encode(
            y=alt.Y(
                "category:N",
                title=category,
                sort=order,
                scale=alt.Scale(domain=order),
                axis=alt.Axis(labelLimit=220),
            ),
            x=alt.X("value:Q", axis=_value_axis(value, counts)),
            tooltip=[
                alt.Tooltip("category:N", title=category),
                alt.Tooltip("value:Q", title=value, format=",d" if counts else ","),
            ],
        )
        .properties(title=title, width=WIDTH - 200, height=max(40, 24 * len(bars)))
    )
    description = description or _("%(title)s: bar chart, the table below gives each value.") % {
        "title": title
    }
    return Chart(
        dom_id,
        title,
        description,
        finish(chart, description),
        [category, value],
        rows,
        _cells(bars, lang, min_cell),
        lang,
    )


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_back(last: dt.date, count: int) -> list[dt.date]:
    """The first days of `count` calendar months ending with the month of `last`."""
    year, month = last.year, last.month
    out: list[dt.date] = []
    for _i in range(count):
        out.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def month_label(month: dt.date, language: str | None = None, *, short: bool = True) -> str:
    """The month in the reader's language, standalone form: "груд. 2026" / "грудень 2026",
    "déc. 2026" / "décembre 2026", "Dec 2026" / "December 2026"."""
    return format_date(month, "LLL y" if short else "LLLL y", locale=language_of(language))


@unvalidated
def month_chart(
    counts: Sequence[tuple[dt.date, int | None]],
    *,
    dom_id: str,
    title: str,
    value: str,
    min_cell: int,
    language: str | None = None,
    description: str = "",
) -> Chart:
    """One bar per month (in order; every month of the window on the axis, a hidden month left
    as a gap), month names in the reader's language."""
    import altair as alt

    lang = language_of(language)
    order = [month_label(m, lang) for m, _n in counts]
    data = [{"month": month_label(m, lang), "value": n} for m, n in counts if n is not None]
    rows = [
        {
            "month": m.isoformat()[:7],
            "category": month_label(m, lang),
            "value": n,
            "hidden": n is None,
        }
        for m, n in counts
    ]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(color=COLOR)
        .encode(
            x=alt.X(
                "month:O",
                title=_("month"),
                sort=order,
                scale=alt.Scale(domain=order),
                axis=alt.Axis(labelAngle=-45, labelOverlap=True),
            ),
            y=alt.Y("value:Q", axis=_value_axis(value)),
            tooltip=[
                alt.Tooltip("month:O", title=_("month")),
                alt.Tooltip("value:Q", title=value, format=",d"),
            ],
        )
        .properties(title=title, width=WIDTH, height=200)
    )
    description = description or _(
        "%(title)s: one bar per month, the table below gives each value."
    ) % {"title": title}
    cells = [
        [month_label(m, lang, short=False), hidden_text(min_cell) if n is None else number(n, lang)]
        for m, n in counts
    ]
    return Chart(
        dom_id,
        title,
        description,
        finish(chart, description),
        [_("month"), value],
        rows,
        cells,
        lang,
    )


# ------------------------------------------------------------------------------ distributions

BIN_WIDTHS = (1, 2, 5, 7, 10, 14, 15, 30, 60, 90, 180, 365, 730)


@dataclass(frozen=True)
class Bin:
    """Values from `low` to `high` inclusive, and how many fall there (None when hidden)."""

    low: int
    high: int
    count: int | None


def bin_width(highest: int, most: int = 12) -> int:
    """The smallest sensible width that puts 0..highest in at most `most` bins."""
    for width in BIN_WIDTHS:
        if highest // width + 1 <= most:
            return width
    return (highest // most) + 1


def histogram_bins(pairs: Iterable[tuple[int, int]], most: int = 12) -> list[Bin]:
    """Bins over (value, how many) pairs, as a GROUP BY on the value gives them; every bin
    from 0 to the last is listed (empty ones too), negative values count as 0."""
    counts: dict[int, int] = {}
    for value, n in pairs:
        counts[max(0, int(value))] = counts.get(max(0, int(value)), 0) + int(n)
    if not counts:
        return []
    width = bin_width(max(counts), most)
    totals: dict[int, int] = {}
    for value, n in counts.items():
        totals[value // width] = totals.get(value // width, 0) + n
    return [Bin(i * width, (i + 1) * width - 1, totals.get(i, 0)) for i in range(max(totals) + 1)]


def _ordered(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    return sorted((int(v), int(n)) for v, n in pairs if n)


def quantile_of(pairs: Iterable[tuple[int, int]], q: float) -> int | None:
    """The nearest-rank q-quantile (0 < q ≤ 1) of the values counted in (value, n) pairs."""
    ordered = _ordered(pairs)
    total = sum(n for _v, n in ordered)
    if not total:
        return None
    rank = max(1, math.ceil(round(q * total, 9)))
    seen = 0
    for value, n in ordered:
        seen += n
        if seen >= rank:
            return value
    return ordered[-1][0]


def median_of(pairs: Iterable[tuple[int, int]]) -> int | float | None:
    """The median as `statistics.median` gives it (the mean of the two middle values when
    their number is even), read from (value, n) pairs."""
    ordered = _ordered(pairs)
    total = sum(n for _v, n in ordered)
    if not total:
        return None

    def at(position: int) -> int:  # the value at 0-based position in sorted order
        seen = 0
        for value, n in ordered:
            seen += n
            if seen > position:
                return value
        return ordered[-1][0]

    middle = total // 2
    if total % 2:
        return at(middle)
    twice = at(middle - 1) + at(middle)
    return twice // 2 if twice % 2 == 0 else twice / 2


@unvalidated
def histogram(
    bins: Sequence[Bin],
    *,
    dom_id: str,
    title: str,
    unit: str,
    value: str,
    min_cell: int,
    language: str | None = None,
    description: str = "",
    note: str = "",
) -> Chart:
    """Adjacent bars, one per bin, labelled with their range in `unit` ("0–29")."""
    import altair as alt

    lang = language_of(language)

    def label(b: Bin) -> str:
        if b.low == b.high:
            return number(b.low, lang)
        return f"{number(b.low, lang)}–{number(b.high, lang)}"

    order = [label(b) for b in bins]
    data = [{"range": label(b), "value": b.count} for b in bins if b.count is not None]
    rows = [
        {
            "category": label(b),
            "low": b.low,
            "high": b.high,
            "value": b.count,
            "hidden": b.count is None,
        }
        for b in bins
    ]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(color=COLOR)
        .encode(
            x=alt.X(
                "range:O",
                title=unit,
                sort=order,
                scale=alt.Scale(domain=order, paddingInner=0.05),
                axis=alt.Axis(labelAngle=-45),
            ),
            y=alt.Y("value:Q", axis=_value_axis(value)),
            tooltip=[
                alt.Tooltip("range:O", title=unit),
                alt.Tooltip("value:Q", title=value, format=",d"),
            ],
        )
        .properties(title=title, width=WIDTH, height=200)
    )
    description = description or _(
        "%(title)s: histogram, the table below gives the count in each range."
    ) % {"title": title}
    cells = [
        [label(b), hidden_text(min_cell) if b.count is None else number(b.count, lang)]
        for b in bins
    ]
    return Chart(
        dom_id,
        title,
        description,
        finish(chart, description),
        [unit, value],
        rows,
        cells,
        lang,
        note,
    )
