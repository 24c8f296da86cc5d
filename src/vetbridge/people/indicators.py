"""Published counts of the registry for the roadmap's indicators (contract:
`core.indicators`). Breakdown: the person's region (code). Stocks are taken on the last day
of the period."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vetbridge.core.indicators import Indicator, Period, Row, count_rows, grouped

from .models import Lifecycle, Person, PersonStatus, StatusKind

VETERAN_STATUSES = (StatusKind.UA_COMBATANT, StatusKind.UA_WAR_DISABILITY, StatusKind.FR_PENSIONER)


def _veterans(period: Period) -> QuerySet[Person]:
    """Living veterans on the last day of the period: a veteran status valid that day."""
    day = period.end
    holders = PersonStatus.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        kind__in=VETERAN_STATUSES,
        valid_from__lte=day,
    ).values("person_id")
    return Person.objects.filter(
        merged_into__isnull=True, lifecycle=Lifecycle.ALIVE, pk__in=holders
    )


def veterans(period: Period) -> list[Row]:
    """Living veterans on the last day of the period."""
    return count_rows("people.veterans", period, grouped(_veterans(period), "region__code"))


def veterans_with_contact_person(period: Period) -> list[Row]:
    """Living veterans who have a contact person (case worker), on the last day of the period."""
    qs = _veterans(period).filter(contact_person__isnull=False)
    return count_rows("people.veterans_with_contact_person", period, grouped(qs, "region__code"))


INDICATORS: dict[str, Indicator] = {
    "people.veterans": veterans,
    "people.veterans_with_contact_person": veterans_with_contact_person,
}
