"""The memorial's bulk path: records and their history written with reserved ids, the two
tables' indexes rebuilt after a large load, all or nothing under `kill -9`, and the row checks
of the memorial's own columns (same messages, one per line)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from vetbridge.accounts.models import AuditAction, AuditLog
from vetbridge.memorial.models import MemorialChange, MemorialRecord
from vetbridge.memorial.services import memorial_import
from vetbridge.people.models import ImportBatch, Person

pytestmark = pytest.mark.django_db

HEADER = "external_id,surname,given_name,patronymic,death_date,birth_year,birth_region,unit\n"


def _rows(prefix: str, n: int) -> str:
    return "".join(
        f"{prefix}{i},Мельник{'о' * (i % 3)},Олег,Іванович,2023-0{1 + i % 9}-1{i % 9},"
        f"{1970 + i % 30},UA-46,{i} ОМБр\n"
        for i in range(n)
    )


def _schema() -> set[str]:
    """Every index and constraint definition of the memorial's tables."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'memorial_%%'")
            got = {r[0] for r in cur.fetchall()}
            cur.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE conrelid::regclass::text LIKE 'memorial_%%'"
            )
            return got | {" ".join(r) for r in cur.fetchall()}
        cur.execute(
            "SELECT name || ' ' || COALESCE(sql, '') FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name LIKE 'memorial_%'"
        )
        return {r[0] for r in cur.fetchall()}


def test_a_bulk_load_rebuilds_the_memorial_indexes_and_writes_every_record(monkeypatch):
    from vetbridge.core import bulk
    from vetbridge.memorial import services
    from vetbridge.people import registration

    calls: list[list[str]] = []
    real = bulk.indexes_deferred

    def spy(models):
        calls.append([m._meta.db_table for m in models])
        return real(models)

    monkeypatch.setattr(services, "indexes_deferred", spy)
    monkeypatch.setattr(registration, "BULK_MIN", 3)
    schema = _schema()
    report = memorial_import(actor=None, data=(HEADER + _rows("A", 12)).encode(), link=False)
    assert report.committed and report.imported == 12
    assert ["memorial_memorialrecord", "memorial_memorialchange"] in calls
    assert _schema() == schema
    batch = ImportBatch.objects.get(kind="memorial")
    records = MemorialRecord.objects.select_related("person").order_by("pk")
    assert [r.person_id for r in records] == list(
        range(batch.first_person_id, batch.last_person_id + 1)
    )
    first = records[0]
    assert (first.birth_year, first.birth_region.code, first.unit) == (1970, "UA-46", "0 ОМБр")
    assert first.death_date == first.person.lifecycle_date
    assert {c.record_id for c in MemorialChange.objects.all()} == {r.pk for r in records}
    assert all(
        c.changes == {"imported": True, "batch": batch.pk} for c in MemorialChange.objects.all()
    )
    # A smaller list into the larger memorial writes into the live indexes, ids following on.
    calls.clear()
    report = memorial_import(actor=None, data=(HEADER + _rows("B", 4)).encode(), link=False)
    assert report.imported == 4 and ["memorial_memorialrecord", "memorial_memorialchange"] not in (
        calls
    )
    assert MemorialRecord.objects.count() == MemorialChange.objects.count() == 16
    entries = AuditLog.objects.filter(action=AuditAction.IMPORT).order_by("pk")
    assert [e.changes["memorial_records"] for e in entries] == [12, 4]
    assert entries[0].object_id == str(batch.pk) and entries[0].changes["sha256"] == batch.sha256
    assert AuditLog.objects.filter(action=AuditAction.CREATE).count() == 0
    # The rebuilt one-to-one still refuses a second record for the same person.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        MemorialRecord.objects.create(person_id=first.person_id)


def test_every_line_with_a_bad_date_or_year_is_named():
    bad = (
        "E1,Бойко,Іван,,2999-01-01,1980,,\n"
        "E2,Бойко,Петро,,2999-01-01,²,,\n"  # the same bad date again, and a non-ASCII digit
        "E3,Бойко,Олег,,31.02.2023,1980,,\n"
        "E4,Бойко,Ігор,,2023-01-01,2023,,\n"  # born in the year of the death: allowed
        "E5,Бойко,Ігор,,2019-01-01,2020,,\n"
    )
    report = memorial_import(actor=None, data=(HEADER + bad).encode(), link=False)
    assert not report.committed and Person.objects.count() == 0
    got = {(e.line, e.field) for e in report.rejected}
    assert got == {
        (2, "death_date"),
        (3, "death_date"),
        (3, "birth_year"),
        (4, "death_date"),
        (6, "death_date"),
    }
    first, second = (e for e in report.rejected if e.line in (2, 3) and e.field == "death_date")
    assert first.reason == second.reason
    assert any(e.line == 4 and "31.02.2023" in e.reason for e in report.rejected)


