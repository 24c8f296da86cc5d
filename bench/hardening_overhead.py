"""What the hardening of issue #14 costs, against peers measured in the same run.

1. The input gate (`core.inputs.data_text_errors`) on realistic API bodies (a person with
   names and statuses; a care note of 4,000 characters), against the peer at its best for
   the same walk: Django's own NUL check (`ProhibitNullCharactersValidator`: `"\\x00" in s`)
   on every string, and against `json.loads` of the same body (what every request pays).
2. The memorial's published() filter, which now also hides records whose person is not
   fallen or missing, against the previous filter (merged people only) on the public listing
   (count and first page) over N published records, SQLite (in memory).
3. The disclosure rule (`core.disclosure.protect_counts`) on tables of 10 to 200 cells,
   against plain primary suppression (the previous rule) on the same tables.

    PYTHONPATH=src .venv/bin/python bench/hardening_overhead.py [--n 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_gate(repeat: int) -> None:
    from vetbridge.core.inputs import data_text_errors

    rng = random.Random(14)
    letters = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяABCDEFGHIJKLMNOPQRSTUVWXYZ '-"
    bodies = []
    for i in range(2000):
        word = "".join(rng.choice(letters) for _ in range(12))
        bodies.append(
            json.dumps(
                {
                    "names": [
                        {
                            "surname": word,
                            "given_name": word[:6],
                            "patronymic": word[3:],
                            "language": "uk",
                        },
                        {"surname": word.upper(), "language": "en"},
                    ],
                    "birth_place": "Львів",
                    "address": f"вул. Шевченка, {i}",
                    "phone": "+380 50 000",
                    "email": "x@example.org",
                    "statuses": [
                        {
                            "kind": "ua_combatant",
                            "document_type": "посвідчення",
                            "document_number": f"AA{i:06}",
                            "issuer": "Мінветеранів",
                        }
                    ],
                }
            )
        )
    note = json.dumps({"text": ("Пацієнт скаржиться на біль. " * 150)[:4000]})
    bodies += [note] * 200
    payloads = [json.loads(b) for b in bodies]

    def django_nul_peer() -> None:
        def walk(v: Any) -> None:
            if isinstance(v, str):
                if "\x00" in v:
                    raise ValueError
            elif isinstance(v, dict):
                for x in v.values():
                    walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)

        for p in payloads:
            walk(p)

    def gate() -> None:
        for p in payloads:
            assert not data_text_errors(p)

    def parse() -> None:
        for b in bodies:
            json.loads(b)

    t_gate, t_peer, t_json = best(gate, repeat), best(django_nul_peer, repeat), best(parse, repeat)
    n = len(payloads)
    print(
        f"input gate: {n} bodies in {t_gate * 1e3:.1f} ms ({t_gate / n * 1e6:.1f} µs/body); "
        f"Django NUL-only walk {t_peer * 1e3:.1f} ms (ratio {t_gate / t_peer:.2f}); "
        f"json.loads {t_json * 1e3:.1f} ms (ratio {t_gate / t_json:.2f})"
    )


def bench_disclosure(repeat: int) -> None:
    from vetbridge.core.disclosure import protect_counts

    rng = random.Random(7)
    tables = [
        [rng.choice([0, 1, 2, 3, 4, 6, 10, 40, 300]) for _ in range(rng.randint(10, 200))]
        for _ in range(500)
    ]

    def new() -> None:
        for t in tables:
            protect_counts(t, 5)

    def old() -> None:
        for t in tables:
            [n if n >= 5 or n == 0 else None for n in t]

    t_new, t_old = best(new, repeat), best(old, repeat)
    print(
        f"disclosure: {len(tables)} tables in {t_new * 1e3:.1f} ms; primary-only peer "
        f"{t_old * 1e3:.1f} ms (ratio {t_new / t_old:.2f})"
    )


def bench_published(n: int, repeat: int) -> None:
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"
    os.environ["DJANGO_SETTINGS_MODULE"] = "vetbridge.config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    from vetbridge.memorial import selectors
    from vetbridge.memorial.models import MemorialRecord
    from vetbridge.people.models import Person

    rng = random.Random(3)
    now = timezone.now()
    people = Person.objects.bulk_create(
        [Person(lifecycle="fallen") for _ in range(n)] + [Person() for _ in range(n * 4)],
        batch_size=5000,
    )
    fallen = people[:n]
    MemorialRecord.objects.bulk_create(
        [
            MemorialRecord(
                person=p,
                published=True,
                publication_basis="editorial",
                publication_note="b",
                death_date=timezone.localdate() - timezone.timedelta(days=rng.randint(1, 900)),
                created_at=now,
                updated_at=now,
            )
            for p in fallen
        ],
        batch_size=5000,
    )
    # A few found alive (their records still flagged published) and a few merged.
    Person.objects.filter(pk__in=[p.pk for p in fallen[:5]]).update(lifecycle="alive")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def previous() -> Any:
        merged = Person.objects.filter(merged_into__isnull=False).values("id")
        return MemorialRecord.objects.filter(published=True).exclude(person_id__in=merged)

    def listing(qs_fn: Callable[[], Any]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(20):
                qs = qs_fn().order_by("-death_date", "-person_id")
                qs.count()
                list(qs[:25])

        return run

    assert selectors.published().count() == n - 5 and previous().count() == n
    t_new = t_old = float("inf")
    for _ in range(repeat):  # interleaved: both see the same machine load
        t_new = min(t_new, best(listing(selectors.published), 1))
        t_old = min(t_old, best(listing(previous), 1))
    print(
        f"memorial published(): {n} records, 20 × (count + first page) in "
        f"{t_new * 1e3:.1f} ms; previous filter (merged only) {t_old * 1e3:.1f} ms "
        f"(ratio {t_new / t_old:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bench_published(args.n, args.repeat)  # sets Django up for the others too
    bench_gate(args.repeat)
    bench_disclosure(args.repeat)


if __name__ == "__main__":
    main()
