"""What the Django benches share: a database for the run and the best of several timings.

`with_database(db_url, prefix, run)`: a fresh SQLite file (migrated) when `db_url` is empty,
else a test database created on that server for the run and dropped after it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def best_of(fn: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    """The shortest of `repeat` timings of `fn`, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def with_database(db_url: str, prefix: str, run: Callable[[], int]) -> int:
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.environ["DATABASE_URL"] = db_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetbridge.config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    server_db = connection.settings_dict["NAME"]
    if db_url:  # a server: work in a test database created (and dropped) for the run
        connection.creation.create_test_db(verbosity=0, keepdb=False)
    else:
        call_command("migrate", verbosity=0)
    try:
        return run()
    finally:
        if db_url:
            connection.creation.destroy_test_db(server_db, verbosity=0)
