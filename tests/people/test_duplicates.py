"""Duplicate review: suspects found on registration, merge and unmerge, scoping."""

from __future__ import annotations

import datetime as dt

import pytest

from vetbridge.core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from vetbridge.core.services import input_from
from vetbridge.people import name_index
from vetbridge.people.duplicates import (
    likely_duplicates,
    person_merge,
    person_unmerge,
    suspect_dismiss,
    suspects_for,
)
from vetbridge.people.models import (
    DuplicateState,
    DuplicateSuspect,
    FamilyLink,
    Person,
    PersonName,
    PersonStatus,
)
from vetbridge.people.services import (
    NameInput,
    PersonInput,
    StatusInput,
    family_link_add,
    person_create,
    person_status_add,
)

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1990, 3, 4)


@pytest.fixture
def twins(world, regions):
    """One man registered twice: from his passport, and from a French unit list."""
    a = person_create(
        actor=None,
        data=input_from(
            PersonInput, {"region": regions["UA-46"], "birth_date": BIRTH, "phone": "+380 1"}
        ),
        names=[
            input_from(
                NameInput, {"surname": "Ткаченко", "given_name": "Сергій", "language": "uk"}
            ),
            input_from(
                NameInput, {"surname": "Tkachenko", "given_name": "Serhii", "language": "en"}
            ),
        ],
    )
    b = person_create(
        actor=None,
        data=input_from(
            PersonInput,
            {
                "region": regions["UA-46"],
                "birth_date": BIRTH,
                "birth_place": "Lviv",
                "external_id": "UNIT-7",
            },
        ),
        names=[
            input_from(
                NameInput, {"surname": "Tkatchenko", "given_name": "Serhiy", "language": "fr"}
            ),
            input_from(
                NameInput, {"surname": "Ткаченко", "given_name": "Сергій", "language": "uk"}
            ),
        ],
    )
    return a, b


def test_registration_queues_a_high_confidence_suspect(twins):
    a, b = twins
    suspect = DuplicateSuspect.objects.get()
    assert (suspect.person_a_id, suspect.person_b_id) == (a.pk, b.pk)
    assert suspect.confidence == "high"
    assert {r["how"] for r in suspect.reasons} <= {"exact", "same_sound"}


def test_different_birth_date_is_low_confidence_and_other_families_are_not_suspects(world):
    person_create(
        actor=None,
        data=input_from(PersonInput, {"birth_date": BIRTH}),
        names=[input_from(NameInput, {"surname": "Кравченко", "given_name": "Михайло"})],
    )
    cands = likely_duplicates(
        user=None, surname="Kravtchenko", given_name="Mykhaïlo", birth_date=dt.date(1970, 1, 1)
    )
    assert [c.confidence for c in cands] == ["low"]
    # Savchenko is two letters from Kravchenko: another family, never proposed.
    assert likely_duplicates(user=None, surname="Savchenko", given_name="Mykhailo") == []


