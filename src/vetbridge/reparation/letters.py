"""Decision letters in PDF: the claimant's language, then the deciding country's language.

Everything printed comes from the frozen decision (inputs, result, procedure steps), so a
letter printed years later says exactly what was decided.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from .models import Decision, Outcome

FONT_DIR = Path(__file__).resolve().parent.parent / "core" / "fonts"
_registered = False


def _fonts() -> None:
    """DejaVu Sans (shipped with the project): Cyrillic and Latin with accents."""
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont("DejaVu", str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        _registered = True


def letter_languages(decision: Decision) -> list[str]:
    own = decision.claim.person.preferred_language or "uk"
    official = "fr" if decision.claim.country == "fr" else "uk"
    return list(dict.fromkeys([own, official]))


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="DejaVu", fontSize=10,
                          leading=13)
    return {
        "title": ParagraphStyle("title", parent=body, fontName="DejaVu-Bold", fontSize=15,
                                leading=19, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=body, fontName="DejaVu-Bold", fontSize=11.5,
                             leading=15, spaceBefore=8, spaceAfter=3),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10,
                                textColor=colors.HexColor("#444444")),
    }


def _money(value: Any, currency: str) -> str:
    return f"{formats.number_format(value, 2, use_l10n=True, force_grouping=True)} {currency}"


def _outcome_text(decision: Decision) -> str:
    return {
        Outcome.GRANT_TEMPORARY: _("Your right is granted, as a temporary pension."),
        Outcome.GRANT_DEFINITIVE: _("Your right is granted, as a definitive pension."),
        Outcome.GRANT: _("Your right is granted."),
        Outcome.REJECT: _("Your claim is rejected."),
    }[decision.outcome]  # type: ignore[index]


def _section(decision: Decision, lang: str, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    claim = decision.claim
    p = lambda text, style="body": Paragraph(escape(str(text)), st[style])  # noqa: E731
    out: list[Flowable] = []
    with translation.override(lang):
        title = _("Decision on appeal") if decision.kind == "appeal" else _("Decision")
        out += [p(f"Vetbridge — {title}", "title"),
                p(_("Claim %(ref)s — %(kind)s") % {"ref": claim.reference,
                                                    "kind": claim.get_kind_display()}),
                p(_("Claimant: %(name)s") % {"name": claim.person.display_name(lang)}),
                p(_("Filed on %(filed)s; decided on %(decided)s.") % {
                    "filed": formats.date_format(claim.filed_at, "DATE_FORMAT"),
                    "decided": formats.date_format(decision.computed_on, "DATE_FORMAT")}),
                Spacer(1, 4 * mm), p(_outcome_text(decision), "h2")]
        if decision.reason:
            out += [p(_("Reasons given by the officer:"), "h2"), p(decision.reason)]
        if decision.amount is not None:
            currency = "€" if claim.country == "fr" else "грн"
            label = _("Annual amount") if claim.country == "fr" else _("Amount")
            out.append(p(f"{label}: {_money(decision.amount, currency)}"))
        if decision.valid_until:
            out.append(p(_("The pension is temporary, until %(date)s; it will then be "
                           "reviewed after a medical examination.")
                         % {"date": formats.date_format(decision.valid_until, "DATE_FORMAT")}))
        arrears = decision.arrears or {}
        if arrears.get("amount_eur") is not None:
            out.append(p(_("Arrears due from %(start)s: %(amount)s.") % {
                "start": arrears["start"], "amount": _money(arrears["amount_eur"], "€")}))
        result = decision.result
        if claim.country == "fr" and result.get("global_rate") is not None:
            out.append(p(_("Global invalidity rate: %(rate)s %%.") % {
                "rate": result["global_rate"]}))
        infirmities = decision.inputs.get("infirmities") or []
        if infirmities:
            out.append(p(_("Infirmities taken into account"), "h2"))
            rows = [[p(_("Infirmity"), "small"), p(_("Rate"), "small")]]
            rows += [[p(x["label"]), p(f"{x['rate']} %")] for x in infirmities]
            table = Table(rows, colWidths=[130 * mm, 30 * mm])
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            out.append(table)
        out.append(p(_("How it was computed"), "h2"))
        steps = list(result.get("steps") or []) + list(arrears.get("procedure_steps") or [])
        for i, step in enumerate(steps, 1):
            text = step["text"].get(lang) or step["text"].get("en", "")
            out.append(p(f"{i}. {text}"))
            if step.get("reference"):
                out.append(p(step["reference"], "small"))
        out.append(p(_("How to appeal"), "h2"))
        deadline = formats.date_format(decision.appeal_deadline, "DATE_FORMAT")
        if claim.country == "fr" and decision.kind != "appeal":
            out.append(p(_(
                "Before any court, you must first appeal to the Commission de recours de "
                "l'invalidité (CRI) by %(date)s (6 months after notification; 7 if you live "
                "in an overseas territory, 8 if abroad). Attach a copy of this decision and "
                "say what you contest. Without an answer within 4 months, your appeal is "
                "rejected and you may go to the administrative court.") % {"date": deadline}))
        elif claim.country == "fr":
            out.append(p(_("This decision of the Commission replaces the first one. You may "
                           "bring it before the administrative court.")))
        else:
            out.append(p(_(
                "You may file an administrative complaint by %(date)s, then go to court. "
                "Your contact person can help you.") % {"date": deadline}))
        out.append(Spacer(1, 6 * mm))
        out.append(p(_("Rules version %(version)s, parameters %(digest)s: this decision can "
                       "be recomputed identically.") % {"version": decision.rules_version,
                                                          "digest": decision.snapshot_id},
                     "small"))
    return out


def decision_letter_pdf(decision: Decision) -> bytes:
    _fonts()
    st = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm,
                            title=f"Vetbridge {decision.claim.reference}",
                            author="Vetbridge")
    story: list[Flowable] = []
    for i, lang in enumerate(letter_languages(decision)):
        if i:
            story.append(PageBreak())
        story += _section(decision, lang, st)
    doc.build(story)
    return buffer.getvalue()
