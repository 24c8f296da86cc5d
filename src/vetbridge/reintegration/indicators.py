"""Published counts of referrals for the roadmap's indicators (contract: `core.indicators`).

Breakdown: the region of the referred person (code), or the outcome for `referrals_outcomes`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F, QuerySet

from vetbridge.core.indicators import Indicator, Period, Row, count_rows, grouped

from .models import Referral, ReferralStatus


def _by_region(qs: QuerySet[Referral]) -> dict[str | None, int]:
    return grouped(qs, "person__region__code")


def referrals_sent(period: Period) -> list[Row]:
    """Referrals sent in the period."""
    start, end = period.bounds()
    qs = Referral.objects.filter(sent_at__gte=start, sent_at__lt=end)
    return count_rows("reintegration.referrals_sent", period, _by_region(qs))


def referrals_answered_in_time(period: Period) -> list[Row]:
    """Referrals sent in the period that the partner answered within the configured days."""
    start, end = period.bounds()
    days = dt.timedelta(days=settings.VETBRIDGE_REFERRAL_ANSWER_DAYS)
    qs = Referral.objects.filter(
        sent_at__gte=start,
        sent_at__lt=end,
        answered_at__isnull=False,
        answered_at__lte=F("sent_at") + days,
    )
    return count_rows("reintegration.referrals_answered_in_time", period, _by_region(qs))


def referrals_completed(period: Period) -> list[Row]:
    """Referrals completed (closed with an outcome) in the period."""
    start, end = period.bounds()
    qs = Referral.objects.filter(
        status=ReferralStatus.COMPLETED, closed_at__gte=start, closed_at__lt=end
    )
    return count_rows("reintegration.referrals_completed", period, _by_region(qs))


def referrals_outcomes(period: Period) -> list[Row]:
    """Referrals completed in the period, by outcome (breakdown: the outcome code)."""
    start, end = period.bounds()
    qs = Referral.objects.filter(
        status=ReferralStatus.COMPLETED, closed_at__gte=start, closed_at__lt=end
    )
    return count_rows("reintegration.referrals_outcomes", period, grouped(qs, "outcome"))


INDICATORS: dict[str, Indicator] = {
    "reintegration.referrals_sent": referrals_sent,
    "reintegration.referrals_answered_in_time": referrals_answered_in_time,
    "reintegration.referrals_completed": referrals_completed,
    "reintegration.referrals_outcomes": referrals_outcomes,
}
