from __future__ import annotations

import datetime as dt

import pytest

from vetbridge.accounts.models import AuditLog
from vetbridge.core.exceptions import ApplicationError, ConflictError, NotFoundError
from vetbridge.core.services import input_from
from vetbridge.people import services
from vetbridge.people.models import Person, PersonName
from vetbridge.people.services import NameInput, PersonChanges, PersonInput, StatusInput


@pytest.mark.django_db
class PersonCreateTests:
    def test_registers_cyrillic_name_and_audits_in_same_transaction(self, world):
        cw = world["users"]["case_worker"]
        person = services.person_create(
            actor=cw,
            data=input_from(PersonInput, {"region": cw.region, "sex": "F"}),
            names=[
                input_from(
                    NameInput, {"surname": "Мельник", "given_name": "Оксана", "language": "uk"}
                )
            ],
        )
        name = person.names.get()
        assert name.script == "Cyrl" and name.is_preferred
        row = AuditLog.objects.get(action="create", person_id=person.pk)
        assert row.actor == cw and row.summary == "Мельник Оксана"

    def test_case_worker_cannot_register_outside_region(self, world, regions):
        with pytest.raises(ApplicationError) as exc:
            services.person_create(
                actor=world["users"]["case_worker"],
                data=input_from(PersonInput, {"region": regions["UA-30"]}),
                names=[input_from(NameInput, {"surname": "Бойко"})],
            )
        assert "region" in exc.value.fields
        assert not Person.objects.filter(names__surname="Бойко").exists()

    def test_bad_dates_are_refused_with_field_errors_and_nothing_written(self, world):
        before = Person.objects.count()
        with pytest.raises(ApplicationError) as exc:
            services.person_create(
                actor=world["users"]["admin"],
                data=input_from(PersonInput, {"birth_date": dt.date(2999, 1, 1)}),
                names=[input_from(NameInput, {"surname": "Гнатюк"})],
            )
        assert "birth_date" in exc.value.fields
        with pytest.raises(ApplicationError) as exc:
            services.person_create(
                actor=world["users"]["admin"],
                data=input_from(
                    PersonInput, {"lifecycle": "alive", "lifecycle_date": dt.date(2024, 1, 1)}
                ),
                names=[input_from(NameInput, {"surname": "Гнатюк"})],
            )
        assert "lifecycle_date" in exc.value.fields
        assert Person.objects.count() == before

    def test_status_needs_group_only_for_war_disability(self, world):
        admin, lviv = world["users"]["admin"], world["lviv"]
        with pytest.raises(ApplicationError) as exc:
            services.person_status_add(
                actor=admin,
                person_id=lviv.pk,
                data=input_from(
                    StatusInput, {"kind": "ua_war_disability", "valid_from": dt.date(2024, 1, 1)}
                ),
            )
        assert "disability_group" in exc.value.fields
        status = services.person_status_add(
            actor=admin,
            person_id=lviv.pk,
            data=input_from(
                StatusInput,
                {
                    "kind": "ua_war_disability",
                    "disability_group": 2,
                    "valid_from": dt.date(2024, 1, 1),
                    "document_type": "Рішення ЕК",
                },
            ),
        )
        assert status.is_current(dt.date(2025, 1, 1))


@pytest.mark.django_db
class PersonUpdateTests:
    def test_optimistic_locking_refuses_a_stale_version(self, world):
        admin, lviv = world["users"]["admin"], world["lviv"]
        services.person_update(
            actor=admin,
            person_id=lviv.pk,
            expected_version=lviv.version,
            data=input_from(PersonChanges, {"birth_place": "Львів"}),
        )
        with pytest.raises(ConflictError):
            services.person_update(
                actor=admin,
                person_id=lviv.pk,
                expected_version=lviv.version,
                data=input_from(PersonChanges, {"birth_place": "Київ"}),
            )
        lviv.refresh_from_db()
        assert lviv.birth_place == "Львів"
        change = AuditLog.objects.filter(action="update", person_id=lviv.pk).get()
        assert change.changes["fields"]["birth_place"] == ["", "Львів"]

    def test_out_of_scope_person_is_not_found(self, world):
        with pytest.raises(NotFoundError):
            services.person_update(
                actor=world["users"]["case_worker"],
                person_id=world["kyiv"].pk,
                expected_version=1,
                data=input_from(PersonChanges, {}),
            )


