"""Parallel audited reads and same-version writes against a real database.

Used by tests/core/test_concurrency.py: in a subprocess on a file SQLite database (the
test suite's in-memory SQLite cannot show locking), and in-process on PostgreSQL.
Run alone: `DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.core.concurrency_probe`
prints the status counts as JSON.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any


def probe(*, readers: int = 24, writers: int = 8) -> dict[str, Any]:
    """Start every request at once; return the statuses of reads and of writes."""
    from django.db import connections
    from django.test import Client

    from vetbridge.accounts.models import ApiToken, User
    from vetbridge.people.services import NameInput, PersonInput, person_create

    admin = User.objects.create_user(
        username="probe-admin", password="probe-only-pw-123", role="admin"
    )
    person = person_create(
        actor=None,
        data=PersonInput(lifecycle="alive"),
        names=[NameInput(surname="Гонка", given_name="Тест")],
    )
    _token, raw = ApiToken.issue(user=admin, name="probe")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    version = person.version
    barrier = threading.Barrier(readers + writers)
    reads: list[int] = []
    writes: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def read(i: int) -> None:
        client = Client(raise_request_exception=False)
        url = f"/api/people/{person.pk}" if i % 2 else f"/api/care/{person.pk}"
        try:
            barrier.wait()
            response = client.get(url, **auth)  # type: ignore[arg-type]
            with lock:
                reads.append(response.status_code)
                if response.status_code >= 500:
                    errors.append(response.content[:300].decode(errors="replace"))
        finally:
            connections.close_all()

    def write(i: int) -> None:
        client = Client(raise_request_exception=False)
        try:
            barrier.wait()
            response = client.patch(
                f"/api/people/{person.pk}",
                content_type="application/json",
                data=json.dumps({"version": version, "birth_place": f"Місто {i}"}),
                **auth,
            )  # type: ignore[arg-type]
            with lock:
                writes.append(response.status_code)
                if response.status_code >= 500:
                    errors.append(response.content[:300].decode(errors="replace"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read, args=(i,)) for i in range(readers)]
    threads += [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    import time

    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    seconds = time.monotonic() - started
    person.refresh_from_db()
    return {
        "reads": dict(Counter(reads)),
        "writes": dict(Counter(writes)),
        "seconds": round(seconds, 3),
        "final_version": person.version,
        "start_version": version,
        "errors": errors[:5],
    }


def import_vs_sign_in(*, rows: int = 300, hold: float = 2.0) -> dict[str, Any]:
    """Someone signs in while an import holds SQLite's write lock (one transaction, all or
    nothing): the sign-in waits for the import to commit, then succeeds — within the busy
    timeout, never a 500 — and the import completes."""
    import time

    from django.db import connections
    from django.test import Client

    from vetbridge.accounts.models import User
    from vetbridge.people.importer import people_import
    from vetbridge.people.models import Person

    User.objects.create_user(username="probe-cw", password="probe-only-pw-123", role="case_worker")
    data = "external_id,surname,given_name,patronymic,birth_date,sex,status\n" + "".join(
        f"IMP{i},Імпорт{i},Петро,,1980-01-{1 + i % 28:02d},M,\n" for i in range(rows)
    )
    importing = threading.Event()
    outcome: dict[str, Any] = {}

    def progress(_n: int) -> None:
        if not importing.is_set():
            importing.set()
            time.sleep(hold)  # the import keeps its transaction (and the write lock) open

    def run_import() -> None:
        try:
            report = people_import(actor=None, data=data.encode(), progress=progress, link=False)
            outcome["imported"] = report.imported
        except Exception as exc:  # reported to the test
            outcome["import_error"] = repr(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=run_import)
    worker.start()
    outcome["sign_in_while_importing"] = importing.wait(30)
    started = time.monotonic()
    response = Client(raise_request_exception=False).post(
        "/login/", {"username": "probe-cw", "password": "probe-only-pw-123"}
    )
    outcome["sign_in_status"] = response.status_code
    outcome["sign_in_seconds"] = round(time.monotonic() - started, 2)
    worker.join(60)
    outcome["people"] = Person.objects.filter(external_id__startswith="IMP").count()
    return outcome


def main() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetbridge.config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0] if connection.vendor == "sqlite" else "n/a"
    connection.close()

    import sys

    result = (
        import_vs_sign_in()
        if "--import" in sys.argv
        else probe(
            readers=int(os.environ.get("VETBRIDGE_PROBE_READERS", "24")),
            writers=int(os.environ.get("VETBRIDGE_PROBE_WRITERS", "8")),
        )
    )
    result["journal_mode"] = mode
    print(json.dumps(result))


if __name__ == "__main__":
    main()