KILLER = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetbridge.config.settings.dev")
import django
django.setup()
from vetbridge.core import bulk
from vetbridge.memorial import services
from vetbridge.people import registration
data = open(sys.argv[1], "rb").read()
registration.BULK_MIN = int(sys.argv[2])  # 1: the memorial's indexes are dropped too
real = bulk.fast_insert
def fast_insert(model, *args, **kwargs):
    n = real(model, *args, **kwargs)
    if model.__name__ == "MemorialRecord":
        print("written", n, flush=True)
        time.sleep(60)  # killed here: records written, their history not yet
    return n
services.fast_insert = fast_insert
pipeline = sys.argv[3] == "1"  # the checks in a second process (people.import_pipeline)
services.memorial_import(actor=None, data=data, link=False, max_bytes=10**9, pipeline=pipeline)
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("bulk_min", "pipeline"),
    [(1, False), (10**6, False), (1, True)],
    ids=["indexes-rebuilt", "indexes-kept", "indexes-rebuilt-pipeline"],
)
def test_kill_9_while_writing_the_records_leaves_nothing_and_a_rerun_succeeds(
    tmp_path, bulk_min, pipeline
):
    csv = tmp_path / "fallen.csv"
    csv.write_text(HEADER + _rows("K", 30), encoding="utf-8")
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
        [sys.executable, str(script), str(csv), str(bulk_min), "1" if pipeline else "0"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("written 30"), line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    count = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(*(c.execute("
        "f'select count(*) from {t}').fetchone()[0] for t in ('people_person', "
        "'people_importbatch', 'memorial_memorialrecord', 'memorial_memorialchange', "
        "'accounts_auditlog')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", count, str(db)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["0", "0", "0", "0", "0"]
    assert (
        subprocess.run(
            [sys.executable, "-c", indexes, str(db)], capture_output=True, text=True, check=True
        ).stdout
        == before
    )
    done = subprocess.run(
        [sys.executable, "-m", "vetbridge.cli", "memorial", "import", str(csv), "--no-link"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "30 imported" in done.stdout
    out = subprocess.run(
        [sys.executable, "-c", count, str(db)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[:4] == ["30", "1", "30", "30"]


def test_a_large_list_into_a_larger_registry_rebuilds_only_the_memorial_indexes(monkeypatch):
    """The registry keeps its live indexes (the list is smaller than it), the empty memorial
    rebuilds its own: on PostgreSQL the registry's foreign-key checks still pending in the
    transaction are run before the memorial's tables are altered."""
    from vetbridge.core import bulk
    from vetbridge.memorial import services
    from vetbridge.people import registration
    from vetbridge.people.importer import people_import

    people = "external_id,surname,given_name,patronymic,birth_date,sex,status,region\n" + "".join(
        f"R{i},Коваленко,Іван,,1980-01-01,M,,UA-46\n" for i in range(20)
    )
    assert people_import(actor=None, data=people.encode(), link=False).imported == 20
    calls: list[list[str]] = []
    real = bulk.indexes_deferred

    def spy(models):
        calls.append([m._meta.db_table for m in models])
        return real(models)

    monkeypatch.setattr(services, "indexes_deferred", spy)
    monkeypatch.setattr(registration, "indexes_deferred", spy)
    monkeypatch.setattr(registration, "BULK_MIN", 3)
    schema = _schema()
    report = memorial_import(actor=None, data=(HEADER + _rows("L", 12)).encode(), link=False)
    assert report.committed and report.imported == 12
    assert calls == [["memorial_memorialrecord", "memorial_memorialchange"]]
    assert _schema() == schema
    assert MemorialRecord.objects.filter(person__external_id__startswith="L").count() == 12
    assert MemorialChange.objects.count() == 12


def test_the_collector_is_paused_during_the_import_and_on_again_after_it(monkeypatch):
    import gc

    from vetbridge.core.exceptions import ApplicationError
    from vetbridge.memorial import services

    seen: list[bool] = []
    real = services.iter_memorial_rows

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "iter_memorial_rows", spy)
    assert gc.isenabled()
    assert memorial_import(actor=None, data=(HEADER + _rows("G", 2)).encode(), link=False).committed
    assert seen == [False] and gc.isenabled()
    with pytest.raises(ApplicationError):  # an empty file: the error leaves it on as well
        memorial_import(actor=None, data=b"", link=False)
    assert seen == [False, False] and gc.isenabled()
