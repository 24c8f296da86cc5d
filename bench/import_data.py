"""Import files at scale for the import and linkage benchmarks: people CSV and memorial CSV
drawn from the Zipf-like name pools of names_data.py (mixed scripts, birth dates, regions)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from names_data import Population

UA_REGIONS = [
    "UA-05",
    "UA-07",
    "UA-09",
    "UA-12",
    "UA-14",
    "UA-18",
    "UA-21",
    "UA-23",
    "UA-26",
    "UA-30",
    "UA-32",
    "UA-35",
    "UA-46",
    "UA-48",
    "UA-51",
    "UA-53",
    "UA-56",
    "UA-59",
    "UA-61",
    "UA-63",
    "UA-65",
    "UA-68",
    "UA-71",
    "UA-74",
    "UA-77",
]
STATUSES = [
    "ua_combatant",
    "ua_combatant",
    "ua_combatant",
    "ua_war_disability:2",
    "ua_family_of_fallen",
    "",
]


def birth_date(rng: random.Random) -> dt.date:
    return dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))


def write_people(path: Path, n: int, seed: int = 3, prefix: str = "P") -> None:
    rng = random.Random(seed)
    pop = Population(rng)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "external_id",
                "surname",
                "given_name",
                "patronymic",
                "birth_date",
                "sex",
                "status",
                "region",
            ]
        )
        for i in range(1, n + 1):
            s, g, sex = pop.person()
            out.writerow(
                [
                    f"{prefix}{i:08d}",
                    s,
                    g,
                    pop.patronymic(sex),
                    birth_date(rng).isoformat() if rng.random() < 0.97 else "",
                    sex,
                    rng.choice(STATUSES),
                    rng.choice(UA_REGIONS),
                ]
            )


def write_memorial(path: Path, n: int, seed: int = 4, prefix: str = "M") -> None:
    rng = random.Random(seed)
    pop = Population(rng)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "external_id",
                "surname",
                "given_name",
                "patronymic",
                "death_date",
                "birth_year",
                "birth_region",
                "unit",
            ]
        )
        for i in range(1, n + 1):
            s, g, sex = pop.person()
            death = dt.date(2022, 2, 24) + dt.timedelta(days=rng.randrange(1000))
            out.writerow(
                [
                    f"{prefix}{i:08d}",
                    s,
                    g,
                    pop.patronymic(sex),
                    death.isoformat(),
                    str(rng.randrange(1960, 2004)),
                    rng.choice(UA_REGIONS),
                    f"{rng.randrange(1, 160)} brigade",
                ]
            )
