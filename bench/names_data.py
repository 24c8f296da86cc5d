"""Name material shared by the name benchmarks: Ukrainian surname and given-name pools with
Zipf-like frequencies, spelling-variant generators by kind, and the curated press variants.

Deliberately independent of `vetbridge.names` where it can be: French variants come from
translitua's French table and the curated press list, Russian forms from the mapping below,
never from the matcher's own transliteration or equivalence table.
"""

from __future__ import annotations

import random
import unicodedata
from itertools import accumulate
from pathlib import Path

import translitua
import yaml

SURNAME_ROOTS = [
    "Коваль",
    "Бондар",
    "Ткач",
    "Кравч",
    "Шевч",
    "Мельн",
    "Бойк",
    "Олійн",
    "Лисен",
    "Марч",
    "Савч",
    "Руд",
    "Гонч",
    "Петр",
    "Іван",
    "Павл",
    "Гаврил",
    "Кузьм",
    "Симон",
    "Мороз",
    "Гриц",
    "Левч",
    "Литвин",
    "Карп",
    "Остап",
    "Демч",
    "Кушн",
    "Мартин",
    "Мирон",
    "Наум",
    "Панас",
    "Семен",
    "Тимош",
    "Харч",
    "Юрч",
    "Яковл",
    "Дороф",
    "Гнат",
    "Федор",
    "Василь",
    "Степан",
    "Романч",
    "Бабич",
    "Власч",
    "Гайов",
    "Дмитр",
    "Клим",
    "Лукаш",
    "Макс",
    "Назар",
    "Онищ",
    "Приход",
    "Сидор",
    "Тарас",
    "Устим",
    "Хом",
    "Цибул",
    "Чорн",
    "Шаповал",
    "Щерб",
    "Ярош",
    "Білоус",
    "Гребен",
    "Дзюб",
    "Жук",
    "Зінч",
    "Кирил",
    "Лозов",
    "Михайл",
    "Нестер",
    "Осип",
    "Поліщ",
    "Рибал",
    "Соловй",
    "Троф",
    "Усач",
    "Філон",
    "Хмар",
    "Цвік",
    "Швед",
    "Якименк",
    "Антон",
    "Бершад",
    "Вакул",
    "Голуб",
    "Дяч",
    "Єрем",
    "Зайч",
    "Ігнат",
    "Козач",
    "Лавр",
    "Мазур",
    "Нечипор",
    "Оліфер",
    "Пилип",
    "Ридз",
    "Стець",
    "Тесл",
    "Фесен",
    "Хрущ",
    "Чуб",
    "Шамрай",
    "Юхим",
    "Андрущ",
    "Бурлак",
    "Вдовч",
    "Гуцал",
    "Деркач",
    "Журавл",
    "Забіл",
    "Кобзар",
    "Ляш",
    "Мацюк",
    "Ничипорч",
    "Охріменк",
    "Пономар",
    "Рябоконь",
    "Сердюк",
    "Тищ",
    "Фурс",
    "Хоменк",
    "Цимбал",
    "Чумак",
    "Шульг",
    "Якуб",
]
SURNAME_SUFFIXES = (
    "енко",
    "ук",
    "юк",
    "чук",
    "ський",
    "ич",
    "ів",
    "ак",
    "ко",
    "ець",
    "ишин",
    "ан",
    "ов",
    "ин",
    "ий",
    "",
)

GIVEN_MALE = [
    "Олександр",
    "Андрій",
    "Сергій",
    "Володимир",
    "Дмитро",
    "Іван",
    "Микола",
    "Михайло",
    "Олег",
    "Юрій",
    "Віктор",
    "Василь",
    "Ігор",
    "Богдан",
    "Тарас",
    "Ярослав",
    "Максим",
    "Петро",
    "Роман",
    "Павло",
    "Євген",
    "Віталій",
    "Денис",
    "Артем",
    "Богдан",
    "Степан",
    "Григорій",
    "Анатолій",
    "Валентин",
    "Костянтин",
    "Остап",
    "Назар",
    "Кирило",
    "Тимофій",
    "Данило",
    "Вадим",
    "Руслан",
    "Орест",
    "Зіновій",
    "Федір",
    "Борис",
    "Леонід",
    "Яків",
    "Матвій",
]
GIVEN_FEMALE = [
    "Олена",
    "Наталія",
    "Тетяна",
    "Ірина",
    "Оксана",
    "Світлана",
    "Юлія",
    "Марія",
    "Ольга",
    "Галина",
    "Катерина",
    "Людмила",
    "Анна",
    "Вікторія",
    "Софія",
    "Дарина",
    "Ярослава",
    "Мирослава",
    "Лариса",
    "Валентина",
    "Олександра",
    "Євгенія",
    "Христина",
    "Соломія",
    "Зоряна",
    "Уляна",
    "Леся",
    "Надія",
    "Любов",
]

