"""Seed the regions: Ukrainian oblasts and special-status cities (ISO 3166-2:UA), French regions."""

from django.db import migrations

REGIONS = [
    ("UA-05", "UA", "Вінницька область", "Oblast de Vinnytsia", "Vinnytsia Oblast"),
    ("UA-07", "UA", "Волинська область", "Oblast de Volhynie", "Volyn Oblast"),
    ("UA-09", "UA", "Луганська область", "Oblast de Louhansk", "Luhansk Oblast"),
    ("UA-12", "UA", "Дніпропетровська область", "Oblast de Dnipropetrovsk", "Dnipropetrovsk Oblast"),
    ("UA-14", "UA", "Донецька область", "Oblast de Donetsk", "Donetsk Oblast"),
    ("UA-18", "UA", "Житомирська область", "Oblast de Jytomyr", "Zhytomyr Oblast"),
    ("UA-21", "UA", "Закарпатська область", "Oblast de Transcarpatie", "Zakarpattia Oblast"),
    ("UA-23", "UA", "Запорізька область", "Oblast de Zaporijjia", "Zaporizhzhia Oblast"),
    ("UA-26", "UA", "Івано-Франківська область", "Oblast d'Ivano-Frankivsk", "Ivano-Frankivsk Oblast"),
    ("UA-30", "UA", "місто Київ", "Ville de Kyiv", "Kyiv City"),
    ("UA-32", "UA", "Київська область", "Oblast de Kyiv", "Kyiv Oblast"),
    ("UA-35", "UA", "Кіровоградська область", "Oblast de Kirovohrad", "Kirovohrad Oblast"),
    ("UA-40", "UA", "місто Севастополь", "Ville de Sébastopol", "Sevastopol City"),
    ("UA-43", "UA", "Автономна Республіка Крим", "République autonome de Crimée",
     "Autonomous Republic of Crimea"),
    ("UA-46", "UA", "Львівська область", "Oblast de Lviv", "Lviv Oblast"),
    ("UA-48", "UA", "Миколаївська область", "Oblast de Mykolaïv", "Mykolaiv Oblast"),
    ("UA-51", "UA", "Одеська область", "Oblast d'Odessa", "Odesa Oblast"),
    ("UA-53", "UA", "Полтавська область", "Oblast de Poltava", "Poltava Oblast"),
    ("UA-56", "UA", "Рівненська область", "Oblast de Rivne", "Rivne Oblast"),
    ("UA-59", "UA", "Сумська область", "Oblast de Soumy", "Sumy Oblast"),
    ("UA-61", "UA", "Тернопільська область", "Oblast de Ternopil", "Ternopil Oblast"),
    ("UA-63", "UA", "Харківська область", "Oblast de Kharkiv", "Kharkiv Oblast"),
    ("UA-65", "UA", "Херсонська область", "Oblast de Kherson", "Kherson Oblast"),
    ("UA-68", "UA", "Хмельницька область", "Oblast de Khmelnytskyï", "Khmelnytskyi Oblast"),
    ("UA-71", "UA", "Черкаська область", "Oblast de Tcherkassy", "Cherkasy Oblast"),
    ("UA-74", "UA", "Чернігівська область", "Oblast de Tchernihiv", "Chernihiv Oblast"),
    ("UA-77", "UA", "Чернівецька область", "Oblast de Tchernivtsi", "Chernivtsi Oblast"),
    ("FR-ARA", "FR", "Овернь — Рона — Альпи", "Auvergne-Rhône-Alpes", "Auvergne-Rhône-Alpes"),
    ("FR-BFC", "FR", "Бургундія — Франш-Конте", "Bourgogne-Franche-Comté",
     "Bourgogne-Franche-Comté"),
    ("FR-BRE", "FR", "Бретань", "Bretagne", "Brittany"),
    ("FR-CVL", "FR", "Центр — Долина Луари", "Centre-Val de Loire", "Centre-Val de Loire"),
    ("FR-20R", "FR", "Корсика", "Corse", "Corsica"),
    ("FR-GES", "FR", "Гранд-Ест", "Grand Est", "Grand Est"),
    ("FR-HDF", "FR", "О-де-Франс", "Hauts-de-France", "Hauts-de-France"),
    ("FR-IDF", "FR", "Іль-де-Франс", "Île-de-France", "Île-de-France"),
    ("FR-NOR", "FR", "Нормандія", "Normandie", "Normandy"),
    ("FR-NAQ", "FR", "Нова Аквітанія", "Nouvelle-Aquitaine", "Nouvelle-Aquitaine"),
    ("FR-OCC", "FR", "Окситанія", "Occitanie", "Occitania"),
    ("FR-PDL", "FR", "Луара", "Pays de la Loire", "Pays de la Loire"),
    ("FR-PAC", "FR", "Прованс — Альпи — Лазурний Берег", "Provence-Alpes-Côte d'Azur",
     "Provence-Alpes-Côte d'Azur"),
    ("FR-OM", "FR", "Заморські території Франції", "Outre-mer", "French overseas territories"),
]


def seed(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    for code, country, uk, fr, en in REGIONS:
        Region.objects.update_or_create(
            code=code, defaults={"country": country, "name_uk": uk, "name_fr": fr, "name_en": en}
        )


def unseed(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    Region.objects.filter(code__in=[r[0] for r in REGIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
