"""Demo memorial: the demo fallen published (editorial decision), one tribute to moderate."""

from __future__ import annotations

from vetbridge.accounts.models import User
from vetbridge.memorial.services import RecordChanges, TributeInput
from vetbridge.people.models import Lifecycle, Person

from . import services
from .models import MemorialRecord

UNITS = [
    "93-я окрема механізована бригада",
    "24-та окрема механізована бригада",
    "3-тя окрема штурмова бригада",
    "128-ма окрема гірсько-штурмова бригада",
]
PLACES = ["Бахмут", "Авдіївка", "Херсон", "Покровськ", "Ізюм"]


def load_demo_memorial(users: dict[str, User]) -> int:
    if MemorialRecord.objects.exists():
        return MemorialRecord.objects.count()
    editor = users["editor"]
    fallen = Person.objects.filter(lifecycle=Lifecycle.FALLEN, merged_into__isnull=True)
    for i, person in enumerate(fallen.order_by("pk")):
        record = services.record_create_for(actor=editor, person_id=person.pk)
        services.record_update(
            actor=editor,
            record_id=record.pk,
            expected_version=record.version,
            source="Книга пам'яті (демо)",
            data=RecordChanges(
                unit=UNITS[i % len(UNITS)],
                death_place=PLACES[i % len(PLACES)],
                burial_place="Личаківський цвинтар, Львів",
                birth_region=person.region,
                birth_year=person.birth_date.year if person.birth_date else None,
                sources="Книга пам'яті України (демо)",
            ),
        )
        if i < 4:
            services.record_publish(
                actor=editor,
                record_id=record.pk,
                basis="editorial",
                note="Рішення редакції № DEMO-" + str(i + 1),
            )
    first = MemorialRecord.objects.filter(published=True).order_by("pk").first()
    if first:
        services.tribute_submit(
            record_id=first.pk,
            ip="192.0.2.1",
            photo=None,
            data=TributeInput(
                author_name="Марія", relation="сестра", text="Ти назавжди з нами. Пишаємося тобою."
            ),
        )
    return MemorialRecord.objects.count()