def test_merge_moves_everything_and_unmerge_restores_both_records(world, twins, make_person):
    a, b = twins
    admin = world["users"]["admin"]
    child = make_person("Ткаченко", "Іванка")
    spouse = make_person("Ткаченко", "Марія")
    family_link_add(actor=admin, person_id=b.pk, relative_id=child.pk, kind="child")
    family_link_add(actor=admin, person_id=spouse.pk, relative_id=b.pk, kind="spouse")
    person_status_add(
        actor=admin,
        person_id=b.pk,
        data=input_from(StatusInput, {"kind": "ua_combatant", "valid_from": dt.date(2023, 1, 1)}),
    )
    world["users"]["veteran"].person = b
    world["users"]["veteran"].save()
    before_names = {n.pk: (n.person_id, n.is_preferred) for n in PersonName.objects.all()}
    suspect = DuplicateSuspect.objects.get(person_a=a, person_b=b)

    merge = person_merge(actor=admin, survivor_id=a.pk, absorbed_id=b.pk, suspect_id=suspect.pk)

    a.refresh_from_db()
    b.refresh_from_db()
    assert b.merged_into_id == a.pk
    assert a.birth_place == "Lviv" and a.phone == "+380 1" and a.external_id == "UNIT-7"
    assert set(a.names.values_list("surname", flat=True)) == {"Ткаченко", "Tkachenko", "Tkatchenko"}
    assert a.names.filter(language="uk", is_preferred=True).count() == 1
    assert PersonStatus.objects.filter(person=a).count() == 1
    assert FamilyLink.objects.filter(person=a, relative=child).exists()
    assert FamilyLink.objects.filter(person=spouse, relative=a).exists()
    world["users"]["veteran"].refresh_from_db()
    assert world["users"]["veteran"].person_id == a.pk
    assert Person.objects.filter(pk=b.pk).exists()  # kept, hidden
    assert all(r.id != b.pk for r in name_index.search("Tkatchenko Serhiy").results)
    assert DuplicateSuspect.objects.get(pk=suspect.pk).state == DuplicateState.MERGED

    person_unmerge(actor=admin, merge_id=merge.pk)

    a.refresh_from_db()
    b.refresh_from_db()
    assert b.merged_into_id is None
    assert {n.pk: (n.person_id, n.is_preferred) for n in PersonName.objects.all()} == before_names
    assert a.birth_place == "" and a.external_id is None and b.external_id == "UNIT-7"
    assert a.phone == "+380 1"
    assert PersonStatus.objects.filter(person=b).count() == 1
    assert FamilyLink.objects.filter(person=b, relative=child).exists()
    assert FamilyLink.objects.filter(person=spouse, relative=b).exists()
    world["users"]["veteran"].refresh_from_db()
    assert world["users"]["veteran"].person_id == b.pk
    assert {r.id for r in name_index.search("Tkatchenko Serhiy").results} >= {a.pk, b.pk}
    with pytest.raises(NotFoundError):
        person_unmerge(actor=admin, merge_id=merge.pk)


def test_merge_and_unmerge_are_audited(world, twins):
    from vetbridge.accounts.models import AuditLog

    a, b = twins
    merge = person_merge(actor=world["users"]["admin"], survivor_id=a.pk, absorbed_id=b.pk)
    person_unmerge(actor=world["users"]["admin"], merge_id=merge.pk)
    actions = list(
        AuditLog.objects.filter(object_type="people.personmerge").values_list("action", "person_id")
    )
    assert sorted(actions) == sorted(
        [("merge", a.pk), ("merge", b.pk), ("unmerge", a.pk), ("unmerge", b.pk)]
    )


def test_merge_into_itself_or_twice_is_refused(world, twins):
    a, b = twins
    admin = world["users"]["admin"]
    with pytest.raises(ApplicationError):
        person_merge(actor=admin, survivor_id=a.pk, absorbed_id=a.pk)
    person_merge(actor=admin, survivor_id=a.pk, absorbed_id=b.pk)
    with pytest.raises(NotFoundError):  # b is no longer reachable
        person_merge(actor=admin, survivor_id=b.pk, absorbed_id=a.pk)


def test_queue_and_merge_are_scoped(world, regions):
    for _ in range(2):
        person_create(
            actor=None,
            data=input_from(PersonInput, {"region": regions["UA-30"], "birth_date": BIRTH}),
            names=[input_from(NameInput, {"surname": "Гуменюк", "given_name": "Петро"})],
        )
    suspect = DuplicateSuspect.objects.get()
    lviv_worker = world["users"]["case_worker"]
    assert list(suspects_for(lviv_worker)) == []
    assert list(suspects_for(world["users"]["admin"])) == [suspect]
    with pytest.raises(NotFoundError):
        person_merge(
            actor=lviv_worker, survivor_id=suspect.person_a_id, absorbed_id=suspect.person_b_id
        )
    with pytest.raises(NotFoundError):
        suspect_dismiss(actor=lviv_worker, suspect_id=suspect.pk)
    for role in ("veteran", "medical_assessor", "pension_officer", "memorial_editor", "analyst"):
        with pytest.raises(PermissionDeniedError):
            suspects_for(world["users"][role])


def test_dismiss_records_the_reason(world, twins):
    suspect = DuplicateSuspect.objects.get()
    suspect_dismiss(
        actor=world["users"]["case_worker"], suspect_id=suspect.pk, note="brothers, twins"
    )
    suspect.refresh_from_db()
    assert suspect.state == DuplicateState.DISMISSED
    assert suspect.decision_note == "brothers, twins"
    assert suspect.decided_by == world["users"]["case_worker"]
