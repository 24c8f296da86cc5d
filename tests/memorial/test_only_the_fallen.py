"""The public memorial shows only the fallen and the missing (issue #14.2): checked at
publication and at every public read; a person found alive is withdrawn at once, audited,
and every memorial editor is notified."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from vetbridge.accounts.models import AuditLog
from vetbridge.core.exceptions import ApplicationError
from vetbridge.core.services import input_from
from vetbridge.memorial import selectors, services
from vetbridge.memorial.models import EditorNotification, MemorialChange, MemorialRecord
from vetbridge.memorial.services import TributeInput
from vetbridge.people.models import Person
from vetbridge.people.services import PersonChanges, person_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(world):
    editor = world["users"]["memorial_editor"]
    rec = services.record_create_for(actor=editor, person_id=world["kyiv"].pk)
    services.record_publish(actor=editor, record_id=rec.pk, basis="editorial", note="decision 1")
    rec.refresh_from_db()
    return rec


def _public(client: Client, rec: MemorialRecord) -> list[int]:
    return [
        client.get(url).status_code
        for url in (f"/memorial/{rec.pk}/", f"/memorial/{rec.pk}/{selectors.slug_of(rec)}/")
    ]


def test_a_record_flagged_published_is_never_shown_when_its_person_is_alive(world, record):
    client = Client()
    assert 200 in _public(client, record) or 301 in _public(client, record)
    assert selectors.public_record(record.pk) is not None
    # The registry says alive, but the record still says published (data from before the
    # rule, or a change written around the services): no public read shows it.
    Person.objects.filter(pk=record.person_id).update(lifecycle="alive", lifecycle_date=None)
    assert MemorialRecord.objects.get(pk=record.pk).published
    assert selectors.public_record(record.pk) is None
    assert not selectors.public_listing({}).filter(pk=record.pk).exists()
    hits, _notices = selectors.ranked_hits(q="Шевченко", filters={})
    assert record.pk not in [r.pk for r in selectors.records_for(hits, {})]
    assert set(_public(client, record)) == {404}
    assert f"/memorial/{record.pk}/" not in client.get("/memorial/?q=Шевченко").content.decode()
    assert f"/memorial/{record.pk}/" not in client.get("/memorial/").content.decode()
    with pytest.raises(ApplicationError):
        services.tribute_submit(
            record_id=record.pk,
            ip="198.51.100.9",
            photo=None,
            data=input_from(TributeInput, {"kind": "candle", "author_name": "Олег", "text": "x"}),
        )


@pytest.mark.parametrize("lifecycle", ["alive", "deceased"])
def test_publication_refused_unless_fallen_or_missing(world, lifecycle):
    editor = world["users"]["memorial_editor"]
    rec = services.record_create_for(actor=editor, person_id=world["kyiv"].pk)
    Person.objects.filter(pk=world["kyiv"].pk).update(
        lifecycle=lifecycle, lifecycle_date=None if lifecycle == "alive" else dt.date(2024, 1, 1)
    )
    with pytest.raises(ApplicationError) as exc:
        services.record_publish(actor=editor, record_id=rec.pk, basis="editorial", note="x")
    assert "lifecycle" in exc.value.fields
    assert not MemorialRecord.objects.get(pk=rec.pk).published


def test_found_alive_is_withdrawn_at_once_audited_and_editors_notified(world, record):
    admin, editor = world["users"]["admin"], world["users"]["memorial_editor"]
    person = Person.objects.get(pk=record.person_id)
    person_update(
        actor=admin,
        person_id=person.pk,
        expected_version=person.version,
        data=input_from(PersonChanges, {"lifecycle": "alive", "lifecycle_date": None}),
    )
    record.refresh_from_db()
    assert not record.published
    assert selectors.public_record(record.pk) is None
    change = MemorialChange.objects.filter(record=record).latest("pk")
    assert change.changes["published"] == [True, False]
    assert AuditLog.objects.filter(
        object_type="memorial.memorialrecord",
        object_id=str(record.pk),
        actor=admin,
        changes__lifecycle=["fallen", "alive"],
    ).exists()
    notice = EditorNotification.objects.get(user=editor, record=record)
    assert notice.read_at is None
    client = Client()
    client.force_login(editor)
    desk = client.get("/memorial/desk/")
    assert desk.status_code == 200
    assert f"/memorial/desk/{record.pk}/" in desk.content.decode()
    # Back to missing: it stays withdrawn until an editor publishes it again.
    person.refresh_from_db()
    person_update(
        actor=admin,
        person_id=person.pk,
        expected_version=person.version,
        data=input_from(
            PersonChanges, {"lifecycle": "missing", "lifecycle_date": dt.date(2024, 3, 1)}
        ),
    )
    record.refresh_from_db()
    assert not record.published
    services.record_publish(actor=editor, record_id=record.pk, basis="editorial", note="again")
    assert selectors.public_record(record.pk) is not None
