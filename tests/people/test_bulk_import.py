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
ROWS = ("B1,Шевченко,Тарас,Григорович,1979-03-09,M,ua_combatant,UA-46\n"
        "B2,Kovalenko,Olena,,1990-05-02,F,,\n"
        "B3,Бойко,Іван,Петрович,,M,ua_war_disability:2,UA-30\n")


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
    assert min(Person.objects.filter(import_batch__isnull=False).values_list(
        "pk", flat=True)) > before.pk
    after = make_person("Нова", "Особа")
    assert after.pk > Person.objects.exclude(pk=after.pk).order_by("-pk").first().pk


def test_linkage_runs_after_the_import_instead_of_a_search_per_row():
    person_create(actor=None, data=input_from(PersonInput, {"birth_date": dt.date(1979, 3, 9)}),
                  names=[input_from(NameInput, {"surname": "Shevchenko", "given_name": "Taras",
                          "patronymic": "Hryhorovych", "language": "en"})])
    report = people_import(actor=None, data=(HEADER + ROWS).encode())
    assert report.suspected_duplicates == 1


def test_memorial_import_registers_people_through_the_same_path():
    csv = ("external_id,surname,given_name,death_date,surname_fr,given_name_fr\n"
           "M1,Коваль,Андрій,2023-05-02,Koval,Andriy\n")
    report = memorial_import(actor=None, data=csv.encode(), link=False)
    assert report.committed
    batch = ImportBatch.objects.get(kind="memorial")
    person = Person.objects.get(external_id="M1", import_batch=batch)
    from vetbridge.memorial.models import MemorialRecord

    record = MemorialRecord.objects.get(person=person)
    assert person.lifecycle == "fallen" and record.death_date.year == 2023
    assert record.changes.get().changes == {"imported": True, "batch": batch.pk}
    assert set(PersonName.objects.filter(person=person).values_list("language", flat=True)) == {
        "uk", "fr"}
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
people_import(actor=None, data=data, progress=progress, link=False, max_bytes=10**9)
"""


@pytest.mark.django_db(transaction=True)
def test_kill_9_in_the_middle_leaves_nothing_and_a_rerun_succeeds(tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text(HEADER + "".join(f"K{i},Прізвище{i % 7},Ім'я,,1980-01-01,M,,\n"
                                    for i in range(50)), encoding="utf-8")
    db = tmp_path / "kill.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SECRET_KEY": "x" * 60,
           "VETBRIDGE_PRIVATE_MEDIA": str(tmp_path / "media"),
           "DJANGO_SETTINGS_MODULE": "vetbridge.config.settings.dev"}
    env.pop("DATABASE_URL_TEST", None)
    subprocess.run([sys.executable, "-m", "vetbridge.cli", "manage", "migrate", "-v0"],
                   env=env, check=True, timeout=180)
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    proc = subprocess.Popen([sys.executable, str(script), str(csv)], env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("written"), line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    count = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
             "print(c.execute('select count(*) from people_person').fetchone()[0], "
             "c.execute('select count(*) from people_importbatch').fetchone()[0])")
    out = subprocess.run([sys.executable, "-c", count, str(db)], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["0", "0"]
    done = subprocess.run([sys.executable, "-m", "vetbridge.cli", "people", "import", str(csv),
                           "--no-link"], env=env, capture_output=True, text=True, timeout=180,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "50 imported" in done.stdout
