"""WHODAS 2.0, 12-item version: the items and their simple scoring.

The WHO manual ("Measuring health and disability", 2010, summary scores) codes each item on
five levels, none = 1 … extreme or cannot do = 5, and its simple score is the sum: 12 to 60
for the 12 items (`WhodasScore.who_sum`).

The platform stores each answer recoded 0–4 (the manual's code − 1) and their sum, 0 to 48
(`WhodasScore.total`): a common, equivalent recoding (e.g. the German MII FHIR WHODAS-12
profile), always named "0–48 recoding" beside the WHO sum, never presented as the WHO's own
scale. A clinician copying the printed form's codes (1–5) picks the level with that code on
the page; the API takes the 0–4 values.

No percentage is shown: the manual's 0–100 metric belongs to its complex (item-response)
scoring, which needs published weights not reproduced here (not implemented, and stated so).
`percent` (share of the 0–48 maximum) is kept only for compatibility of the API; it is not
that metric and cannot be compared with WHO population norms.

Missing items: the manual's rules were not retrievable here; requiring all twelve answers is
the safe reading (law review row 88).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Item codes of the 12-item version, in order, with their short wording.
ITEMS = [
    ("S1", _("Standing for long periods such as 30 minutes")),
    ("S2", _("Taking care of your household responsibilities")),
    ("S3", _("Learning a new task, for example, learning how to get to a new place")),
    ("S4", _("Joining in community activities in the same way as anyone else can")),
    ("S5", _("How much have you been emotionally affected by your health problems")),
    ("S6", _("Concentrating on doing something for ten minutes")),
    ("S7", _("Walking a long distance such as a kilometre")),
    ("S8", _("Washing your whole body")),
    ("S9", _("Getting dressed")),
    ("S10", _("Dealing with people you do not know")),
    ("S11", _("Maintaining a friendship")),
    ("S12", _("Your day-to-day work or school")),
]
LEVELS = [
    (0, _("none")),
    (1, _("mild")),
    (2, _("moderate")),
    (3, _("severe")),
    (4, _("extreme or cannot do")),
]
MAX_SCORE = 4 * len(ITEMS)  # 0–48 recoding
WHO_CODE_OFFSET = 1  # the manual codes none = 1 … extreme = 5
WHO_MIN = WHO_CODE_OFFSET * len(ITEMS)  # 12
WHO_MAX = MAX_SCORE + WHO_MIN  # 60


def who_code(value: int) -> int:
    """The manual's printed code (1–5) of a stored answer (0–4)."""
    return value + WHO_CODE_OFFSET


def who_sum(total: int) -> int:
    """The WHO manual's simple sum (12–60) of a 0–48 recoded total."""
    return total + WHO_MIN


@dataclass(frozen=True)
class WhodasScore:
    total: int  # 0..48: the sum of the answers recoded 0–4
    percent: float  # share of the 0–48 maximum: API compatibility only, never displayed

    @property
    def method(self) -> str:
        return "simple"

    @property
    def who_sum(self) -> int:
        """The WHO manual's simple sum, items coded 1–5: 12 to 60."""
        return who_sum(self.total)


def score(answers: dict[str, int]) -> WhodasScore:
    """Simple score of a complete 12-item answer sheet (answers recoded 0–4); ValueError
    names the first bad item."""
    total = 0
    for code, _label in ITEMS:
        value = answers.get(code)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
            raise ValueError(code)
        total += value
    return WhodasScore(total, round(100 * total / MAX_SCORE, 1))


def describe(total: int) -> str:
    """One line for the timeline and the PDF: the WHO sum first, the recoding named."""
    return gettext("WHODAS simple sum %(who)s (scale 12–60); %(total)s on the 0–48 recoding") % {
        "who": who_sum(total),
        "total": total,
    }
