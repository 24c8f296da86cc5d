"""The batch linkage job on the registry feeds the review queue with a reason per field."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json

import pytest

from vetbridge.accounts.models import AuditLog
from vetbridge.cli import main
from vetbridge.core.services import input_from
from vetbridge.people.linkage import scan_duplicates
from vetbridge.people.models import DuplicateState, DuplicateSuspect
from vetbridge.people.services import NameInput, PersonInput, person_create

pytestmark = pytest.mark.django_db


def _person(surname, given, patronymic="", born=None, lang="uk"):
    return person_create(
        actor=None,
        data=input_from(PersonInput, {"birth_date": born}),
        names=[
            input_from(
                NameInput,
                {
                    "surname": surname,
                    "given_name": given,
                    "patronymic": patronymic,
                    "language": lang,
                },
            )
        ],
    )


def test_scan_queues_pairs_once_with_weights_and_respects_dismissals():
    a = _person("Шевченко", "Тарас", "Григорович", dt.date(1979, 3, 9))
    b = _person("Shevchenko", "Taras", "Hryhorovych", dt.date(1979, 9, 3), lang="en")
    _person("Шевченко", "Тарас", "Іванович", dt.date(2001, 1, 1))
    DuplicateSuspect.objects.all().delete()  # what registration queued one by one
    result = scan_duplicates()
    assert result.queued == 1 and result.people == 3
    suspect = DuplicateSuspect.objects.get()
    assert (suspect.person_a_id, suspect.person_b_id) == (a.pk, b.pk)
    reasons = {r["field"]: r for r in suspect.reasons}
    assert reasons["birth_date"]["how"] == "transposed_day_month"
    assert all("weight" in r for r in suspect.reasons)
    assert AuditLog.objects.filter(object_type="people.duplicatesuspect").count() == 1
    suspect.state = DuplicateState.DISMISSED
    suspect.save(update_fields=["state"])
    assert scan_duplicates().queued == 0


def test_cli_scan_duplicates_prints_counts():
    _person("Бойко", "Іван", "Петрович", dt.date(1985, 1, 1))
    _person("Boiko", "Ivan", "Petrovych", dt.date(1985, 1, 1), lang="en")
    DuplicateSuspect.objects.all().delete()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["names", "scan-duplicates", "--json"]) == 0
    body = json.loads(out.getvalue())
    assert body["queued"] == 1 and body["compared"] >= 1
