"""The quarterly report of the roadmap (PDF, Ukrainian or French) and the exports of the
indicators (CSV, XLSX). Plain functions of ids and strings, so a background task can call
them as the views do."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from vetbridge.accounts.models import User
from vetbridge.core.dates import long_date, sentence, short_date
from vetbridge.core.indicators import TOTAL, Period
from vetbridge.core.models import Region

from .charts import breakdown_label, time_chart
from .models import Action, ActionStatus, Axis, Indicator
from .selectors import series
from .texts import localized

FONT_DIR = Path(__file__).resolve().parent.parent / "core" / "fonts"
_fonts_ready = False


def _fonts() -> None:
    global _fonts_ready
    if not _fonts_ready:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("DejaVu", str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        _fonts_ready = True


def region_names(language: str) -> dict[str, str]:
    return {r.code: r.localized_name(language) for r in Region.objects.all()}


def number(value: Decimal | None, language: str) -> str:
    if value is None:
        return "—"
    with translation.override(language):
        return formats.number_format(
            value,
            decimal_pos=0 if value == value.to_integral() else 1,
            use_l10n=True,
            force_grouping=True,
        )


def cell_text(value: Decimal | None, suppressed: bool, language: str) -> str:
    if suppressed:
        with translation.override(language):
            return _("hidden (small number)")
    return number(value, language)


def _period_progress(period: Period) -> tuple[int, int, int]:
    actions = Action.objects.exclude(status=ActionStatus.CANCELLED)
    due = actions.filter(due_on__gte=period.start, due_on__lte=period.end)
    return actions.count(), actions.filter(status=ActionStatus.DONE).count(), due.count()


def build_quarterly_report(*, period: str, language: str, user_id: int | None = None) -> bytes:
    """The roadmap at the end of `period` (YYYY-Qn): per axis, the actions with their status
    and progress, the indicators with value, target and a chart. `user_id`: whose view of the
    indicator cells (scope); None: the totals only."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    quarter = Period.parse(period)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    _fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=base["BodyText"], fontName="DejaVu", fontSize=9.5, leading=12
    )
    title_style = ParagraphStyle(
        "title", parent=body, fontName="DejaVu-Bold", fontSize=15, leading=19, spaceAfter=6
    )
    h2 = ParagraphStyle(
        "h2",
        parent=body,
        fontName="DejaVu-Bold",
        fontSize=12,
        leading=15,
        spaceBefore=8,
        spaceAfter=4,
    )
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    table_style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), "DejaVu", 8.5),
            ("FONT", (0, 0), (-1, 0), "DejaVu-Bold", 8.5),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    buffer = io.BytesIO()
    with translation.override(language):
        regions = region_names(language)
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=16 * mm,
            title=_("Quarterly report of the roadmap, %(period)s") % {"period": period},
            lang=language,
        )
        story: list[Any] = [
            Paragraph(
                escape(_("Quarterly report of the roadmap, %(period)s") % {"period": period}),
                title_style,
            ),
            Paragraph(
                escape(
                    sentence(
                        _("France–Ukraine cooperation for veterans. Produced on %(day)s.")
                        % {"day": long_date(timezone.localdate(), language)}
                    )
                ),
                body,
            ),
        ]
        total, done, due = _period_progress(quarter)
        story.append(
            Paragraph(
                escape(
                    _("%(total)s actions, %(done)s done, %(due)s due this quarter.")
                    % {"total": total, "done": done, "due": due}
                ),
                body,
            )
        )
        for axis in Axis.objects.all():
            story.append(Paragraph(escape(localized(axis.name, language).text), h2))
            actions = list(Action.objects.filter(axis=axis).select_related("lead_fr", "lead_ua"))
            if actions:
                rows: list[list[Any]] = [[_("Action"), _("Status"), _("Progress"), _("Due")]]
                for a in actions:
                    text = localized(a.title, language)
                    label = escape(f"{a.reference} {text.text}")
                    if text.notice:
                        label += f" <i>({escape(text.notice)})</i>"
                    rows.append(
                        [
                            Paragraph(label, small),
                            a.get_status_display(),
                            f"{a.progress} %",
                            short_date(a.due_on) if a.due_on else "—",
                        ]
                    )
                table = Table(rows, colWidths=[95 * mm, 30 * mm, 18 * mm, 25 * mm], repeatRows=1)
                table.setStyle(table_style)
                story.append(table)
            else:
                story.append(Paragraph(escape(_("No action under this axis yet.")), body))
            for indicator in Indicator.objects.filter(axis=axis).prefetch_related("targets"):
                rows_ = series(user, indicator)
                story.append(Spacer(1, 4))
                name = localized(indicator.name, language).text
                story.append(
                    Paragraph(
                        escape(f"{indicator.code} — {name} ({indicator.get_unit_display()})"), body
                    )
                )
                table_rows: list[list[Any]] = [
                    [_("Quarter"), _("Breakdown"), _("Value"), _("Target"), _("Source")]
                ]
                for r in rows_:
                    if r.period > str(quarter):
                        continue
                    table_rows.append(
                        [
                            r.period,
                            breakdown_label(r.breakdown, regions),
                            cell_text(r.value, r.suppressed, language),
                            number(r.target, language) if r.target is not None else "—",
                            Paragraph(escape(r.source), small),
                        ]
                    )
                if len(table_rows) > 1:
                    table = Table(
                        table_rows,
                        colWidths=[20 * mm, 35 * mm, 30 * mm, 22 * mm, 61 * mm],
                        repeatRows=1,
                    )
                    table.setStyle(table_style)
                    chart = time_chart(
                        indicator,
                        [r for r in rows_ if r.period <= str(quarter) and r.breakdown == TOTAL],
                        language,
                    )
                    if chart.rows:
                        story.append(
                            Image(
                                io.BytesIO(chart.png(scale=1.5)),
                                width=120 * mm,
                                height=70 * mm,
                                kind="proportional",
                            )
                        )
                    story.append(table)
                else:
                    story.append(Paragraph(escape(_("No value yet.")), small))
        doc.build(story)
    return buffer.getvalue()


EXPORT_COLUMNS = (
    "indicator",
    "name",
    "unit",
    "period",
    "breakdown_code",
    "breakdown",
    "value",
    "hidden",
    "target",
    "source",
)


def export_rows(user: User, language: str) -> list[list[Any]]:
    """The indicator cells `user` may see (small cells hidden): one list per row."""
    from .selectors import indicators_for

    regions = region_names(language)
    out: list[list[Any]] = []
    with translation.override(language):
        for indicator in indicators_for(user):
            name = localized(indicator.name, language).text
            for r in series(user, indicator):
                out.append(
                    [
                        indicator.code,
                        name,
                        indicator.unit,
                        r.period,
                        r.breakdown,
                        breakdown_label(r.breakdown, regions),
                        None if r.value is None else float(r.value),
                        r.suppressed,
                        None if r.target is None else float(r.target),
                        r.source,
                    ]
                )
    return out


def export_csv(user: User, language: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for row in export_rows(user, language):
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode()


def export_xlsx(user: User, language: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "indicators"
    sheet.append(list(EXPORT_COLUMNS))
    for row in export_rows(user, language):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
