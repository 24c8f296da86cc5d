"""Aggregates that cannot be undone (issue #14.7): no hidden cell of a statistics table can be
recovered from the total by subtraction, on the registry and claims statistics, API and page."""

from __future__ import annotations

import itertools
import random

import pytest
from django.test import Client

from vetbridge.core.disclosure import protect_count, protect_counts
from vetbridge.reparation.kinds import ClaimFiling


def _safe(counts: list[int], shown: list[int | None], k: int) -> None:
    hidden = [n for n, s in zip(counts, shown, strict=True) if s is None]
    assert all(s == n for n, s in zip(counts, shown, strict=True) if s is not None)
    assert all(n >= k or n == 0 or s is None for n, s in zip(counts, shown, strict=True))
    if hidden:
        # Total minus the shown cells gives the sum of the hidden ones: never a single cell,
        # never a sum below k (unless everything is hidden and the total itself is small).
        assert len(hidden) >= 2 or all(s is None for s in shown if s != 0)
        assert sum(hidden) >= k or all(s is None or s == 0 for s in shown)


def test_complementary_suppression_on_every_small_table():
    k = 5
    for counts in itertools.product([0, 1, 2, 4, 5, 9, 30], repeat=4):
        _safe(list(counts), protect_counts(list(counts), k), k)
    rng = random.Random(14)
    for _ in range(500):
        counts = [rng.choice([0, 1, 2, 3, 6, 10, 50, 200]) for _ in range(rng.randint(1, 12))]
        _safe(counts, protect_counts(counts, k), k)


def test_examples():
    assert protect_counts([20, 2, 30], 5) == [None, None, 30]  # 2 and its complement, 20
    assert protect_counts([20, 0, 30], 5) == [20, 0, 30]  # nothing small: nothing hidden
    assert protect_counts([1, 1, 40, 50], 5) == [None, None, None, 50]  # 1 + 1 < 5: one more
    assert protect_count(3, 5) is None and protect_count(0, 5) == 0 and protect_count(7, 5) == 7


@pytest.fixture
def population(db, regions):
    from vetbridge.people.models import Person

    rows = [("alive", "UA-46")] * 20 + [("fallen", "UA-46")] * 2 + [("missing", "UA-30")] * 7
    Person.objects.bulk_create(
        [Person(lifecycle=life, region=regions[code]) for life, code in rows]
    )
    return len(rows)


@pytest.mark.django_db
def test_registry_statistics_cannot_be_undone_by_subtraction(make_user, population):
    client = Client()
    client.force_login(make_user("analyst"))
    stats = client.get("/api/stats").json()
    total = stats["total"]
    assert total == population
    for table in ("by_lifecycle", "by_region", "by_status"):
        shown = [r["count"] for r in stats[table]]
        hidden = [r for r in stats[table] if r["count"] is None]
        if hidden:
            assert len(hidden) >= 2, (table, stats[table])
    fallen = next(r for r in stats["by_lifecycle"] if r["lifecycle"] == "fallen")
    assert fallen["count"] is None
    shown = sum(r["count"] for r in stats["by_lifecycle"] if r["count"] is not None)
    assert total - shown != 2  # the old answer: the fallen, recovered by subtraction
    assert total - shown >= 5
    page = client.get("/people/stats/").content.decode()
    assert "&lt;5" not in page


@pytest.mark.django_db
def test_claim_statistics_cannot_be_undone_by_subtraction(world):
    from vetbridge.reparation import services

    admin = world["users"]["admin"]
    for _ in range(6):
        services.claim_file(
            actor=admin, person_id=world["lviv"].pk, filing=ClaimFiling("fr_pension")
        )
    claim = services.claim_file(
        actor=admin, person_id=world["lviv"].pk, filing=ClaimFiling("fr_pension")
    )
    claim.refresh_from_db()
    services.claim_transition(
        actor=admin, claim_id=claim.pk, name="withdraw", expected_version=claim.version
    )
    client = Client()
    client.force_login(world["users"]["analyst"])
    stats = client.get("/api/claims/stats").json()
    counts = [r["count"] for r in stats["by_state"]]
    assert stats["total"] == 7
    hidden = [c for c in counts if c is None]
    assert len(hidden) >= 2
    assert stats["total"] - sum(c for c in counts if c is not None) >= 5