# Ukrainian → Russian form of the given name, for "Russian-based" spellings (Igor for Ihor).
RUSSIAN_FORMS = {
    "Олександр": "Александр",
    "Андрій": "Андрей",
    "Сергій": "Сергей",
    "Володимир": "Владимир",
    "Дмитро": "Дмитрий",
    "Микола": "Николай",
    "Михайло": "Михаил",
    "Юрій": "Юрий",
    "Ігор": "Игорь",
    "Василь": "Василий",
    "Євген": "Евгений",
    "Віталій": "Виталий",
    "Петро": "Пётр",
    "Павло": "Павел",
    "Григорій": "Григорий",
    "Анатолій": "Анатолий",
    "Костянтин": "Константин",
    "Кирило": "Кирилл",
    "Тимофій": "Тимофей",
    "Данило": "Даниил",
    "Федір": "Фёдор",
    "Яків": "Яков",
    "Матвій": "Матвей",
    "Олексій": "Алексей",
    "Наталія": "Наталья",
    "Тетяна": "Татьяна",
    "Ірина": "Ирина",
    "Світлана": "Светлана",
    "Юлія": "Юлия",
    "Марія": "Мария",
    "Олена": "Елена",
    "Катерина": "Екатерина",
    "Євгенія": "Евгения",
    "Олександра": "Александра",
    "Дарина": "Дарья",
    "Софія": "София",
    "Галина": "Галина",
    "Ольга": "Ольга",
    "Людмила": "Людмила",
    "Надія": "Надежда",
    "Любов": "Любовь",
    "Христина": "Кристина",
    "Уляна": "Ульяна",
}

LATIN_SYSTEMS = {
    "kmu": translitua.UkrainianKMU,
    "bgn1965": translitua.UkrainianBGN,
    "iso9": translitua.UkrainianISO9,
    "passport2007": translitua.UkrainianPassport2007,
    "german": translitua.UkrainianGerman,
    "french_table": translitua.UkrainianFrench,
    "simple": translitua.UkrainianSimple,
}
LATIN_HOMOGLYPHS = dict(zip("асеіорху", "aceiopxy", strict=True))


ONSETS = [
    "б",
    "в",
    "г",
    "д",
    "ж",
    "з",
    "к",
    "л",
    "м",
    "н",
    "п",
    "р",
    "с",
    "т",
    "х",
    "ц",
    "ч",
    "ш",
    "бр",
    "гр",
    "др",
    "кр",
    "пр",
    "тр",
    "ст",
    "сл",
    "шп",
]
VOWELS = "аеиоуі"


def surname_pool(rng: random.Random, extra_roots: int = 6000) -> list[str]:
    """Real roots first (the frequent ones), then made-up Ukrainian-sounding roots, each with
    the common endings: about 100,000 distinct surnames, as a country has."""
    roots = list(SURNAME_ROOTS)
    seen = set(roots)
    while len(roots) < len(SURNAME_ROOTS) + extra_roots:
        root = "".join(
            rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.choice((1, 2, 2, 3)))
        )
        root = (root + rng.choice("кнлрмвсчт")).capitalize()
        if root not in seen:
            seen.add(root)
            roots.append(root)
    return [root + suffix for root in roots for suffix in SURNAME_SUFFIXES]


def zipf_weights(n: int, s: float = 1.07) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


