"""What a person owns follows them through a merge, and comes back with an undo.

Every foreign key to Person in the project must be declared by its app
(`AppConfig.person_rows`, see people/ownership.py); a merge moves every row declared MOVE.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models

from vetbridge.accounts.models import AuditLog, User
from vetbridge.people.duplicates import (
    person_merge,
    person_unmerge,
    repair_merges,
    stranded_rows,
)
from vetbridge.people.models import Person, PersonMerge
from vetbridge.people.ownership import Policy, declarations, movable

pytestmark = pytest.mark.django_db


def _person_keys() -> set[tuple[str, str]]:
    out = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField)
                and field.concrete
                and field.related_model is Person
            ):
                out.add((model._meta.label, field.name))
    return out


def test_every_foreign_key_to_person_is_declared_by_its_app():
    declared = {(d.model, d.field) for d in declarations()}
    undeclared = _person_keys() - declared
    assert not undeclared, f"declare these in their app's AppConfig.person_rows: {undeclared}"
    stale = declared - _person_keys()
    assert not stale, f"declared but no such foreign key: {stale}"
    for d in declarations():
        assert d.model.split(".")[0] == d.model_class()._meta.app_label
        if d.policy == Policy.KEEP:
            assert d.reason, f"{d.model}.{d.field}: say why the rows stay"


def _rows_of(person_id: int) -> dict[str, dict[int, dict[str, Any]]]:
    """Every MOVE row of a person, every concrete field of each."""
    out: dict[str, dict[int, dict[str, Any]]] = {}
    for model, field in movable():
        rows = model.objects.filter(**{f"{field}_id": person_id})
        out[model._meta.label_lower] = {
            row.pk: {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
            for row in rows
        }
    return out


def _person_fields(person: Person) -> dict[str, Any]:
    person.refresh_from_db()
    return {
        f.attname: getattr(person, f.attname)
        for f in Person._meta.concrete_fields
        if f.attname not in ("version", "updated_at")
    }


@pytest.fixture
def populated(regions, make_person):
    """The demo veteran (claims with a decision, care file, referral, statuses, account) as the
    record to absorb, plus a care note; and a bare registration of the same man."""
    from vetbridge.care.models import Note
    from vetbridge.people.demo import load_demo

    load_demo()
    veteran = User.objects.get(username="veteran").person
    Note.objects.create(person=veteran, text="Called back about the appointment.")
    survivor = make_person("Бондаренко", "Андрій", external_id=None)
    return survivor, veteran


def test_merge_moves_every_declared_row_and_undo_restores_them_field_by_field(populated):
    survivor, absorbed = populated
    admin = User.objects.get(username="admin")
    before_absorbed = _rows_of(absorbed.pk)
    assert all(
        before_absorbed[m._meta.label_lower]
        for m, _ in movable()
        if m._meta.label_lower != "memorial.memorialrecord"
    ), before_absorbed
    before_survivor = _rows_of(survivor.pk)
    people_before = (_person_fields(survivor), _person_fields(absorbed))

    merge = person_merge(actor=admin, survivor_id=survivor.pk, absorbed_id=absorbed.pk)

    after = _rows_of(survivor.pk)
    assert all(not rows for rows in _rows_of(absorbed.pk).values())
    for (_, field), (label, rows) in zip(movable(), before_absorbed.items(), strict=True):
        for pk, values in rows.items():
            moved = dict(values, **{f"{field}_id": survivor.pk})
            assert after[label][pk] == moved, (label, pk)
        assert merge.moved["rows"][label] == sorted(rows)
    # The case worker's view of the survivor now shows the absorbed man's claims.
    from vetbridge.reparation.models import Claim

    assert Claim.objects.filter(person=survivor).count() == len(before_absorbed["reparation.claim"])

    person_unmerge(actor=admin, merge_id=merge.pk)

    assert _rows_of(absorbed.pk) == before_absorbed
    assert _rows_of(survivor.pk) == before_survivor
    assert (_person_fields(survivor), _person_fields(absorbed)) == people_before


def test_repair_moves_rows_left_behind_by_an_older_merge_and_undo_brings_them_back(populated):
    from vetbridge.reparation.models import Claim

    survivor, absorbed = populated
    admin = User.objects.get(username="admin")
    claims = set(Claim.objects.filter(person=absorbed).values_list("pk", flat=True))
    merge = person_merge(actor=admin, survivor_id=survivor.pk, absorbed_id=absorbed.pk)
    # As a merge made before claims were declared: they stayed on the hidden record.
    Claim.objects.filter(pk__in=claims).update(person=absorbed)
    moved = dict(
        merge.moved, rows={k: v for k, v in merge.moved["rows"].items() if k != "reparation.claim"}
    )
    PersonMerge.objects.filter(pk=merge.pk).update(moved=moved)

    dry = repair_merges(actor=None, dry_run=True)
    assert [(s.merge.pk, s.rows) for s in dry] == [(merge.pk, {"reparation.claim": sorted(claims)})]
    assert set(Claim.objects.filter(person=absorbed).values_list("pk", flat=True)) == claims

    repair_merges(actor=None)

    assert set(Claim.objects.filter(person=survivor).values_list("pk", flat=True)) == claims
    assert stranded_rows() == []
    assert AuditLog.objects.filter(summary="merge repaired", person_id=absorbed.pk).exists()
    assert AuditLog.objects.filter(summary="merge repaired", person_id=survivor.pk).exists()

    person_unmerge(actor=admin, merge_id=merge.pk)
    assert set(Claim.objects.filter(person=absorbed).values_list("pk", flat=True)) == claims


def test_repair_command_dry_run_and_json(populated, capsys):
    import json

    from vetbridge.cli import main

    survivor, absorbed = populated
    admin = User.objects.get(username="admin")
    merge = person_merge(actor=admin, survivor_id=survivor.pk, absorbed_id=absorbed.pk)
    from vetbridge.care.models import Goal

    goals = list(Goal.objects.filter(person=survivor).values_list("pk", flat=True))
    Goal.objects.filter(pk__in=goals).update(person=absorbed)

    assert main(["people", "repair-merges", "--dry-run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dry_run"] is True
    assert out["merges"][0]["merge"] == merge.pk
    assert out["merges"][0]["rows"] == {"care.goal": sorted(goals)}
    assert Goal.objects.filter(person=absorbed).count() == len(goals)
    assert main(["people", "repair-merges"]) == 0
    assert Goal.objects.filter(person=survivor).count() == len(goals)
    assert "1 merges moved" in capsys.readouterr().out
