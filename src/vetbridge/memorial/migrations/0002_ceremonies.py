"""Remembrance dates of both countries."""

import datetime as dt

from django.db import migrations

CEREMONIES = [
    # (month, day, time, country, titles uk/fr/en, descriptions uk/fr/en, reference)
    (None, None, dt.time(9, 0), "ua",
     "Загальнонаціональна хвилина мовчання", "Minute de silence nationale",
     "Nationwide minute of silence",
     "Щодня о 9:00 Україна вшановує загиблих унаслідок збройної агресії.",
     "Chaque jour à 9 h, l'Ukraine honore les victimes de l'agression armée.",
     "Every day at 9:00, Ukraine honours those killed by the armed aggression.",
     "https://www.president.gov.ua/documents/1432022-41713"),
    (5, 8, None, "",
     "День пам'яті та перемоги над нацизмом", "Victoire du 8 mai 1945",
     "Day of Remembrance and Victory over Nazism",
     "Пам'ять про загиблих у Другій світовій війні.",
     "Commémoration de la victoire de 1945 et de ses morts.",
     "Remembrance of those who fell in the Second World War.",
     "https://zakon.rada.gov.ua/laws/show/1702-20"),
    (8, 29, None, "ua",
     "День пам'яті захисників України", "Journée du souvenir des défenseurs de l'Ukraine",
     "Day of Remembrance of the Defenders of Ukraine",
     "Вшанування захисників, які загинули за незалежність України.",
     "Hommage aux défenseurs tombés pour l'indépendance de l'Ukraine.",
     "Honouring the defenders who fell for Ukraine's independence.",
     "https://www.president.gov.ua/documents/6212019-29681"),
    (10, 1, None, "ua",
     "День захисників і захисниць України", "Journée des défenseurs et défenseuses de l'Ukraine",
     "Day of the Defenders of Ukraine",
     "Державне свято на честь захисників і захисниць.",
     "Fête nationale en l'honneur des défenseurs et défenseuses.",
     "National holiday honouring the defenders.",
     "https://zakon.rada.gov.ua/laws/show/1762-20"),
    (11, 11, None, "fr",
     "День перемир'я 1918 року та вшанування всіх загиблих за Францію",
     "Armistice de 1918 et hommage à tous les morts pour la France",
     "Armistice of 1918 and tribute to all who died for France",
     "З 2012 року 11 листопада у Франції вшановують усіх загиблих за Францію.",
     "Depuis 2012, le 11 novembre rend hommage à tous les morts pour la France.",
     "Since 2012, 11 November honours all who died for France.",
     "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000025515748"),
]


def seed(apps, schema_editor):
    Ceremony = apps.get_model("memorial", "Ceremony")
    for month, day, time, country, tu, tf, te, du, df, de, ref in CEREMONIES:
        Ceremony.objects.create(month=month, day=day, time=time, country=country,
                                title_uk=tu, title_fr=tf, title_en=te, description_uk=du,
                                description_fr=df, description_en=de, reference=ref)


class Migration(migrations.Migration):
    dependencies = [("memorial", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
