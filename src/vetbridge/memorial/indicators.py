"""Published counts of the memorial for the roadmap's indicators (contract:
`core.indicators`). Breakdown: the region of the person remembered."""

from __future__ import annotations

from vetbridge.core.indicators import Indicator, Period, Row, count_rows, grouped

from .models import MemorialRecord, Tribute, TributeState


def records_published(period: Period) -> list[Row]:
    """Memorial records published in the period (and still published)."""
    start, end = period.bounds()
    qs = MemorialRecord.objects.filter(
        published=True, published_at__gte=start, published_at__lt=end
    )
    return count_rows("memorial.records_published", period, grouped(qs, "person__region__code"))


def tributes_moderated(period: Period) -> list[Row]:
    """Tributes accepted or refused by a memorial editor in the period."""
    start, end = period.bounds()
    qs = Tribute.objects.filter(moderated_at__gte=start, moderated_at__lt=end).exclude(
        state=TributeState.PENDING
    )
    return count_rows(
        "memorial.tributes_moderated", period, grouped(qs, "record__person__region__code")
    )


INDICATORS: dict[str, Indicator] = {
    "memorial.records_published": records_published,
    "memorial.tributes_moderated": tributes_moderated,
}
