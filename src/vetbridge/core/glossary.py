"""Terms a person meets on the platform, explained in plain words (the glossary page).

Each entry: an anchor (linked from pages where the term appears), the term, and its
explanation, both translatable. Legal references are given as they are written in law.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Term:
    anchor: str
    term: Promise | str
    meaning: Promise | str


TERMS: tuple[Term, ...] = (
    Term(
        "pmi",
        _("Military invalidity pension (PMI)"),
        _(
            "The French pension paid for infirmities caused by service or war. Its amount is "
            "a number of index points, set by the invalidity rate, multiplied by the value of "
            "the point in force (CPMIVG, Book I)."
        ),
    ),
    Term(
        "cpmivg",
        _("CPMIVG"),
        _(
            "The French code of military invalidity pensions and of victims of war: the law "
            "the French pension rules of this platform follow, article by article."
        ),
    ),
    Term(
        "rate",
        _("Invalidity rate"),
        _(
            "How much an infirmity reduces a person's capacity, in per cent, set by a medical "
            "assessor. Several infirmities are combined by the rule of remaining validity, not "
            "added (L125-8); the total is rounded up to the next 5 (L125-3)."
        ),
    ),
    Term(
        "degrees",
        _("Degrees beyond 100 %"),
        _(
            "When one infirmity is at 100 %, each further 10 % of the other infirmities is a "
            "degree that adds index points (L125-10)."
        ),
    ),
    Term(
        "third-person",
        _("Need of a third person"),
        _(
            "An invalid who cannot perform the acts of daily life alone receives a majoration "
            "for the help of another person (L133-1)."
        ),
    ),
    Term(
        "grand-invalide",
        _("Grand invalide, grand mutilé"),
        _(
            "Seriously disabled pensioners receive extra allowances in index points; "
            "grands mutilés are those whose infirmities meet the conditions of the code for "
            "amputations, blindness or equivalent injuries."
        ),
    ),
    Term(
        "rapo",
        _("RAPO and CRI"),
        _(
            "Before going to court against a French pension decision, a claimant must first "
            "ask the invalidity appeals commission (CRI) to look at it again: the mandatory "
            "prior administrative appeal (RAPO), within 6 months of the notification."
        ),
    ),
    Term(
        "ta",
        _("Administrative court"),
        _(
            "After the CRI has decided, or kept silent for 4 months, the claimant may bring the "
            "case before the administrative court (tribunal administratif), within 2 months."
        ),
    ),
    Term(
        "notification",
        _("Notification"),
        _(
            "The day the claimant receives the decision. Appeal deadlines count from it, not "
            "from the day the decision was signed."
        ),
    ),
    Term(
        "ubd",
        _("УБД — combatant status"),
        _(
            "The Ukrainian status of participant in hostilities (учасник бойових дій), proved "
            "by a certificate; it opens the rights of war veterans in Ukraine."
        ),
    ),
    Term(
        "disability-group",
        _("Disability group (Ukraine)"),
        _(
            "Ukraine sets a disability group from I (most severe) to III; the one-time "
            "assistance for war disability depends on the group and on its cause."
        ),
    ),
    Term(
        "subsistence-minimum",
        _("Subsistence minimum (ПМ)"),
        _(
            "The Ukrainian amount set each year by the budget law; many payments are multiples "
            "of it, taken at 1 January of the year that counts."
        ),
    ),
    Term(
        "whodas",
        _("WHODAS 2.0"),
        _(
            "The World Health Organization's questionnaire on functioning: 12 questions on how "
            "hard daily activities are. Each answer is coded 1 (no difficulty) to 5 (extreme); "
            "the simple sum goes from 12 to 60, shown here also as 0 to 48. It is not a "
            "percentage."
        ),
    ),
    Term(
        "contact-person",
        _("Contact person"),
        _(
            "The one case worker who follows a veteran and whom the veteran can call; every "
            "veteran should have one."
        ),
    ),
    Term(
        "referral",
        _("Referral"),
        _(
            "A request, made with the veteran's consent, that a partner organisation helps "
            "with employment, training, housing, psychological or peer support, or sport."
        ),
    ),
    Term(
        "small-cells",
        _("Hidden small counts"),
        _(
            "In statistics, counts below a threshold are hidden, and so are other counts that "
            "would allow them to be worked out, so that no person can be recognised."
        ),
    ),
)
