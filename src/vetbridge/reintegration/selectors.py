"""What other apps may read of referrals (the care timeline and caseload): published here,
so that they never import this app's models."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Referral
from .services import late


def referrals_of_person(person_id: int) -> QuerySet[Referral]:
    """A person's referrals with their partner, newest first (no medical content)."""
    return Referral.objects.filter(person_id=person_id).select_related("partner")


def late_counts(person_ids: Iterable[int]) -> dict[int, int]:
    """For each person, how many referrals still wait for the partner's answer too long."""
    return dict(
        Counter(
            Referral.objects.filter(late(), person_id__in=list(person_ids)).values_list(
                "person_id", flat=True
            )
        )
    )
