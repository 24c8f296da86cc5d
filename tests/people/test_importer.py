from __future__ import annotations

import subprocess
import sys

import pytest

from vetbridge.core.exceptions import ApplicationError
from vetbridge.people.importer import people_import
from vetbridge.people.models import Person

HEADER = "external_id,surname,given_name,patronymic,birth_date,sex,status\n"
GOOD = "A1,Коваленко,Ігор,Петрович,1985-03-02,M,ua_combatant\nA2,Kovalenko,Olena,,02.05.1990,F,\n"
BAD = (
    "A3,,Петро,,1980-01-01,M,\n"
    "A4,Бойко,Іван,,1980-02-30,X,ua_war_disability\n"
    "A1,Дубль,Ігор,,1985-03-02,M,\n"
)


@pytest.fixture(autouse=True)
def _english():
    """Service messages follow the active language; these tests read the English ones."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.mark.django_db
class PeopleImportTests:
    def test_utf8_with_bom_is_imported_with_statuses_and_audit(self):
        report = people_import(actor=None, data=("\ufeff" + HEADER + GOOD).encode())
        assert report.committed and report.imported == 2
        person = Person.objects.get(external_id="A1")
        assert person.statuses.get().kind == "ua_combatant"
        assert person.names.get().script == "Cyrl"

    def test_all_or_nothing_by_default(self):
        report = people_import(actor=None, data=(HEADER + GOOD + BAD).encode())
        assert not report.committed and report.imported == 0
        assert Person.objects.count() == 0
        reasons = {(e.line, e.field) for e in report.rejected}
        assert {
            (4, "surname"),
            (5, "birth_date"),
            (5, "sex"),
            (5, "status"),
            (6, "external_id"),
        } <= reasons

    def test_keep_valid_writes_the_good_rows_only(self):
        report = people_import(actor=None, data=(HEADER + GOOD + BAD).encode(), keep_valid=True)
        assert report.committed and report.imported == 2
        assert set(Person.objects.values_list("external_id", flat=True)) == {"A1", "A2"}

    def test_rows_already_in_the_registry_are_rejected(self):
        people_import(actor=None, data=(HEADER + GOOD).encode())
        report = people_import(actor=None, data=(HEADER + GOOD).encode())
        assert [e.field for e in report.rejected] == ["external_id", "external_id"]

    def test_mixed_encodings_reject_the_bad_line(self):
        data = (HEADER + GOOD).encode() + "A5,Шевчук,Андрій,,1990-01-01,M,\n".encode("cp1251")
        report = people_import(actor=None, data=data)
        assert [(e.line, "UTF-8" in e.reason) for e in report.rejected] == [(4, True)]

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"", "empty"),
            (b"\x00\x01binary", "binary"),
            (b"external_id,surname\nA1,X\n", "Missing column"),
            ((HEADER.strip() + ",extra\n").encode(), "Unknown column"),
        ],
    )
    def test_malformed_files_have_a_clear_error(self, data, message):
        with pytest.raises(ApplicationError, match=message):
            people_import(actor=None, data=data)

    def test_oversized_file_refused(self, settings):
        settings.VETBRIDGE_IMPORT_MAX_BYTES = 100
        with pytest.raises(ApplicationError, match="too large"):
            people_import(actor=None, data=(HEADER + GOOD * 5).encode())


def test_cli_import_reports_lines_and_exit_codes(tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    db = tmp_path / "cli.sqlite3"
    env = {
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SECRET_KEY": "x" * 60,
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    subprocess.run(
        [sys.executable, "-m", "vetbridge.cli", "manage", "migrate", "-v0"],
        env=env,
        check=True,
        timeout=120,
    )
    proc = subprocess.run(
        [sys.executable, "-m", "vetbridge.cli", "people", "import", str(csv)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert "line 4 [surname]" in proc.stderr and "NOTHING WRITTEN" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "vetbridge.cli", "people", "import", str(csv), "--keep-valid"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0 and "2 imported" in proc.stdout
