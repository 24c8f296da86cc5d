"""Decision letters in PDF: the claimant's language, then the deciding country's language.

Everything printed comes from the frozen decision (inputs, result, procedure steps), so a
letter printed years later says exactly what was decided.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
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

from vetbridge.core.dates import long_date, sentence, short_date

from .models import Decision, Grade, Outcome

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
    official = decision.claim.spec.letter.official_language
    return list(dict.fromkeys([own, official]))


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=base["BodyText"], fontName="DejaVu", fontSize=10, leading=13
    )
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontName="DejaVu-Bold", fontSize=15, leading=19, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName="DejaVu-Bold",
            fontSize=11.5,
            leading=15,
            spaceBefore=8,
            spaceAfter=3,
        ),
        "body": body,
        "small": ParagraphStyle(
            "small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#444444")
        ),
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
    letter = claim.spec.letter
    p = lambda text, style="body": Paragraph(escape(sentence(str(text))), st[style])  # noqa: E731
    out: list[Flowable] = []
    with translation.override(lang):
        title = _("Decision on appeal") if decision.kind == "appeal" else _("Decision")
        out += [
            p(f"Vetbridge — {title}", "title"),
            p(
                _("Claim %(ref)s — %(kind)s")
                % {"ref": claim.reference, "kind": claim.get_kind_display()}
            ),
            p(_("Claimant: %(name)s") % {"name": claim.person.display_name(lang)}),
            p(
                _("Filed on %(filed)s; decided on %(decided)s.")
                % {"filed": long_date(claim.filed_at), "decided": long_date(decision.computed_on)}
            ),
            Spacer(1, 4 * mm),
            p(_outcome_text(decision), "h2"),
        ]
        if decision.reason:
            out += [p(_("Reasons given by the officer:"), "h2"), p(decision.reason)]
        if decision.amount is not None:
            out.append(p(f"{letter.amount_label}: {_money(decision.amount, letter.currency)}"))
        if decision.valid_until:
            out.append(
                p(
                    _(
                        "The pension is temporary, until %(date)s; it will then be "
                        "reviewed after a medical examination."
                    )
                    % {"date": long_date(decision.valid_until)}
                )
            )
        arrears = decision.arrears or {}
        if arrears.get("amount_eur") is not None:
            out.append(
                p(
                    _("Arrears due from %(start)s: %(amount)s.")
                    % {
                        "start": long_date(dt.date.fromisoformat(arrears["start"]))
                        if arrears.get("start")
                        else "—",
                        "amount": _money(arrears["amount_eur"], "€"),
                    }
                )
            )
        result = decision.result
        if letter.global_rate and result.get("global_rate") is not None:
            out.append(
                p(_("Global invalidity rate: %(rate)s %%.") % {"rate": result["global_rate"]})
            )
        for period in arrears.get("periods") or []:
            out.append(
                p(
                    _("From %(start)s to %(end)s: %(days)s days at %(value)s a point: %(amount)s.")
                    % {
                        "start": long_date(dt.date.fromisoformat(period["start"])),
                        "end": long_date(dt.date.fromisoformat(period["end"])),
                        "days": period["days"],
                        "value": _money(period["point_value_eur"], "€"),
                        "amount": _money(period["amount_eur"], "€"),
                    },
                    "small",
                )
            )
        situation = situation_lines(decision.inputs)
        if situation:
            out.append(p(_("Situation taken into account"), "h2"))
            out += [p(f"• {line}") for line in situation]
        infirmities = decision.inputs.get("infirmities") or []
        if infirmities:
            out.append(p(_("Infirmities taken into account"), "h2"))
            rows = [[p(_("Infirmity"), "small"), p(_("Rate"), "small"), p(_("Also"), "small")]]
            rows += [
                [p(x["label"]), p(f"{_number(x['rate'])} %"), p("; ".join(infirmity_flags(x)))]
                for x in infirmities
            ]
            table = Table(rows, colWidths=[85 * mm, 20 * mm, 65 * mm])
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            out.append(table)
        out.append(p(_("How it was computed"), "h2"))
        steps = list(result.get("steps") or []) + list(arrears.get("procedure_steps") or [])
        for i, step in enumerate(steps, 1):
            text = step["text"].get(lang) or step["text"].get("en", "")
            out.append(p(f"{i}. {text}"))
            if step.get("reference"):
                out.append(p(step["reference"], "small"))
        out.append(p(_("How to appeal"), "h2"))
        out += [p(text) for text in remedy_texts(decision)]
        for step in decision.deadline_steps or []:
            out.append(p(step["text"].get(lang) or step["text"].get("en", ""), "small"))
        out.append(Spacer(1, 6 * mm))
        out.append(
            p(
                _(
                    "Rules version %(version)s, parameters %(digest)s: this decision can "
                    "be recomputed identically."
                )
                % {"version": decision.rules_version, "digest": decision.snapshot_id},
                "small",
            )
        )
    return out


def _number(value: Any) -> str:
    """A rate as the reader writes it: 12,5 in French and Ukrainian, 12.5 in English."""
    d = Decimal(str(value))
    d = d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
    return formats.number_format(d, use_l10n=True)


def infirmity_flags(row: dict[str, Any]) -> list[str]:
    """What an infirmity carries beyond its rate (frozen input row), in the active language."""
    out = []
    if row.get("third_person"):
        out.append(_("needs a third person"))
    if row.get("amputation_without_prosthesis"):
        out.append(_("amputation without prosthesis (+5)"))
    if row.get("arithmetic_addition"):
        out.append(
            _("%(n)s points added arithmetically") % {"n": _number(row["arithmetic_addition"])}
        )
    return out


def situation_lines(inputs: dict[str, Any]) -> list[str]:
    """The frozen situation besides the infirmities, one line each (what the calculator was
    given; a decision frozen before these existed shows none)."""
    out = []
    dates = inputs.get("children_birth_dates") or []
    if dates:
        out.append(
            _("Children: %(n)s (born %(dates)s)")
            % {
                "n": len(dates),
                "dates": ", ".join(short_date(dt.date.fromisoformat(d)) for d in dates),
            }
        )
    elif inputs.get("children"):
        out.append(_("Children: %(n)s") % {"n": inputs["children"]})
    if inputs.get("third_person"):
        names = [x["label"] for x in inputs.get("infirmities") or [] if x.get("third_person")]
        out.append(
            _("Needs a third person, because of: %(names)s") % {"names": ", ".join(names)}
            if names
            else _("Needs a third person")
        )
    if inputs.get("grand_mutile"):
        out.append(_("Grand mutilé conditions met"))
    if "grade" in inputs or "left_service" in inputs:
        grade = dict(Grade.choices).get(inputs.get("grade", "soldier"), inputs.get("grade"))
        out.append(_("Last grade held: %(grade)s") % {"grade": grade})
        out.append(
            _("Has left the service")
            if inputs.get("left_service")
            else _("In active service (soldier's rate)")
        )
    return out


def remedy_texts(decision: Decision) -> list[str]:
    """How to contest this decision: the remedy, its deadline once the notification date is
    known, or that the deadline runs from a notification not yet recorded."""
    from .services import next_remedy

    remedy = next_remedy(decision)
    deadline = (
        long_date(decision.appeal_deadline)
        if decision.appeal_deadline and decision.notified_on
        else None
    )
    unknown = _(
        "The deadline runs from the day this decision is notified to you; that date "
        "is not recorded yet. Keep the envelope or the acknowledgement of receipt."
    )
    if remedy == "cri":
        text = _(
            "Before any court, you must first appeal to the Commission de recours de "
            "l'invalidité (CRI): within 6 months of the notification (7 if you live in an "
            "overseas territory, 8 if abroad). Attach a copy of this decision and say "
            "what you contest. Without an answer within 4 months (longer while a medical "
            "expertise runs, up to 4 more months), your appeal is rejected and you may go "
            "to the administrative court."
        )
        last = _("Last day: %(date)s.") % {"date": deadline} if deadline else unknown
        return [text, last]
    if remedy == "court":
        text = _(
            "This decision of the Commission replaces the first one. You may bring it "
            "before the tribunal administratif within 2 months of its notification "
            "(3 if you live in an overseas territory, 4 if abroad)."
        )
        last = _("Last day: %(date)s.") % {"date": deadline} if deadline else unknown
        return [text, last]
    if remedy == "complaint":
        text = _(
            "You may file an administrative complaint, then go to court. Your contact "
            "person can help you."
        )
        last = (
            _("Last day for the complaint: %(date)s.") % {"date": deadline} if deadline else unknown
        )
        return [text, last]
    return [_("You may bring this decision before the court. Your contact person can help you.")]


def decision_letter_pdf(decision: Decision) -> bytes:
    _fonts()
    st = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Vetbridge {decision.claim.reference}",
        author="Vetbridge",
    )
    story: list[Flowable] = []
    for i, lang in enumerate(letter_languages(decision)):
        if i:
            story.append(PageBreak())
        story += _section(decision, lang, st)
    doc.build(story)
    return buffer.getvalue()
