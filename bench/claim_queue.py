"""The claim queue: one page sorted by each column, against the plain ORM at its best.

Builds a database of N people with one claim each (random kinds, states, filing dates and
days in state), then times, for every sortable column of the queue:
- ours: `selectors.claim_queue` for an officer (scoping, deadline annotation, sort on the
  translated label or the preferred surname) paginated as the page does: the count and 25
  rows with their person, names and assignee;
- the peer at its best: `Claim.objects.order_by(<plain column>)[:25]` with the count and the
  same select/prefetch, no scoping, no annotation, sorting on the code.
Prints milliseconds per page (median of R runs) and the ratio ours/peer.

    .venv/bin/python bench/claim_queue.py [--claims 50000] [--runs 9] [--db sqlite|URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--db", default="sqlite")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="vb-queue-")
    os.environ["DATABASE_URL"] = (
        f"sqlite:///{tmp}/bench.sqlite3" if args.db == "sqlite" else args.db
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "vetbridge.config.settings.test"
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.utils import timezone
    from django.utils.translation import activate

    from vetbridge.accounts.models import User
    from vetbridge.people.models import Person, PersonName
    from vetbridge.reparation import selectors
    from vetbridge.reparation.models import Claim, ClaimKind, ClaimState

    call_command("migrate", verbosity=0)
    if not Claim.objects.exists():
        rng = random.Random(7)
        now = timezone.now()
        n = args.claims
        Person.objects.bulk_create(
            [Person(pk=i, created_at=now, updated_at=now) for i in range(1, n + 1)], batch_size=5000
        )
        PersonName.objects.bulk_create(
            [
                PersonName(
                    person_id=i,
                    surname=f"Прізвище{rng.randrange(10**6):06d}",
                    given_name="Ім'я",
                    language="uk",
                    is_preferred=True,
                    script="Cyrl",
                    created_at=now,
                )
                for i in range(1, n + 1)
            ],
            batch_size=5000,
        )
        kinds, states = ClaimKind.values, ClaimState.values
        Claim.objects.bulk_create(
            [
                Claim(
                    pk=i,
                    person_id=i,
                    kind=rng.choice(kinds),
                    state=rng.choice(states),
                    filed_at=dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700)),
                    state_since=now - dt.timedelta(days=rng.randrange(400)),
                    created_at=now,
                )
                for i in range(1, n + 1)
            ],
            batch_size=5000,
        )
    officer = User.objects.create_user(username=f"officer{time.time_ns()}", role="pension_officer")
    activate("fr")
    plain = {
        "reference": "id",
        "kind": "kind",
        "claimant": "person_id",
        "filed": "filed_at",
        "state": "state",
        "days": "state_since",
        "deadline": "state_since",
        "assigned": "assigned_to_id",
    }

    def page(qs):
        p = Paginator(qs, 25).get_page(2)
        return len(list(p)), p.paginator.count

    def timed(make) -> float:
        out = []
        for _ in range(args.runs):
            start = time.perf_counter()
            page(make())
            out.append((time.perf_counter() - start) * 1000)
        return statistics.median(out)

    print(
        f"claims={Claim.objects.count()} db={os.environ['DATABASE_URL'].split(':')[0]} "
        f"runs={args.runs}"
    )
    print(f"{'column':<10} {'ours ms':>9} {'peer ms':>9} {'ratio':>6}")
    for column in selectors.SORT_COLUMNS:
        ours = timed(lambda c=column: selectors.claim_queue(user=officer, filters={}, sort=c))
        peer = timed(
            lambda c=column: (
                Claim.objects.select_related("person", "assigned_to")
                .prefetch_related("person__names")
                .order_by(plain[c], "id")
            )
        )
        print(f"{column:<10} {ours:9.1f} {peer:9.1f} {ours / peer:6.2f}")


if __name__ == "__main__":
    main()
