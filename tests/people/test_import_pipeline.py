"""The row checks of a large import in a second process (`people.import_pipeline`): the
same report, the same rows, the same audit and all-or-nothing as the single-process path.
The files here are small: `pipeline=True` forces the second process and `chunk` makes the
chunks a few rows long, so every boundary case crosses chunks."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from vetbridge.accounts.models import AuditAction, AuditLog
from vetbridge.core.exceptions import ApplicationError
from vetbridge.people import registration
from vetbridge.people.importer import people_import
from vetbridge.people.models import ImportBatch, NameToken, Person, PersonName, PersonStatus

pytestmark = pytest.mark.django_db

HEADER = "external_id,surname,given_name,patronymic,birth_date,sex,status,region,status_from\n"
ROWS = [
    "P1,Шевченко,Тарас,Григорович,1979-03-09,M,ua_combatant,UA-46,2020-01-02",
    "P2,Kovalenko,Olena,,02.05.1990,F,,,",
    "P3,Бойко,Іван,Петрович,,M,ua_war_disability:2,UA-30,",
    "P4,Бойко,Іван,,3000-01-01,M,,,",  # in the future
    "P2,Мельник,Ольга,,1985-01-01,F,,,",  # duplicate of line 3
    ",Ткаченко,Петро,,1970-07-07,X,,,",  # no id, unknown sex
    "P7,Ткаченко,Петро,,1970-07-07,M,ua_war_disability,UA-99,",  # no group, unknown region
    "P8,Лисенко,Микола,Віталійович,1961-12-31,m,ua_combatant:ii,,1950-01-01",  # before birth
    "P9,Гончаренко,Марія",  # three columns
    "P10,O'Brien,Sean,,1975-05-05,M,,UA-46,",
    "P11,Кравчук,Леонід,Макарович,1934-01-10,M,ua_combatant,,",
]


def _data(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def _snapshot() -> dict[str, object]:
    """What an import wrote, without its ids."""
    ext = dict(Person.objects.values_list("id", "external_id"))
    return {
        "people": sorted(
            Person.objects.values_list("external_id", "birth_date", "sex", "region_id")
        ),
        "names": sorted(
            (ext[p], s, g, pa, lang, sc)
            for p, s, g, pa, lang, sc in PersonName.objects.values_list(
                "person_id", "surname", "given_name", "patronymic", "language", "script"
            )
        ),
        "statuses": sorted(
            (ext[p], k, gr, str(v), d)
            for p, k, gr, v, d in PersonStatus.objects.values_list(
                "person_id", "kind", "disability_group", "valid_from", "document_type"
            )
        ),
        "tokens": sorted((s, ext[p]) for s, p in NameToken.objects.values_list("skel", "person")),
        "audit": AuditLog.objects.filter(action=AuditAction.IMPORT).count(),
        "batches": list(ImportBatch.objects.values_list("rows", "sha256")),
    }


def _both(data: bytes, **options: object) -> list[tuple[dict, dict]]:
    """The report and what was written, by each path, each in a rolled-back transaction."""
    out = []
    for pipeline in (False, True):
        with transaction.atomic():
            report = people_import(
                actor=None, data=data, link=False, pipeline=pipeline, chunk=2, **options
            )
            got = report.as_dict()
            got.pop("batch")
            out.append((got, _snapshot()))
            transaction.set_rollback(True)
    return out


@pytest.mark.parametrize("bulk_min", [1, 10**6], ids=["indexes-rebuilt", "indexes-kept"])
def test_keep_valid_gives_the_same_report_and_rows_in_both_paths(monkeypatch, bulk_min):
    monkeypatch.setattr(registration, "BULK_MIN", bulk_min)
    (single, single_rows), (piped, piped_rows) = _both(_data(ROWS), keep_valid=True)
    assert piped == single
    assert piped_rows == single_rows
    assert single["imported"] == 5 and single["total_rows"] == 11
    assert [e["line"] for e in single["rejected"]] == [5, 6, 7, 7, 8, 8, 9, 10]
    assert single_rows["audit"] == 1


def test_one_refused_row_in_the_last_chunk_rolls_back_every_chunk_written():
    rows = [r for r in ROWS if r.startswith(("P1,", "P3,", "P10,", "P11,"))] + [
        "P12,Коваленко,Ігор,,1980-13-01,M,,,"
    ]
    seen: list[int] = []
    report = people_import(
        actor=None,
        data=_data(rows),
        link=False,
        pipeline=True,
        chunk=2,
        progress=seen.append,
    )
    assert not report.committed and report.imported == 0 and report.created_ids == []
    assert [(e.line, e.field) for e in report.rejected] == [(6, "birth_date")]
    assert seen == [2, 2]  # two chunks were written, then rolled back
    assert not Person.objects.exists() and not ImportBatch.objects.exists()
    assert not AuditLog.objects.filter(action=AuditAction.IMPORT).exists()
    (single, _rows), (piped, _rows2) = _both(_data(rows))
    assert piped == single


def test_all_valid_rows_commit_with_one_audit_entry_and_the_progress_of_each_chunk():
    rows = [r for r in ROWS if r.startswith(("P1,", "P3,", "P10,", "P11,"))]
    seen: list[int] = []
    report = people_import(
        actor=None, data=_data(rows), link=False, pipeline=True, chunk=3, progress=seen.append
    )
    assert report.committed and report.imported == 4 and seen == [3, 1]
    batch = ImportBatch.objects.get()
    assert report.created_ids == list(range(batch.first_person_id, batch.last_person_id + 1))
    assert AuditLog.objects.filter(action=AuditAction.IMPORT).count() == 1
    assert Person.objects.get(external_id="P3").statuses.get().disability_group == 2


@pytest.mark.parametrize("bulk_min", [1, 10**6], ids=["indexes-rebuilt", "indexes-kept"])
def test_ids_already_in_the_registry_are_refused_in_both_paths(monkeypatch, bulk_min):
    monkeypatch.setattr(registration, "BULK_MIN", bulk_min)
    people_import(actor=None, data=_data([ROWS[9]]), link=False)  # P10, line 2
    (single, single_rows), (piped, piped_rows) = _both(_data(ROWS), keep_valid=True)
    assert piped == single and piped_rows == single_rows
    assert {"line": 11, "field": "external_id", "reason": gettext("already in the registry")} in (
        single["rejected"]
    )


def test_a_file_level_problem_is_the_same_error_in_the_users_language():
    with translation.override("fr"):
        with pytest.raises(ApplicationError) as single:
            people_import(actor=None, data=b"external_id,surname\nX,Y\n", pipeline=False)
        with pytest.raises(ApplicationError) as piped:
            people_import(actor=None, data=b"external_id,surname\nX,Y\n", pipeline=True)
    assert piped.value.message == single.value.message
    assert "given_name" in piped.value.message and not ImportBatch.objects.exists()


@pytest.mark.parametrize("language", ["uk", "fr", "en"])
def test_row_messages_come_in_the_users_language(language):
    with translation.override(language):
        (single, _r), (piped, _r2) = _both(_data(ROWS), keep_valid=True)
        future = gettext("The date cannot be in the future.")
    assert piped == single
    assert {"line": 5, "field": "birth_date", "reason": future} in piped["rejected"]
    assert (future == "The date cannot be in the future.") == (language == "en")
