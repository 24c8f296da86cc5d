"""The memorial import's row checks in a second process (`people.import_pipeline` running
`memorial.services.memorial_chunks`): the same report, the same people, records and history,
the same audit and all-or-nothing as the single-process path. The files here are small:
`pipeline=True` forces the second process and `chunk` makes the chunks a few rows long, so
every boundary case crosses chunks."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from vetbridge.accounts.models import AuditAction, AuditLog
from vetbridge.core.exceptions import ApplicationError
from vetbridge.memorial.models import MemorialChange, MemorialRecord
from vetbridge.memorial.services import memorial_import
from vetbridge.people import registration
from vetbridge.people.importer import people_import
from vetbridge.people.models import ImportBatch, NameToken, Person, PersonName

pytestmark = pytest.mark.django_db

HEADER = (
    "external_id,surname,given_name,patronymic,death_date,birth_year,birth_region,unit,"
    "surname_en,given_name_en,surname_fr,given_name_fr,sources\n"
)
ROWS = [
    "M1,Шевченко,Тарас,Григорович,2022-03-09,1979,UA-46,24 ОМБр,,,,,",
    "M2,Kovalenko,Olena,,02.05.2023,,,,,,,,",  # a Latin-script "Ukrainian" spelling
    "M3,Бойко,Іван,Петрович,2023-01-01,1990,UA-30,,Boiko,Ivan,Boïko,Ivan,ЗСУ",
    "M4,Бойко,Іван,,3000-01-01,,,,,,,,",  # in the future
    "M2,Мельник,Ольга,,2023-01-01,,,,,,,,",  # duplicate of line 3
    ",Ткаченко,Петро,,2023-02-02,19x0,,,,,,,",  # no id, not a year
    "M7,Ткаченко,Петро,,2023-02-02,,UA-99,,,,,,",  # unknown region
    "M8,Лисенко,Микола,,2019-12-31,2020,,,,,,,",  # died before the year of birth
    "M9,Гончаренко,Марія",  # three columns
    "M10,O'Brien,Sean,,2024-05-05,1975,UA-46,,,,,,",
    "M11,Кравчук,Леонід,Макарович,2022-01-10,1964,,,Kravchuk,Leonid,,,",
    "M12,Коваль,Андрій,,2022-01-10,,,,,,,,",  # the same date of death again
]


def _data(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def _snapshot() -> dict[str, object]:
    """What an import wrote, without its ids."""
    ext = dict(Person.objects.values_list("id", "external_id"))
    return {
        "people": sorted(
            Person.objects.values_list(
                "external_id", "birth_date", "sex", "region_id", "lifecycle", "lifecycle_date"
            )
        ),
        "names": sorted(
            (ext[p], s, g, pa, lang, sc, pref)
            for p, s, g, pa, lang, sc, pref in PersonName.objects.values_list(
                "person_id",
                "surname",
                "given_name",
                "patronymic",
                "language",
                "script",
                "is_preferred",
            )
        ),
        "tokens": sorted((s, ext[p]) for s, p in NameToken.objects.values_list("skel", "person")),
        "records": sorted(
            (ext[p], *rest)
            for p, *rest in MemorialRecord.objects.values_list(
                "person_id",
                "death_date",
                "death_place",
                "unit",
                "rank",
                "burial_place",
                "circumstances",
                "sources",
                "birth_year",
                "birth_region_id",
                "published",
            )
        ),
        "history": sorted(
            (ext[p], ch["imported"], src)
            for p, ch, src in MemorialChange.objects.values_list(
                "record__person_id", "changes", "source"
            )
        ),
        "audit": [
            {k: v for k, v in e.items() if k not in ("first_person_id", "last_person_id")}
            for e in AuditLog.objects.filter(action=AuditAction.IMPORT).values_list(
                "changes", flat=True
            )
        ],
        "batches": list(ImportBatch.objects.values_list("kind", "rows", "sha256")),
    }


def _both(data: bytes, **options: object) -> list[tuple[dict, dict]]:
    """The report and what was written, by each path, each in a rolled-back transaction."""
    out = []
    for pipeline in (False, True):
        with transaction.atomic():
            report = memorial_import(
                actor=None,
                data=data,
                link=False,
                pipeline=pipeline,
                chunk=2,
                source="list",
                **options,
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
    assert single["imported"] == 6 and single["total_rows"] == 12
    # the row the CSV reader refused first, then the checks' refusals in line order
    assert [e["line"] for e in single["rejected"]] == [10, 5, 6, 7, 7, 8, 9]
    assert len(single_rows["records"]) == 6 and len(single_rows["history"]) == 6
    assert len(single_rows["audit"]) == 1
    assert single_rows["audit"][0]["memorial_records"] == 6
    assert {n[4] for n in single_rows["names"]} == {"uk", "xx", "en", "fr"}


def test_one_refused_row_in_the_last_chunk_rolls_back_every_chunk_written():
    rows = [r for r in ROWS if r.startswith(("M1,", "M3,", "M10,", "M11,"))] + [
        "M12,Коваленко,Ігор,,2023-13-01,,,,,,,,"
    ]
    seen: list[int] = []
    report = memorial_import(
        actor=None, data=_data(rows), link=False, pipeline=True, chunk=2, progress=seen.append
    )
    assert not report.committed and report.imported == 0 and report.created_ids == []
    assert [(e.line, e.field) for e in report.rejected] == [(6, "death_date")]
    assert seen == [2, 2]  # two chunks were written, then rolled back
    assert not Person.objects.exists() and not ImportBatch.objects.exists()
    assert not MemorialRecord.objects.exists() and not MemorialChange.objects.exists()
    assert not AuditLog.objects.filter(action=AuditAction.IMPORT).exists()
    (single, _rows), (piped, _rows2) = _both(_data(rows))
    assert piped == single


def test_all_valid_rows_commit_with_one_audit_entry_and_the_progress_of_each_chunk():
    rows = [r for r in ROWS if r.startswith(("M1,", "M3,", "M10,", "M11,"))]
    seen: list[int] = []
    report = memorial_import(
        actor=None, data=_data(rows), link=False, pipeline=True, chunk=3, progress=seen.append
    )
    assert report.committed and report.imported == 4 and seen == [3, 1]
    batch = ImportBatch.objects.get()
    assert report.created_ids == list(range(batch.first_person_id, batch.last_person_id + 1))
    assert AuditLog.objects.filter(action=AuditAction.IMPORT).count() == 1
    record = MemorialRecord.objects.get(person__external_id="M3")
    assert (record.birth_year, record.birth_region.code, record.sources) == (1990, "UA-30", "ЗСУ")
    assert record.person.lifecycle == "fallen" and str(record.person.lifecycle_date) == "2023-01-01"
    assert MemorialChange.objects.filter(record=record).count() == 1


@pytest.mark.parametrize("bulk_min", [1, 10**6], ids=["indexes-rebuilt", "indexes-kept"])
def test_ids_already_in_the_registry_are_refused_in_both_paths(monkeypatch, bulk_min):
    monkeypatch.setattr(registration, "BULK_MIN", bulk_min)
    people = (
        "external_id,surname,given_name,patronymic,birth_date,sex,status,region\n"
        "M10,Коваленко,Іван,,1980-01-01,M,,UA-46\n"
    )
    people_import(actor=None, data=people.encode(), link=False)
    (single, single_rows), (piped, piped_rows) = _both(_data(ROWS), keep_valid=True)
    assert piped == single and piped_rows == single_rows
    assert {"line": 11, "field": "external_id", "reason": gettext("already in the registry")} in (
        single["rejected"]
    )
    # sorted by line once a known id is among them, as the single path does
    assert [e["line"] for e in single["rejected"]] == [5, 6, 7, 7, 8, 9, 10, 11]


def test_a_file_level_problem_is_the_same_error_in_the_users_language():
    with translation.override("fr"):
        with pytest.raises(ApplicationError) as single:
            memorial_import(actor=None, data=b"external_id,surname\nX,Y\n", pipeline=False)
        with pytest.raises(ApplicationError) as piped:
            memorial_import(actor=None, data=b"external_id,surname\nX,Y\n", pipeline=True)
    assert piped.value.message == single.value.message
    assert "given_name" in piped.value.message and not ImportBatch.objects.exists()


@pytest.mark.parametrize("language", ["uk", "fr", "en"])
def test_row_messages_come_in_the_users_language(language):
    with translation.override(language):
        (single, _r), (piped, _r2) = _both(_data(ROWS), keep_valid=True)
        future = gettext("The date cannot be in the future.")
    assert piped == single
    assert {"line": 5, "field": "death_date", "reason": future} in piped["rejected"]
    assert (future == "The date cannot be in the future.") == (language == "en")
