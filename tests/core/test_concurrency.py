"""Concurrency: overlapping audited reads and same-version writes never answer 500;
exactly one write wins and the others get 409 — on a real SQLite file (WAL, IMMEDIATE
transactions, busy timeout) and on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _check(result: dict) -> None:
    result["reads"] = {int(k): v for k, v in result["reads"].items()}
    result["writes"] = {int(k): v for k, v in result["writes"].items()}
    assert not result["errors"], result
    assert set(result["reads"]) == {200}, result
    assert result["writes"].get(200) == 1, result
    assert set(result["writes"]) == {200, 409}, result
    assert result["final_version"] == result["start_version"] + 1


def _probe(tmp_path, *args: str, **env_extra: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "vetbridge.config.settings.test",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        **env_extra,
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.core.concurrency_probe", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_sqlite_file_database_holds_concurrency(tmp_path):
    result = _probe(tmp_path)
    assert result["journal_mode"] == "wal"
    _check(result)


def test_an_import_on_sqlite_makes_sign_in_wait_not_fail(tmp_path):
    """A sign-in during an import (which holds SQLite's write lock: imports are all or
    nothing) waits for the commit and succeeds within the busy timeout; the import is whole."""
    result = _probe(tmp_path, "--import", VETBRIDGE_SQLITE_BUSY_SECONDS="20")
    assert result["sign_in_while_importing"] is True, result
    assert result["sign_in_status"] == 302, result
    assert result["sign_in_seconds"] < 20, result
    assert "import_error" not in result, result
    assert result["imported"] == result["people"] == 300


@pytest.mark.django_db(transaction=True)
def test_postgresql_lost_race_answers_409():
    if connection.vendor != "postgresql":
        pytest.skip(
            "in-memory SQLite shares one cache between threads; the file test covers SQLite"
        )
    from tests.core.concurrency_probe import probe

    _check(probe(readers=12, writers=6))


def test_sqlite_settings_begin_immediately_with_a_busy_timeout():
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {})
    if connection.vendor == "sqlite":
        assert options["transaction_mode"] == "IMMEDIATE"
        assert options["timeout"] >= 5
