"""Family on the person file: both directions, within the reader's scope, few queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vetbridge.people.models import FamilyLink
from vetbridge.people.selectors import person_relatives


@pytest.mark.django_db
def test_relatives_both_ways_and_only_those_the_reader_may_see(world, make_person):
    worker = world["users"]["case_worker"]  # Lviv oblast only
    father = world["lviv"]
    son = make_person("Коваленко", "Тарас")
    wife = make_person("Коваленко", "Олена")
    far = make_person("Коваленко", "Марко", region="UA-30")  # outside the oblast
    FamilyLink.objects.create(person=father, relative=son, kind="child")
    FamilyLink.objects.create(person=wife, relative=father, kind="spouse")
    FamilyLink.objects.create(person=far, relative=father, kind="child")  # far is a child
    seen = {(r.person.pk, r.kind) for r in person_relatives(user=worker, person=father)}
    assert seen == {(son.pk, "child"), (wife.pk, "spouse")}
    # Seen from the son: his father, as parent.
    assert [(r.person.pk, r.kind) for r in person_relatives(user=worker, person=son)] == [
        (father.pk, "parent")
    ]
    # The names of the relatives come with them (no query per relative).
    with CaptureQueriesContext(connection) as captured:
        names = [r.person.display_name() for r in person_relatives(user=worker, person=father)]
    assert len(captured) == 3 and all(names)


@pytest.mark.django_db
def test_a_file_without_family_costs_one_query(world):
    with CaptureQueriesContext(connection) as captured:
        assert person_relatives(user=world["users"]["case_worker"], person=world["lviv"]) == []
    assert len(captured) == 1
