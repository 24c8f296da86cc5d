"""The name index in the database: same answers as the pure in-memory index, kept current."""

from __future__ import annotations

import pytest

from vetbridge.core.services import input_from
from vetbridge.names import MemoryStore, Searcher
from vetbridge.people import name_index
from vetbridge.people.models import NameKey, NameToken, PersonName
from vetbridge.people.services import NameInput, person_name_add

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("Шевченко", "Тарас"),
    ("Зеленський", "Володимир"),
    ("Залужний", "Валерій"),
    ("Шевчук", "Олександр"),
    ("Коваленко", "Ігор"),
    ("Ковальчук", "Ігор"),
]
QUERIES = [
    "Taras Chevtchenko",
    "Wladimir Selenskyj",
    "Zaloujny",
    "Aleksandr Shevchuk",
    "Igor Kovalenko",
    "Kovalchuk",
    "Шевченкo",
    "",
    "!!!",
]


def test_database_store_answers_like_the_memory_store(make_person):
    memory = MemoryStore()
    for surname, given in PEOPLE:
        p = make_person(surname, given)
        memory.add(p.pk, [f"{surname} {given}"])
    for q in QUERIES:
        db = name_index.search(q, limit=5)
        mem = Searcher(memory).search(q, limit=5)
        assert [(r.id, r.score) for r in db.results] == [(r.id, r.score) for r in mem.results]
        assert db.notices == mem.notices


def test_a_new_spelling_is_searchable_at_once(world, make_person):
    person = make_person("Бондар", "Олена")
    assert not [r for r in name_index.search("Bondartchouk").results if r.id == person.pk]
    person_name_add(
        actor=world["users"]["admin"],
        person_id=person.pk,
        data=input_from(
            NameInput, {"surname": "Bondartchouk", "given_name": "Hélène", "language": "fr"}
        ),
    )
    assert name_index.search("Bondartchouk Hélène").results[0].id == person.pk


def test_reindex_rebuilds_the_same_tables(make_person):
    for surname, given in PEOPLE:
        make_person(surname, given)
    before = (
        set(NameToken.objects.values_list("person_id", "skel")),
        set(NameKey.objects.values_list("key", "skel")),
    )
    NameToken.objects.all().delete()
    assert name_index.search("Shevchenko").results == []
    assert name_index.reindex_all() == len(PEOPLE)
    after = (
        set(NameToken.objects.values_list("person_id", "skel")),
        set(NameKey.objects.values_list("key", "skel")),
    )
    assert after == before


def test_index_people_drops_tokens_of_removed_spellings(make_person):
    person = make_person("Шевченко", "Тарас")
    PersonName.objects.filter(person=person).update(surname="Франко", given_name="Іван")
    name_index.index_people([person.pk])
    assert name_index.search("Shevchenko Taras").results == []
    assert name_index.search("Ivan Franko").results[0].id == person.pk


def test_kept_name_counts_plan_the_search_but_results_stay_live(make_person, settings):
    """The registry keeps how many people carry each skeleton for a while (one count query
    instead of one per search); people added meanwhile are still found (postings are live)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.VETBRIDGE_NAME_COUNTS_SECONDS = 60
    name_index.registry_frequencies.forget()
    first = make_person("Шевченко", "Тарас")
    name_index.registry_frequencies.forget()  # registering searched for duplicates already
    try:
        with CaptureQueriesContext(connection) as before:
            found = name_index.search("Taras Shevchenko", limit=5)
        assert [r.id for r in found.results] == [first.pk]
        second = make_person("Шевченко", "Тарас")
        with CaptureQueriesContext(connection) as after:
            found = name_index.search("Taras Shevchenko", limit=5)
        assert {r.id for r in found.results} == {first.pk, second.pk}
        assert any("COUNT(" in q["sql"].upper() for q in before.captured_queries)
        assert len(after.captured_queries) < len(before.captured_queries)
        assert not any("COUNT(" in q["sql"].upper() for q in after.captured_queries)
        settings.VETBRIDGE_NAME_COUNTS_SECONDS = 0
        with CaptureQueriesContext(connection) as live:
            name_index.search("Taras Shevchenko", limit=5)
        assert any("COUNT(" in q["sql"].upper() for q in live.captured_queries)
    finally:
        name_index.registry_frequencies.forget()
