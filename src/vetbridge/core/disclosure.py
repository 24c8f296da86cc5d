"""Statistical disclosure control for every aggregate shown to a reader: one rule, here.

The rule (with k = `VETBRIDGE_MIN_CELL_SIZE`, 5 by default):

1. Primary suppression: a count of 1 to k − 1 people is hidden. Zero is shown (it says
   nobody, which identifies nobody).
2. Complementary suppression, per table (the cells of one breakdown, which add up to a total
   the reader sees or can compute): when cells are hidden, further cells are hidden, smallest
   non-zero first, until at least two are hidden and the hidden cells add up to k or more.
   So "total minus the shown cells" only gives the sum of two or more hidden cells, a sum
   of at least k, and no hidden cell can be recovered by subtraction.
3. A single figure outside a table (a total, a count of late claims) follows rule 1; a
   statistic computed from people (a median of days) is shown only over k people or more.

A hidden cell is None in the API and "hidden" on pages (not "< k": a complementary cell is
usually larger than k). Tables shown side by side over the same population (by lifecycle,
by region) are each protected on their own: each one's hidden cells add up to k or more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings


def min_cell() -> int:
    return int(settings.VETBRIDGE_MIN_CELL_SIZE)


def protect_counts(counts: Sequence[int], k: int | None = None) -> list[int | None]:
    """The counts of one table with rules 1 and 2 applied: None for each hidden cell."""
    k = min_cell() if k is None else k
    hidden = {i for i, n in enumerate(counts) if 0 < n < k}
    if not hidden:
        return list(counts)
    hidden_sum = sum(counts[i] for i in hidden)
    if len(hidden) < 2 or hidden_sum < k:
        # Complements: the smallest shown non-zero cells, until two or more are hidden and
        # they add up to k or more.
        for n, i in sorted((n, i) for i, n in enumerate(counts) if n >= k):
            hidden.add(i)
            hidden_sum += n
            if len(hidden) >= 2 and hidden_sum >= k:
                break
    return [None if i in hidden else n for i, n in enumerate(counts)]


def protect_rows(
    rows: list[dict[str, Any]], key: str = "count", k: int | None = None
) -> list[dict[str, Any]]:
    """The rows of one table, each `key` count protected (rows are copied)."""
    protected = protect_counts([int(r[key] or 0) for r in rows], k)
    return [{**r, key: value} for r, value in zip(rows, protected, strict=True)]


def protect_count(n: int, k: int | None = None) -> int | None:
    """A single figure: hidden (None) when it counts 1 to k − 1 people."""
    k = min_cell() if k is None else k
    return None if 0 < n < k else n