@pytest.mark.django_db
class NameTests:
    def test_every_spelling_kept_one_preferred_per_language(self, world):
        admin, lviv = world["users"]["admin"], world["lviv"]
        services.person_name_add(
            actor=admin,
            person_id=lviv.pk,
            data=input_from(
                NameInput,
                {
                    "surname": "Kovalenko",
                    "given_name": "Ihor",
                    "language": "en",
                    "is_preferred": True,
                },
            ),
        )
        second = services.person_name_add(
            actor=admin,
            person_id=lviv.pk,
            data=input_from(
                NameInput,
                {
                    "surname": "Kovalenko",
                    "given_name": "Igor",
                    "language": "en",
                    "is_preferred": True,
                },
            ),
        )
        preferred = PersonName.objects.filter(person=lviv, language="en", is_preferred=True)
        assert list(preferred) == [second]
        assert lviv.names.count() == 3
        with pytest.raises(ApplicationError):
            services.person_name_add(
                actor=admin,
                person_id=lviv.pk,
                data=input_from(
                    NameInput, {"surname": "Kovalenko", "given_name": "Igor", "language": "en"}
                ),
            )

    def test_family_link_both_directions(self, world, make_person):
        from vetbridge.people.selectors import person_relatives

        admin, lviv = world["users"]["admin"], world["lviv"]
        child = make_person("Коваленко", "Марко")
        services.family_link_add(actor=admin, person_id=lviv.pk, relative_id=child.pk, kind="child")
        assert [r.kind for r in person_relatives(user=admin, person=child)] == ["parent"]
        with pytest.raises(ApplicationError):
            services.family_link_add(
                actor=admin, person_id=child.pk, relative_id=lviv.pk, kind="parent"
            )


@pytest.mark.django_db
def test_invisible_characters_are_not_a_name(world):
    """Zero-width and direction characters are removed; a name made only of them is empty."""
    admin, lviv = world["users"]["admin"], world["lviv"]
    with pytest.raises(ApplicationError) as exc:
        services.person_name_add(
            actor=admin,
            person_id=lviv.pk,
            data=input_from(NameInput, {"surname": "\u200b\u200e\ufeff", "language": "uk"}),
        )
    assert "surname" in exc.value.fields
    name = services.person_name_add(
        actor=admin,
        person_id=lviv.pk,
        data=input_from(
            NameInput,
            {"surname": "Ко\u200bва\u0301ленко", "given_name": "  Ігор\u200d ", "language": "ru"},
        ),
    )
    # The zero-width space and joiner go; the stress mark (a combining accent) is kept.
    assert (name.surname, name.given_name) == ("Кова\u0301ленко", "Ігор")


def test_two_preferred_spellings_in_one_language_are_refused_not_a_500(world):
    """Found by schemathesis against the API: it was an IntegrityError (500)."""
    from django.test import Client

    client = Client()
    client.force_login(world["users"]["admin"])
    count = Person.objects.count()
    response = client.post(
        "/api/people",
        content_type="application/json",
        data={
            "sex": "M",
            "region": "UA-46",
            "names": [
                {"surname": "Мельник", "language": "uk", "is_preferred": True},
                {
                    "surname": "Мельник",
                    "given_name": "Іван",
                    "language": "uk",
                    "is_preferred": True,
                },
            ],
        },
    )
    assert response.status_code == 400
    assert "names.1.is_preferred" in response.json()["error"]["fields"]
    assert Person.objects.count() == count  # nothing half-written


def test_the_same_spelling_twice_is_refused_not_a_500(world):
    from django.test import Client

    client = Client()
    client.force_login(world["users"]["admin"])
    response = client.post(
        "/api/people",
        content_type="application/json",
        data={
            "sex": "M",
            "region": "UA-46",
            "names": [{"surname": "Мельник"}, {"surname": "Мельник"}],
        },
    )
    assert response.status_code == 400
    assert "names.1.surname" in response.json()["error"]["fields"]
