"""`__in_array`: the same rows as `__in`, one array parameter on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vetbridge.people.models import Person


@pytest.mark.django_db
def test_in_array_keeps_the_same_rows_as_in(make_person):
    people = [make_person(f"Коваль{i}", "Іван") for i in range(6)]
    ids = [p.pk for p in people]
    wanted = ids[1:4] + [10**9]  # an id that does not exist changes nothing
    assert set(Person.objects.filter(pk__in_array=wanted).values_list("pk", flat=True)) == set(
        Person.objects.filter(pk__in=wanted).values_list("pk", flat=True)
    )
    assert set(Person.objects.exclude(pk__in_array=wanted).filter(pk__in=ids)) == {
        people[0],
        people[4],
        people[5],
    }
    assert list(Person.objects.filter(pk__in_array=[])) == []


@pytest.mark.django_db
def test_in_array_sends_one_parameter_on_postgresql(make_person):
    ids = [make_person(f"Бондар{i}", "Петро").pk for i in range(3)]
    with CaptureQueriesContext(connection) as captured:
        list(Person.objects.filter(pk__in_array=ids))
    sql = captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql
