"""`core.services`: the one update helper (`model_update`) and the typed-input parser
(`input_from`) every app's services share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from vetbridge.accounts.describe import describe
from vetbridge.accounts.models import AuditLog
from vetbridge.core.exceptions import ApplicationError, ConflictError
from vetbridge.core.services import UNSET, Unset, input_from, model_update
from vetbridge.people.models import Person
from vetbridge.people.services import PersonChanges


def _updates(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def _rows(person: Person) -> int:
    return AuditLog.objects.filter(
        object_type="people.person", object_id=str(person.pk), action="update"
    ).count()


@pytest.mark.django_db
class ModelUpdateTests:
    def test_sets_only_what_changed_saves_those_columns_and_audits_one_diff(self, world):
        admin, person = world["users"]["admin"], world["lviv"]
        stamp = person.updated_at
        with CaptureQueriesContext(connection) as queries:
            same, changed = model_update(
                instance=person,
                actor=admin,
                fields={"birth_place": "Львів", "phone": person.phone, "sex": person.sex},
            )
        assert same is person and changed == ["birth_place"]
        [update] = _updates(queries)
        assert "birth_place" in update and "updated_at" in update
        assert "phone" not in update and '"sex"' not in update and "email" not in update
        person.refresh_from_db()
        assert person.birth_place == "Львів" and person.updated_at > stamp
        row = AuditLog.objects.get(
            object_type="people.person", object_id=str(person.pk), action="update"
        )
        assert row.actor == admin and row.person_id == person.pk
        assert row.summary == "birth_place"
        assert row.changes == {"fields": {"birth_place": ["", "Львів"]}}

    def test_nothing_changed_writes_nothing(self, world):
        admin, person = world["users"]["admin"], world["lviv"]
        stamp, version = person.updated_at, person.version
        with CaptureQueriesContext(connection) as queries:
            _same, changed = model_update(
                instance=person,
                actor=admin,
                expected_version=version,
                fields={"birth_place": person.birth_place, "region": person.region},
            )
        assert changed == []
        assert _updates(queries) == [] and not [
            q for q in queries.captured_queries if "INSERT" in q["sql"]
        ]
        person.refresh_from_db()
        assert person.updated_at == stamp and person.version == version
        assert _rows(person) == 0

    def test_invalid_value_names_the_field_in_the_readers_language_and_saves_nothing(self, world):
        admin, person = world["users"]["admin"], world["lviv"]
        with translation.override("fr"), pytest.raises(ApplicationError) as exc:
            model_update(
                instance=person,
                actor=admin,
                fields={"email": "pas une adresse", "birth_place": "Lyon"},
            )
        assert set(exc.value.fields) == {"email"}
        assert "adresse" in exc.value.fields["email"][0]  # Django's message, in French
        # The instance is as it was, and nothing reached the database or the audit log.
        assert person.email == "" and person.birth_place == ""
        person.refresh_from_db()
        assert person.email == "" and person.birth_place == ""
        assert _rows(person) == 0

    def test_a_prefix_is_put_before_the_field_names(self, world):
        with pytest.raises(ApplicationError) as exc:
            model_update(
                instance=world["lviv"], actor=None, prefix="people.0.", fields={"email": "x"}
            )
        assert list(exc.value.fields) == ["people.0.email"]

    def test_a_refusing_check_restores_the_values(self, world):
        person, kyiv_region = world["lviv"], world["kyiv"].region
        region = person.region

        def refuse(_p: Person) -> None:
            raise ApplicationError("no", fields={"region": ["not yours"]})

        with pytest.raises(ApplicationError):
            model_update(instance=person, actor=None, fields={"region": kyiv_region}, check=refuse)
        assert person.region == region and person.region_id == region.pk

    def test_a_related_record_is_logged_by_its_id_and_read_as_a_sentence(self, world):
        worker, person = world["users"]["case_worker"], world["lviv"]
        _same, changed = model_update(
            instance=person, actor=worker, fields={"contact_person": worker}
        )
        assert changed == ["contact_person"]
        row = AuditLog.objects.get(
            object_type="people.person", object_id=str(person.pk), action="update"
        )
        assert row.changes == {"fields": {"contact_person": [None, worker.pk]}}
        with translation.override("en"):
            told = describe(
                action=row.action,
                object_type=row.object_type,
                object_id=row.object_id,
                summary=row.summary,
                changes=row.changes,
                actor=worker,
                actor_id=worker.pk,
            )
        assert "became the contact person" in told.sentence

    def test_dates_are_logged_in_iso_and_shown_localised(self, world):
        admin, person = world["users"]["admin"], world["lviv"]
        model_update(instance=person, actor=admin, fields={"birth_date": dt.date(1990, 3, 4)})
        row = AuditLog.objects.get(
            object_type="people.person", object_id=str(person.pk), action="update"
        )
        assert row.changes["fields"]["birth_date"] == [None, "1990-03-04"]
        with translation.override("fr"):
            told = describe(
                action=row.action,
                object_type=row.object_type,
                object_id=row.object_id,
                summary=row.summary,
                changes=row.changes,
                actor=admin,
            )
        [detail] = told.details
        assert detail.new == "04/03/1990" and detail.old == "—"

    def test_expected_version_refuses_a_stale_one_and_bumps_a_fresh_one(self, world):
        admin, person = world["users"]["admin"], world["lviv"]
        version = person.version
        with pytest.raises(ConflictError) as exc:
            model_update(
                instance=person,
                actor=admin,
                expected_version=version - 1,
                fields={"birth_place": "Одеса"},
                conflict_message="stale",
            )
        assert exc.value.message == "stale"
        # Someone else saved in between: the guarded UPDATE touches no row.
        Person.objects.filter(pk=person.pk).update(version=version + 5)
        with pytest.raises(ConflictError):
            model_update(
                instance=person,
                actor=admin,
                expected_version=version,
                fields={"birth_place": "Одеса"},
            )
        Person.objects.filter(pk=person.pk).update(version=version)
        person.refresh_from_db()
        _same, changed = model_update(
            instance=person, actor=admin, expected_version=version, fields={"birth_place": "Одеса"}
        )
        assert changed == ["birth_place"] and person.version == version + 1
        person.refresh_from_db()
        assert person.version == version + 1 and person.birth_place == "Одеса"
        assert _rows(person) == 1

    def test_a_dataclass_sets_only_its_fields_that_are_not_unset(self, world):
        admin, person = world["users"]["admin"], world["lviv"]
        phone = person.phone
        _same, changed = model_update(
            instance=person, actor=admin, fields=PersonChanges(birth_place="Дрогобич")
        )
        assert changed == ["birth_place"] and person.phone == phone

    def test_redacted_fields_are_audited_without_their_text(self, world):
        admin, person = world["users"]["admin"], world["lviv"]
        model_update(
            instance=person,
            actor=admin,
            redact=["address"],
            fields={"address": "вул. Городоцька 1", "birth_place": "Львів"},
        )
        row = AuditLog.objects.get(
            object_type="people.person", object_id=str(person.pk), action="update"
        )
        assert row.changes["fields"] == {"address": ["…", "…"], "birth_place": ["", "Львів"]}

    def test_a_field_it_cannot_set_is_a_programming_error(self, world):
        with pytest.raises(TypeError):
            model_update(instance=world["lviv"], actor=None, fields={"names": []})


@dataclass(frozen=True)
class _Sample:
    name: str
    day: dt.date | None = None
    at: dt.datetime | None = None
    count: int = 0
    flag: bool = False
    codes: tuple[str, ...] = ()
    later: str | Unset = UNSET


class InputFromTests:
    def test_parses_text_into_the_annotated_types(self):
        value = input_from(
            _Sample,
            {
                "name": "x",
                "day": "2026-03-01",
                "count": "12",
                "flag": "on",
                "codes": ["a", "b"],
                "at": "2026-03-01T10:30",
                "ignored": 1,
            },
        )
        assert value.day == dt.date(2026, 3, 1) and value.count == 12 and value.flag is True
        assert value.codes == ("a", "b") and value.at is not None and value.at.hour == 10
        assert value.at.tzinfo is not None  # made aware in the current time zone
        assert value.later is UNSET

    def test_keeps_typed_values_and_empties_optional_ones(self):
        day = dt.date(2025, 1, 2)
        value = input_from(
            _Sample, {"name": None, "day": day, "count": "", "codes": ()}, later="kept"
        )
        assert value.name == "" and value.day is day and value.later == "kept"
        assert value.count == 0  # left empty: the default

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({}, "name", "This field is required."),
            ({"name": "x", "day": "2026-13-40"}, "day", "Enter a valid date."),
            ({"name": "x", "count": "many"}, "count", "Enter a whole number."),
            ({"name": "x", "codes": "ab"}, "codes", "Enter a valid value."),
        ],
    )
    def test_refusals_name_the_field(self, data, field, message):
        with translation.override("en"), pytest.raises(ApplicationError) as exc:
            input_from(_Sample, data)
        assert exc.value.fields == {field: [message]}

    def test_refusals_speak_the_readers_language(self):
        with translation.override("uk"), pytest.raises(ApplicationError) as exc:
            input_from(_Sample, {"name": "x", "count": "багато"})
        assert exc.value.fields == {"count": ["Введіть ціле число."]}

    def test_only_dataclasses(self):
        with pytest.raises(TypeError):
            input_from(dict, {})