class Population:
    """Draws people (surname, given name, sex) with Zipf-like frequencies."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = surname_pool(rng)
        head, tail = (
            self.surnames[: len(SURNAME_ROOTS) * len(SURNAME_SUFFIXES)],
            self.surnames[len(SURNAME_ROOTS) * len(SURNAME_SUFFIXES) :],
        )
        rng.shuffle(head)
        rng.shuffle(tail)
        self.surnames = head + tail
        self.male = list(GIVEN_MALE)
        self.female = list(GIVEN_FEMALE)
        rng.shuffle(self.male)
        rng.shuffle(self.female)
        self.sw = list(accumulate(zipf_weights(len(self.surnames), 0.75)))
        self.mw = list(accumulate(zipf_weights(len(self.male), 0.9)))
        self.fw = list(accumulate(zipf_weights(len(self.female), 0.9)))

    def person(self) -> tuple[str, str, str]:
        rng = self.rng
        surname = rng.choices(self.surnames, cum_weights=self.sw)[0]
        if rng.random() < 0.5:
            return surname, rng.choices(self.male, cum_weights=self.mw)[0], "M"
        surname = feminine(surname)
        return surname, rng.choices(self.female, cum_weights=self.fw)[0], "F"

    def patronymic(self, sex: str) -> str:
        father = self.rng.choices(self.male, cum_weights=self.mw)[0]
        stem = father[:-1] if father[-1] in "ійо" else father
        if father.endswith("ло"):
            stem = father[:-1]
        return stem + ("ович" if sex == "M" else "івна")


def feminine(surname: str) -> str:
    if surname.endswith("ський"):
        return surname[:-5] + "ська"
    if surname.endswith("ий"):
        return surname[:-2] + "а"
    if surname.endswith(("ов", "ин", "ів")):
        return surname + "а"
    return surname


def latin(text: str, system: str) -> str:
    return str(translitua.translit(text, LATIN_SYSTEMS[system]))


def typo(text: str, rng: random.Random, edits: int = 1) -> str:
    """Random keyboard-style edits on a Latin or Cyrillic spelling (never on the first letter
    of a word, where people rarely err)."""
    chars = list(text)
    alphabet = "abcdefghijklmnopqrstuvwxyz" if text.isascii() else "абвгдеєжзиіїйклмнопрстуфхцчшщюя"
    for _ in range(edits):
        positions = [i for i, c in enumerate(chars) if c.isalpha() and i and chars[i - 1] != " "]
        if not positions:
            break
        i = rng.choice(positions)
        op = rng.choice(("sub", "del", "ins", "swap"))
        if op == "sub":
            chars[i] = rng.choice(alphabet)
        elif op == "del":
            del chars[i]
        elif op == "ins":
            chars.insert(i, rng.choice(alphabet))
        elif i + 1 < len(chars) and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def variants(
    surname: str, given: str, patronymic: str, rng: random.Random
) -> list[tuple[str, str]]:
    """(kind, spelling) of one person, as met in the wild."""
    full = f"{given} {surname}"
    out = [
        ("cyrillic_full", f"{surname} {given} {patronymic}"),
        ("cyrillic_given_first", full),
        ("kmu", latin(full, "kmu")),
        ("bgn1965", latin(full, "bgn1965")),
        ("iso9", latin(full, "iso9")),
        ("passport2007", latin(full, "passport2007")),
        ("german", latin(full, "german")),
        ("french_table", latin(full, "french_table")),
        ("surname_first_caps", f"{latin(surname, 'kmu').upper()} {latin(given, 'kmu')}"),
        ("initial", f"{latin(given, 'kmu')[0]}. {latin(surname, 'kmu')}"),
        ("typo_latin", typo(latin(full, rng.choice(("kmu", "bgn1965", "german"))), rng)),
        ("typo_cyrillic", typo(full, rng)),
        ("two_typos", typo(latin(full, "kmu"), rng, 2)),
        (
            "homoglyph",
            "".join(LATIN_HOMOGLYPHS.get(c, c) if rng.random() < 0.3 else c for c in full),
        ),
        ("invisible_and_diacritics", "\u200b".join(latin(full, "kmu").split(" ", 1)) + "\u0301"),
    ]
    if given in RUSSIAN_FORMS:
        ru = RUSSIAN_FORMS[given]
        out.append(
            (
                "russian_form",
                str(
                    translitua.translit(
                        f"{ru} {surname}", translitua.RussianInternationalPassport1997
                    )
                ),
            )
        )
    return out


def press_variants() -> list[dict[str, object]]:
    """Curated spellings of public Ukrainian figures in the press (bench/data)."""
    path = Path(__file__).with_name("data") / "press_variants.yaml"
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["people"])


def strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
