"""WHODAS 2.0, 12-item version: the items and their simple scoring.

Simple scoring (WHO manual, "Measuring health and disability", 2010, section 5.1): each item
is answered on five levels, none (0) to extreme or cannot do (4); the score is the sum, 0 to
48, also shown here as a percentage of the maximum. The manual's complex (item-response)
scoring needs its published weights, which are not reproduced here: not implemented, and
stated so on every result. The manual does not allow a simple score with missing items, so
all twelve answers are required.
"""

from __future__ import annotations

from dataclasses import dataclass

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
LEVELS = [(0, _("none")), (1, _("mild")), (2, _("moderate")), (3, _("severe")),
          (4, _("extreme or cannot do"))]
MAX_SCORE = 4 * len(ITEMS)


@dataclass(frozen=True)
class WhodasScore:
    total: int  # 0..48
    percent: float  # 0..100

    @property
    def method(self) -> str:
        return "simple"


def score(answers: dict[str, int]) -> WhodasScore:
    """Simple score of a complete 12-item answer sheet; ValueError names the first bad item."""
    total = 0
    for code, _label in ITEMS:
        value = answers.get(code)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
            raise ValueError(code)
        total += value
    return WhodasScore(total, round(100 * total / MAX_SCORE, 1))
