"""Import files at scale for the import and linkage benchmarks: people CSV and memorial CSV
drawn from the Zipf-like name pools of names_data.py (mixed scripts, birth dates, regions)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from names_data import Population, latin

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


# A list of the fallen as a regional book of memory gives it: places of death along the front,
# burial places across the country, units, ranks, the source list, now and then a French or
# English spelling (a family abroad) and a short account of the circumstances.
FRONT_PLACES = [
    "Бахмут",
    "Авдіївка",
    "Мар'їнка",
    "Вугледар",
    "Соледар",
    "Лиман",
    "Ізюм",
    "Херсон",
    "Кліщіївка",
    "Часів Яр",
    "Покровськ",
    "Торецьк",
    "Куп'янськ",
    "Роботине",
    "Кринки",
    "Северодонецьк",
    "Лисичанськ",
    "Маріуполь",
    "Ірпінь",
    "Гостомель",
    "Волноваха",
    "Красногорівка",
]
BURIAL_PLACES = [
    "Київ, Лук'янівське кладовище",
    "Львів, Личаківське кладовище, Марсове поле",
    "Дніпро",
    "Харків",
    "Вінниця",
    "Полтава",
    "Житомир",
    "Рівне",
    "Тернопіль",
    "Івано-Франківськ",
    "Черкаси",
    "Чернігів",
    "Суми",
    "Одеса",
    "Запоріжжя",
    "Луцьк",
    "Ужгород",
    "Хмельницький",
]
RANKS = [
    "солдат",
    "солдат",
    "солдат",
    "старший солдат",
    "молодший сержант",
    "сержант",
    "старший сержант",
    "головний сержант",
    "лейтенант",
    "старший лейтенант",
    "капітан",
    "майор",
]
UNIT_KINDS = ["ОМБр", "ОМБр", "ОШБр", "ОАеМБр", "ОБрТрО", "ОБрМП", "ОТБр"]
CIRCUMSTANCES = [
    "Загинув під час виконання бойового завдання.",
    "Загинув унаслідок артилерійського обстрілу позицій.",
    "Помер від поранень у шпиталі.",
    "Зник безвісти під час оборони населеного пункту; загибель встановлено судом.",
]


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
                "surname_en",
                "given_name_en",
                "surname_fr",
                "given_name_fr",
                "death_date",
                "birth_year",
                "birth_region",
                "death_place",
                "unit",
                "rank",
                "burial_place",
                "circumstances",
                "sources",
            ]
        )
        for i in range(1, n + 1):
            s, g, sex = pop.person()
            death = dt.date(2022, 2, 24) + dt.timedelta(days=rng.randrange(1000))
            abroad = rng.random()
            en = abroad < 0.05
            fr = 0.05 <= abroad < 0.08
            region = rng.choice(UA_REGIONS)
            out.writerow(
                [
                    f"{prefix}{i:08d}",
                    s,
                    g,
                    pop.patronymic(sex),
                    latin(s, "kmu") if en else "",
                    latin(g, "kmu") if en else "",
                    latin(s, "french_table") if fr else "",
                    latin(g, "french_table") if fr else "",
                    death.isoformat(),
                    str(rng.randrange(1960, 2004)) if rng.random() < 0.95 else "",
                    region if rng.random() < 0.9 else "",
                    rng.choice(FRONT_PLACES),
                    f"{rng.randrange(1, 160)} {rng.choice(UNIT_KINDS)}",
                    rng.choice(RANKS),
                    rng.choice(BURIAL_PLACES) if rng.random() < 0.8 else "",
                    rng.choice(CIRCUMSTANCES) if rng.random() < 0.3 else "",
                    f"Книга пам'яті, {region}, т. {rng.randrange(1, 12)}",
                ]
            )
