"""The four axes of the January 2026 memorandum (editable afterwards; reversible)."""

from django.db import migrations

AXES = [
    ("reparation", 1,
     {"uk": "Політика права на відшкодування", "fr": "Politique de droit à réparation",
      "en": "Reparation rights policy"}),
    ("medical-care", 2,
     {"uk": "Медична допомога пораненим", "fr": "Soins médicaux des blessés",
      "en": "Medical care of the wounded"}),
    ("rehabilitation", 3,
     {"uk": "Реабілітація та реінтеграція", "fr": "Réhabilitation et réinsertion",
      "en": "Rehabilitation and reintegration"}),
    ("remembrance", 4,
     {"uk": "Вшанування пам'яті", "fr": "Mémoire", "en": "Remembrance"}),
]


def seed(apps, schema_editor):
    Axis = apps.get_model("cooperation", "Axis")
    for code, position, name in AXES:
        Axis.objects.update_or_create(code=code, defaults={"position": position, "name": name})


def unseed(apps, schema_editor):
    Axis = apps.get_model("cooperation", "Axis")
    Axis.objects.filter(code__in=[a[0] for a in AXES], actions__isnull=True,
                        indicators__isnull=True, objectives__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
