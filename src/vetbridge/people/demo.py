"""Demo data: a small registry and one account per role. For laptops and tests, never production."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Role
from vetbridge.core.models import Region
from vetbridge.core.services import input_from
from vetbridge.people.services import NameInput, PersonInput, StatusInput

from .models import Lifecycle, Person
from .services import family_link_add, person_create

DEMO_PASSWORD = "vetbridge-demo"  # noqa: S105 (documented demo password, demo data only)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    first_name: str
    last_name: str
    region: str | None = None
    language: str = "uk"
    side: str = ""


DEMO_ACCOUNTS = [
    DemoAccount("admin", Role.ADMIN, "Олена", "Адміністратор", language="uk"),
    DemoAccount("caseworker", Role.CASE_WORKER, "Оксана", "Мельник", "UA-46"),
    DemoAccount("caseworker.kyiv", Role.CASE_WORKER, "Andriy", "Boyko", "UA-30", "en"),
    DemoAccount("assessor", Role.MEDICAL_ASSESSOR, "Claire", "Dubois", language="fr"),
    DemoAccount("officer", Role.PENSION_OFFICER, "Marc", "Lefèvre", language="fr"),
    DemoAccount("editor", Role.MEMORIAL_EDITOR, "Ірина", "Гончар"),
    DemoAccount("analyst", Role.ANALYST, "Sophie", "Martin", language="fr"),
    DemoAccount("veteran", Role.VETERAN, "Ігор", "Коваленко"),
    DemoAccount("partner", Role.PARTNER, "Наталія", "Гнатюк"),
    DemoAccount("coop.fr", Role.COOPERATION_OFFICER, "Julien", "Moreau", language="fr", side="fr"),
    DemoAccount("coop.ua", Role.COOPERATION_OFFICER, "Оксана", "Савчук", side="ua"),
]

# (surname, given, patronymic, Latin passport spelling, French press spelling, sex)
NAMES = [
    ("Коваленко", "Ігор", "Петрович", ("Kovalenko", "Ihor"), ("Kovalenko", "Igor"), "M"),
    (
        "Шевченко",
        "Олександр",
        "Іванович",
        ("Shevchenko", "Oleksandr"),
        ("Chevtchenko", "Oleksandr"),
        "M",
    ),
    ("Бондаренко", "Олена", "Миколаївна", ("Bondarenko", "Olena"), ("Bondarenko", "Olena"), "F"),
    ("Ткаченко", "Сергій", "Васильович", ("Tkachenko", "Serhii"), ("Tkatchenko", "Serhiï"), "M"),
    (
        "Кравченко",
        "Михайло",
        "Андрійович",
        ("Kravchenko", "Mykhailo"),
        ("Kravtchenko", "Mykhaïlo"),
        "M",
    ),
    ("Олійник", "Наталія", "Сергіївна", ("Oliinyk", "Nataliia"), ("Oliïnyk", "Natalia"), "F"),
    ("Шевчук", "Андрій", "Олегович", ("Shevchuk", "Andrii"), ("Chevtchouk", "Andriï"), "M"),
    ("Поліщук", "Юлія", "Вікторівна", ("Polishchuk", "Yuliia"), ("Polichtchouk", "Ioulia"), "F"),
    ("Лисенко", "Дмитро", "Юрійович", ("Lysenko", "Dmytro"), ("Lyssenko", "Dmytro"), "M"),
    ("Руденко", "Тарас", "Богданович", ("Rudenko", "Taras"), ("Roudenko", "Taras"), "M"),
    ("Мороз", "Віталій", "Степанович", ("Moroz", "Vitalii"), ("Moroz", "Vitaliï"), "M"),
    ("Савченко", "Ганна", "Іванівна", ("Savchenko", "Hanna"), ("Savtchenko", "Hanna"), "F"),
    ("Марченко", "Євген", "Олександрович", ("Marchenko", "Yevhen"), ("Martchenko", "Ievguen"), "M"),
    ("Жук", "Володимир", "Павлович", ("Zhuk", "Volodymyr"), ("Joukov", "Volodymyr"), "M"),
    ("Гриценко", "Оксана", "Петрівна", ("Hrytsenko", "Oksana"), ("Hrytsenko", "Oksana"), "F"),
    (
        "Захарченко",
        "Юрій",
        "Григорович",
        ("Zakharchenko", "Yurii"),
        ("Zakhartchenko", "Iouri"),
        "M",
    ),
    ("Мельничук", "Роман", "Ярославович", ("Melnychuk", "Roman"), ("Melnytchouk", "Roman"), "M"),
    ("Кузьменко", "Ірина", "Анатоліївна", ("Kuzmenko", "Iryna"), ("Kouzmenko", "Iryna"), "F"),
    ("Левченко", "Максим", "Вадимович", ("Levchenko", "Maksym"), ("Levtchenko", "Maksym"), "M"),
    ("Ярошенко", "Богдан", "Миколайович", ("Yaroshenko", "Bohdan"), ("Iarochenko", "Bogdan"), "M"),
]
REGIONS = ["UA-46", "UA-30", "UA-32", "UA-63", "UA-51", "UA-12", "UA-05", "UA-53", "FR-IDF"]


def _ensure_accounts() -> dict[str, User]:
    regions = {r.code: r for r in Region.objects.all()}
    users = {}
    for acc in DEMO_ACCOUNTS:
        user, _created = User.objects.get_or_create(username=acc.username)
        user.role = acc.role
        user.first_name, user.last_name = acc.first_name, acc.last_name
        user.region = regions.get(acc.region) if acc.region else None
        user.language = acc.language
        user.side = acc.side
        user.email = f"{acc.username}@demo.vetbridge.invalid"
        user.is_staff = user.is_superuser = acc.role == Role.ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        users[acc.username] = user
    return users


@transaction.atomic
def load_demo(*, seed: int = 2026) -> dict[str, int]:
    """Idempotent: accounts are reset, people are created once."""
    from vetbridge.care.demo import load_demo_care
    from vetbridge.cooperation.demo import load_demo_cooperation
    from vetbridge.memorial.demo import load_demo_memorial
    from vetbridge.reparation.demo import load_demo_claims

    users = _ensure_accounts()
    if Person.objects.filter(external_id__startswith="DEMO-").exists():
        load_demo_claims(users)
        load_demo_memorial(users)
        load_demo_care(users)
        load_demo_cooperation(users)
        return {"people": Person.objects.count(), "accounts": len(users)}
    rng = random.Random(seed)
    regions = {r.code: r for r in Region.objects.all()}
    created: list[Person] = []
    for i, (surname, given, patr, latin, french, sex) in enumerate(NAMES * 3):
        if i >= len(NAMES):  # other people: same given names, other families
            other = NAMES[(i % len(NAMES) + 1 + 5 * (i // len(NAMES))) % len(NAMES)]
            surname = other[0]
            latin, french = (other[3][0], latin[1]), (other[4][0], french[1])
        region_code = "UA-46" if i < 8 else REGIONS[i % len(REGIONS)]
        lifecycle = Lifecycle.ALIVE
        death = None
        if i % 9 == 4:
            lifecycle, death = (
                Lifecycle.FALLEN,
                dt.date(2022, 3, 1) + dt.timedelta(days=rng.randint(0, 1300)),
            )
        elif i % 17 == 8:
            lifecycle, death = (
                Lifecycle.MISSING,
                dt.date(2023, 6, 1) + dt.timedelta(days=rng.randint(0, 600)),
            )
        birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 38))
        statuses: list[StatusInput] = []
        if sex == "M" and lifecycle == Lifecycle.ALIVE:
            statuses.append(
                StatusInput(
                    kind="ua_combatant",
                    valid_from=dt.date(2023, 1, 10) + dt.timedelta(days=i * 11),
                    document_type="Посвідчення УБД",
                    document_number=f"АА {100000 + i}",
                    issuer="Міністерство оборони України",
                )
            )
            if i % 4 == 0:
                statuses.append(
                    StatusInput(
                        kind="ua_war_disability",
                        disability_group=1 + i % 3,
                        valid_from=dt.date(2024, 2, 1) + dt.timedelta(days=i * 5),
                        document_type="Рішення експертної команди",
                        document_number=f"ЕК-{2000 + i}",
                    )
                )
        person = person_create(
            actor=None,
            audit=True,
            data=PersonInput(
                external_id=f"DEMO-{i + 1:04d}",
                birth_date=birth,
                sex=sex,
                region=regions.get(region_code),
                lifecycle=lifecycle,
                lifecycle_date=death,
                birth_place="",
                contact_person=users["caseworker"] if i < 5 else None,
                phone=f"+380 67 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            ),
            names=[
                NameInput(
                    surname=surname,
                    given_name=given,
                    patronymic=patr,
                    language="uk",
                    source="Паспорт",
                    is_preferred=True,
                ),
                NameInput(
                    surname=latin[0],
                    given_name=latin[1],
                    language="en",
                    source="Passport (KMU 2010)",
                    is_preferred=True,
                ),
                NameInput(
                    surname=french[0],
                    given_name=french[1],
                    language="fr",
                    source="Presse française",
                    is_preferred=True,
                ),
            ],
            statuses=statuses,
        )
        created.append(person)
    # Families: the spouse and child of the first fallen person hold the family status.
    fallen = next(p for p in created if p.lifecycle == Lifecycle.FALLEN)
    spouse = person_create(
        actor=None,
        data=PersonInput(
            external_id="DEMO-F001", sex="F", region=fallen.region, birth_date=dt.date(1988, 5, 17)
        ),
        names=[
            NameInput(
                surname=fallen.names.get(language="uk").surname,
                given_name="Марія",
                patronymic="Степанівна",
                language="uk",
            )
        ],
        statuses=[
            StatusInput(
                kind="ua_family_of_fallen",
                valid_from=(fallen.lifecycle_date or dt.date(2023, 1, 1)) + dt.timedelta(days=60),
                document_type="Посвідчення члена сім'ї загиблого",
            )
        ],
    )
    admin = users["admin"]
    family_link_add(actor=admin, person_id=fallen.pk, relative_id=spouse.pk, kind="spouse")
    # Two records that are the same people as registered ones, met in other sources: the
    # duplicate review queue starts with them.
    for source, twin, names in (
        (
            "Liste d'unité (presse)",
            created[1],
            [{"surname": "Chevtchenko", "given_name": "Alexandre", "language": "fr"}],
        ),
        (
            "Unit list",
            created[3],
            [{"surname": "TKATCHENKO", "given_name": "Serhiy", "language": "en"}],
        ),
    ):
        person_create(
            actor=None,
            data=PersonInput(birth_date=twin.birth_date, sex=twin.sex, region=twin.region),
            names=[input_from(NameInput, {**n, "source": source}) for n in names],
        )
    veteran_person = created[0]
    users["veteran"].person = veteran_person
    users["veteran"].save(update_fields=["person"])
    family_link_add(actor=admin, person_id=created[0].pk, relative_id=created[2].pk, kind="spouse")
    load_demo_claims(users)
    load_demo_memorial(users)
    load_demo_care(users)
    load_demo_cooperation(users)
    return {"people": Person.objects.count(), "accounts": len(users)}
