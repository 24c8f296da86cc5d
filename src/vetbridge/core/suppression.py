"""Small-cell suppression for every aggregate the platform shows: one rule, one place.

A cell computed from fewer than `VETBRIDGE_MIN_CELL_SIZE` records (but more than none) is
hidden; when exactly one cell of a breakdown is hidden and the total is shown, the next
smallest cell is hidden too, so the hidden one cannot be recovered by subtraction
(complementary suppression).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings


def min_cell() -> int:
    return int(settings.VETBRIDGE_MIN_CELL_SIZE)


def is_small(n: int, threshold: int | None = None) -> bool:
    """True when a cell from `n` records must be hidden (zero is not disclosive)."""
    limit = min_cell() if threshold is None else threshold
    return 0 < n < limit


@dataclass(frozen=True)
class Cell:
    breakdown: str
    n: int


def hidden_breakdowns(
    cells: Sequence[Cell], threshold: int | None = None, *, additive: bool = True
) -> set[str]:
    """The breakdowns to hide among the cells of one total (the total's own key excluded).

    `additive`: the cells add up to the total (counts), so a lone hidden cell needs a second
    one hidden; shares, medians and means do not add up and need only the first rule."""
    hidden = {c.breakdown for c in cells if is_small(c.n, threshold)}
    if additive and len(hidden) == 1:
        others = sorted(
            (c for c in cells if c.breakdown not in hidden and c.n > 0), key=lambda c: c.n
        )
        if others:
            hidden.add(others[0].breakdown)
    return hidden
