"""The veteran's care summary in PDF, in their language."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus.flowables import Flowable

from vetbridge.accounts.models import User
from vetbridge.core.dates import long_date, sentence, short_date
from vetbridge.people.models import Person
from vetbridge.reparation.letters import _fonts, _styles

from . import services, whodas


def care_summary_pdf(*, user: User, person: Person, language: str) -> bytes:
    from xml.sax.saxutils import escape

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
        title="Vetbridge",
        author="Vetbridge",
    )
    story: list[Flowable] = []
    with translation.override(language):

        def p(text: object, style: str = "body") -> Paragraph:
            return Paragraph(escape(sentence(str(text))), st[style])

        story += [
            p(_("Care and rehabilitation summary"), "title"),
            p(person.display_name(language)),
            p(
                _("Your contact person: %(name)s")
                % {
                    "name": person.contact_person.get_full_name()
                    or person.contact_person.get_username()
                }
                if person.contact_person
                else _("No contact person assigned yet.")
            ),
            Spacer(1, 4 * mm),
        ]
        goals = list(person.goals.all())
        story.append(p(_("Rehabilitation goals"), "h2"))
        for g in goals:
            target = long_date(g.target_date) if g.target_date else "—"
            story.append(
                p(
                    f"• {g.description} — {g.get_domain_display()}, "
                    f"{g.get_status_display()}, {target}"
                )
            )
        if not goals:
            story.append(p(_("No goal recorded yet.")))
        series = services.whodas_series(person)
        story.append(p(_("Functional assessments (WHODAS 2.0, 12 items)"), "h2"))
        for a in series:
            story.append(p(f"• {long_date(a.assessed_on)}: {whodas.describe(a.score or 0)}"))
        if not series:
            story.append(p(_("No assessment recorded yet.")))
        story.append(p(_("Timeline"), "h2"))
        for entry in services.timeline(user=user, person=person)[:60]:
            story.append(
                p(
                    f"{short_date(entry.day)} — "
                    f"{entry.title}" + (f" ({entry.detail})" if entry.detail else "")
                )
            )
        story += [
            Spacer(1, 6 * mm),
            p(
                _(
                    "This summary contains health information. Keep it safe and share it "
                    "only with whom you choose."
                ),
                "small",
            ),
        ]
    doc.build(story)
    return buffer.getvalue()
