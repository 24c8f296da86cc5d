"""The one bulk registration path: registry and memorial imports at speed, all or nothing,
one audit entry pointing to the stored file, every created person traceable to it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys

import pytest
from django.core.files.storage import default_storage

from vetbridge.accounts.models import AuditAction, AuditLog
from vetbridge.core.services import input_from
from vetbridge.memorial.services import memorial_import
from vetbridge.people import name_index
from vetbridge.people.importer import people_import
from vetbridge.people.models import ImportBatch, NameToken, Person, PersonName
from vetbridge.people.services import NameInput, PersonInput, person_create

pytestmark = pytest.mark.django_db

HEADER = "external_id,surname,given_name,patronymic,birth_date,sex,status,region\n"
ROWS = (
    "B1,Шевченко,Тарас,Григорович,1979-03-09,M,ua_combatant,UA-46\n"
    "B2,Kovalenko,Olena,,1990-05-02,F,,\n"
    "B3,Бойко,Іван,Петрович,,M,ua_war_disability:2,UA-30\n"
)


def test_import_keeps_one_audit_entry_pointing_to_the_stored_file():
    data = (HEADER + ROWS).encode()
    report = people_import(actor=None, data=data, source="list.csv", link=False)
    assert report.committed and report.imported == 3
    batch = ImportBatch.objects.get()
    assert batch.sha256 == hashlib.sha256(data).hexdigest() and batch.kind == "people"
    with default_storage.open(batch.file.name, "rb") as fh:
        assert fh.read() == data
    people = Person.objects.filter(import_batch=batch).order_by("pk")
    assert [p.pk for p in people] == list(range(batch.first_person_id, batch.last_person_id + 1))
    entries = AuditLog.objects.filter(action__in=[AuditAction.IMPORT, AuditAction.CREATE])
    assert entries.count() == 1
    entry = entries.get()
    assert entry.object_type == "people.importbatch" and entry.object_id == str(batch.pk)
    assert entry.changes["sha256"] == batch.sha256 and entry.changes["created"] == 3


def test_imported_people_are_complete_and_found_by_the_name_index():
    people_import(actor=None, data=(HEADER + ROWS).encode(), link=False)
    taras = Person.objects.get(external_id="B1")
    assert taras.region.code == "UA-46" and str(taras.birth_date) == "1979-03-09"
    assert taras.names.get().script == "Cyrl" and taras.statuses.get().kind == "ua_combatant"
    assert Person.objects.get(external_id="B3").statuses.get().disability_group == 2
    # The bulk index is the same as the one written person by person.
    bulk = set(NameToken.objects.values_list("skel", "person_id"))
    name_index.reindex_all()
    assert set(NameToken.objects.values_list("skel", "person_id")) == bulk
    hits = name_index.search("Taras Shevchenko").results
    assert hits and hits[0].id == taras.pk


def test_ids_continue_after_existing_people(make_person):
    before = make_person()
    people_import(actor=None, data=(HEADER + ROWS).encode(), link=False)
    assert (
        min(Person.objects.filter(import_batch__isnull=False).values_list("pk", flat=True))
        > before.pk
    )
    after = make_person("Нова", "Особа")
    assert after.pk > Person.objects.exclude(pk=after.pk).order_by("-pk").first().pk


def test_linkage_runs_after_the_import_instead_of_a_search_per_row():
    person_create(
        actor=None,
        data=input_from(PersonInput, {"birth_date": dt.date(1979, 3, 9)}),
        names=[
            input_from(
                NameInput,
                {
                    "surname": "Shevchenko",
                    "given_name": "Taras",
                    "patronymic": "Hryhorovych",
                    "language": "en",
                },
            )
        ],
    )
    report = people_import(actor=None, data=(HEADER + ROWS).encode())
    assert report.suspected_duplicates == 1


def test_memorial_import_registers_people_through_the_same_path():
    csv = (
        "external_id,surname,given_name,death_date,surname_fr,given_name_fr\n"
        "M1,Коваль,Андрій,2023-05-02,Koval,Andriy\n"
    )
    report = memorial_import(actor=None, data=csv.encode(), link=False)
    assert report.committed
    batch = ImportBatch.objects.get(kind="memorial")
    person = Person.objects.get(external_id="M1", import_batch=batch)
    from vetbridge.memorial.models import MemorialRecord

    record = MemorialRecord.objects.get(person=person)
    assert person.lifecycle == "fallen" and record.death_date.year == 2023
    assert record.changes.get().changes == {"imported": True, "batch": batch.pk}
    assert set(PersonName.objects.filter(person=person).values_list("language", flat=True)) == {
        "uk",
        "fr",
    }
    assert AuditLog.objects.filter(action=AuditAction.CREATE).count() == 0
    assert AuditLog.objects.filter(action=AuditAction.IMPORT).count() == 1


KILLER = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetbridge.config.settings.dev")
import django
django.setup()
from vetbridge.people.importer import people_import
from vetbridge.people import registration
data = open(sys.argv[1], "rb").read()
def progress(n):
    print("written", n, flush=True)
    time.sleep(60)  # killed here, in the middle of the transaction
registration.CHUNK = 10
registration.BULK_MIN = int(sys.argv[2])  # 1: the indexes are dropped before the first chunk
pipeline = sys.argv[3] == "pipeline"  # the checks in a second process
people_import(
    actor=None, data=data, progress=progress, link=False, max_bytes=10**9, pipeline=pipeline
)
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("bulk_min", "mode"),
    [(1, "single"), (10**6, "single"), (1, "pipeline")],
    ids=["indexes-rebuilt", "indexes-kept", "indexes-rebuilt-checks-in-a-second-process"],
)
def test_kill_9_in_the_middle_leaves_nothing_and_a_rerun_succeeds(tmp_path, bulk_min, mode):
    csv = tmp_path / "people.csv"
    csv.write_text(
        HEADER + "".join(f"K{i},Прізвище{i % 7},Ім'я,,1980-01-01,M,,\n" for i in range(50)),
        encoding="utf-8",
    )
    db = tmp_path / "kill.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SECRET_KEY": "x" * 60,
        "VETBRIDGE_PRIVATE_MEDIA": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "vetbridge.config.settings.dev",
    }
    env.pop("DATABASE_URL_TEST", None)
    subprocess.run(
        [sys.executable, "-m", "vetbridge.cli", "manage", "migrate", "-v0"],
        env=env,
        check=True,
        timeout=180,
    )
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    indexes = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(sorted(r[0] for r "
        "in c.execute(\"select name from sqlite_master where type = 'index'\")))"
    )
    before = subprocess.run(
        [sys.executable, "-c", indexes, str(db)], capture_output=True, text=True, check=True
    ).stdout
    proc = subprocess.Popen(
        [sys.executable, str(script), str(csv), str(bulk_min), mode],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("written"), line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    count = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "print(c.execute('select count(*) from people_person').fetchone()[0], "
        "c.execute('select count(*) from people_importbatch').fetchone()[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", count, str(db)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["0", "0"]
    # The dropped indexes come back with the rollback: the schema is as before the import.
    assert (
        subprocess.run(
            [sys.executable, "-c", indexes, str(db)], capture_output=True, text=True, check=True
        ).stdout
        == before
    )
    done = subprocess.run(
        [sys.executable, "-m", "vetbridge.cli", "people", "import", str(csv), "--no-link"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "50 imported" in done.stdout


def _schema() -> set[str]:
    """The definitions of every index and constraint of the registry's tables."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'people_%%'")
            got = {r[0] for r in cur.fetchall()}
            cur.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE conrelid::regclass::text LIKE 'people_%%'"
            )
            return got | {" ".join(r) for r in cur.fetchall()}
        cur.execute(
            "SELECT name || ' ' || COALESCE(sql, '') FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name LIKE 'people_%'"
        )
        return {r[0] for r in cur.fetchall()}


def test_a_bulk_load_rebuilds_the_indexes_it_dropped_and_writes_the_same_rows():
    """The path of national loads (secondary indexes and constraints dropped, rows copied,
    all rebuilt before the commit) leaves the schema as it was and the same data as the
    ordinary path: persons, spellings, statuses and the name index."""
    from vetbridge.people.registration import NameSpelling, NewPerson, people_register_bulk

    schema = _schema()
    people = [
        NewPerson(
            external_id=f"D{i}",
            birth_date=dt.date(1980, 1, 1 + i % 28),
            names=(
                NameSpelling(
                    surname=f"Шевчук{'о' * (i % 3)}", given_name="Остап", patronymic="Іванович"
                ),
            ),
        )
        for i in range(40)
    ]
    fast = people_register_bulk(
        actor=None,
        kind="people",
        data=b"a",
        source="bulk",
        people=people[:20],
        defer_indexes=True,
        chunk=7,
    )
    slow = people_register_bulk(
        actor=None,
        kind="people",
        data=b"b",
        source="rows",
        people=people[20:],
        defer_indexes=False,
        chunk=7,
    )
    assert _schema() == schema
    assert len(fast.ids) == len(slow.ids) == 20
    tokens = set(NameToken.objects.values_list("skel", "person_id"))
    name_index.reindex_all()
    assert set(NameToken.objects.values_list("skel", "person_id")) == tokens
    assert PersonName.objects.filter(person_id__in=fast.ids).count() == 20
    # The rebuilt unique constraint still refuses a second spelling row of the same kind.
    from django.db import IntegrityError, transaction

    first = PersonName.objects.filter(person_id=fast.ids[0]).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonName.objects.create(
            person_id=first.person_id,
            surname=first.surname,
            given_name=first.given_name,
            patronymic=first.patronymic,
            language=first.language,
            script=first.script,
            is_preferred=True,
        )


def test_a_bulk_load_is_chosen_for_a_large_import_into_a_smaller_registry(monkeypatch):
    from vetbridge.core import bulk
    from vetbridge.people import registration

    calls = []
    real = bulk.indexes_deferred

    def spy(models):
        calls.append(len(models))
        return real(models)

    monkeypatch.setattr(registration, "indexes_deferred", spy)
    monkeypatch.setattr(registration, "BULK_MIN", 3)
    people_import(actor=None, data=(HEADER + ROWS).encode(), link=False)
    assert calls == [5]  # 3 people into an empty registry: rebuilt
    rows = "".join(f"C{i},Мороз,Іван,,1980-01-01,M,,\n" for i in range(3))
    people_import(actor=None, data=(HEADER + rows).encode(), link=False)
    assert calls == [5, 5]
    monkeypatch.setattr(registration, "BULK_MIN", 4)
    people_import(actor=None, data=(HEADER + rows.replace("C", "E")).encode(), link=False)
    assert calls == [5, 5]  # below the minimum: rows go into the indexes as they are
