"""One input gate (issue #14.5): control characters, nulls, pages, dates and uploads refused or
accepted the same way in the API, the forms and the importers, with the field named."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import zlib

import pytest
from django.test import Client
from django.utils import timezone

from vetbridge.care.services import AppointmentInput, FollowUpInput, InjuryInput
from vetbridge.core.exceptions import ApplicationError
from vetbridge.core.services import input_from
from vetbridge.memorial.services import TributeInput
from vetbridge.people.services import NameInput, PersonInput, StatusInput
from vetbridge.reparation.kinds import ClaimFiling
from vetbridge.reparation.services import InfirmityRow

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, payload: dict, method: str = "post"):
    return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json")


# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    "bad", ["Шев\x00ченко", "Shev\x1bchenko", "a\x07b", "two\nlines", "tab\there", "x\x7f"]
)
def test_api_refuses_control_characters_naming_the_field(world, bad):
    from vetbridge.people.models import Person

    before = Person.objects.count()
    response = _post(
        _as(world["users"]["admin"]),
        "/api/people",
        {"names": [{"surname": bad, "given_name": "Іван"}], "region": "UA-46"},
    )
    assert response.status_code == 422, response.content
    assert "names.0.surname" in response.json()["error"]["fields"]
    assert Person.objects.count() == before


def test_patch_refuses_escape_in_address_and_accepts_null_as_empty(world):
    client = _as(world["users"]["admin"])
    person = world["lviv"]
    url = f"/api/people/{person.pk}"
    response = _post(client, url, {"version": person.version, "address": "a\x1b[31m"}, "patch")
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["address"]
    response = _post(client, url, {"version": person.version, "address": "1 rue X"}, "patch")
    assert response.status_code == 200, response.content
    response = _post(client, url, {"version": response.json()["version"], "address": None}, "patch")
    assert response.status_code == 200, response.content
    assert response.json()["address"] == ""
    # A null the record cannot hold (a required choice) is refused, naming the field.
    response = _post(client, url, {"version": response.json()["version"], "sex": None}, "patch")
    assert response.status_code == 422
    assert "sex" in response.json()["error"]["fields"]


def test_multi_line_fields_keep_new_lines_single_line_fields_refuse_them(world):
    from vetbridge.care.models import Note
    from vetbridge.core.inputs import text_problem

    assert text_problem("line 1\nline 2", multiline=True) is None
    assert text_problem("line 1\nline 2") is not None
    assert text_problem("NUL\x00", multiline=True) is not None
    assert text_problem("Марія-Анна O'Brien, 5 р.") is None
    field = Note._meta.get_field("text")
    field.run_validators("a\nb")  # a TextField: new lines allowed
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        field.run_validators("a\x00b")


@pytest.mark.parametrize(
    "url", ["/api/people?q=a%00b", "/api/people/search?q=%1b", "/api/people?region=UA%00"]
)
def test_api_search_and_filters_refuse_nul_naming_the_parameter(world, url):
    response = _as(world["users"]["admin"]).get(url)
    assert response.status_code == 422
    assert response.json()["error"]["fields"]


@pytest.mark.parametrize("url", ["/people/?q=a%00b", "/memorial/?q=%00", "/claims/?q=%07"])
def test_pages_refuse_nul_in_searches_naming_the_parameter(world, url):
    client = _as(world["users"]["admin"]) if not url.startswith("/memorial") else Client()
    response = client.get(url)
    assert response.status_code == 400
    assert "q:" in response.content.decode()


def test_forms_refuse_control_characters_on_the_field(world):
    from vetbridge.people.models import Person

    before = Person.objects.count()
    response = _as(world["users"]["admin"]).post(
        "/people/new/",
        {
            "surname": "Бонд\x1bаренко",
            "given_name": "Іван",
            "name_language": "uk",
            "sex": "U",
            "lifecycle": "alive",
            "preferred_language": "uk",
            "confirm_new": "1",
        },
    )
    assert response.status_code in (200, 400)
    assert response.context["form"].errors.get("surname")
    assert Person.objects.count() == before


def test_model_full_clean_refuses_control_characters(world):
    from django.core.exceptions import ValidationError

    from vetbridge.people.models import PersonName

    name = PersonName(person=world["lviv"], surname="Ko\x00valenko", language="en")
    with pytest.raises(ValidationError) as exc:
        name.full_clean(exclude=["person"])
    assert "surname" in exc.value.message_dict


def test_importer_rejects_control_characters_naming_the_column(world):
    from vetbridge.people.importer import parse_people_csv

    data = (
        "external_id,surname,given_name,patronymic,birth_date,sex,status\n"
        "A-1,Ок\x1bсана,Іван,,1990-01-01,M,\n"
        "A-2,Оксана,Іван,,1990-01-01,M,\n"
    ).encode()
    rows, errors, total = parse_people_csv(data)
    assert total == 2 and [line for line, _person in rows] == [3]
    assert [(e.line, e.field) for e in errors] == [(2, "surname")]


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("page", ["99999999999999999999", "1000000", "5"])
def test_page_past_the_end_is_an_empty_page(world, page):
    client = _as(world["users"]["admin"])
    response = client.get(f"/api/people?page={page}")
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []
    response = client.get(f"/api/audit?page={page}")
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []
    assert client.get(f"/people/?page={page}").status_code == 200


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_implausible_birth_dates_refused_in_the_api(world, day):
    response = _post(
        _as(world["users"]["admin"]),
        "/api/people",
        {"names": [{"surname": "Датенко"}], "birth_date": day},
    )
    assert response.status_code in (400, 422)
    assert "birth_date" in response.json()["error"]["fields"]


def test_status_before_birth_and_in_year_one_refused(world):
    from vetbridge.people import services

    admin = world["users"]["admin"]
    person = services.person_create(
        actor=admin,
        data=input_from(PersonInput, {"birth_date": dt.date(1990, 5, 1)}),
        names=[input_from(NameInput, {"surname": "Статусенко"})],
    )
    for day in (dt.date(1, 1, 1), dt.date(1980, 1, 1)):
        with pytest.raises(ApplicationError) as exc:
            services.person_status_add(
                actor=admin,
                person_id=person.pk,
                data=input_from(
                    StatusInput, {"kind": "ua_combatant", "valid_from": day, "document_type": "x"}
                ),
            )
        assert "valid_from" in exc.value.fields


def test_care_dates_in_plausible_range(world):
    from vetbridge.care import services

    admin = world["users"]["admin"]
    pid = world["lviv"].pk
    with pytest.raises(ApplicationError) as exc:
        services.appointment_add(
            actor=admin,
            person_id=pid,
            data=input_from(
                AppointmentInput,
                {"at": dt.datetime(9999, 1, 1, 10, tzinfo=dt.UTC), "with_whom": "Dr"},
            ),
        )
    assert "at" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        services.followup_add(
            actor=admin,
            person_id=pid,
            data=input_from(FollowUpInput, {"due_on": "9999-12-31", "what": "call"}),
        )
    assert "due_on" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        services.injury_add(
            actor=admin,
            person_id=pid,
            data=input_from(
                InjuryInput, {"icd10": "S58.1", "label": "x", "occurred_on": "0001-01-01"}
            ),
        )
    assert "occurred_on" in exc.value.fields
    services.followup_add(
        actor=admin,
        person_id=pid,
        data=input_from(
            FollowUpInput, {"due_on": timezone.localdate() + dt.timedelta(days=30), "what": "ok"}
        ),
    )


# ---------------------------------------------------------------- uploads


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width × height pixels in a few KB (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = zlib.compress(b"\0" * 4096)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )


def test_36_megapixel_png_of_a_few_kb_refused():
    from vetbridge.core.uploads import clean_image

    bomb = _png_header_only(6000, 6000)
    assert len(bomb) < 8192
    with pytest.raises(ApplicationError) as exc:
        clean_image(bomb, "photo")
    assert "photo" in exc.value.fields


def test_photo_stored_without_exif_gps(world):
    from PIL import Image

    from vetbridge.memorial import services

    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (50.0, 27.0, 0.0)}  # GPS IFD
    exif[0x010F] = "PhoneMaker"
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buf, "JPEG", exif=exif.tobytes())
    assert b"PhoneMaker" in buf.getvalue()
    editor = world["users"]["memorial_editor"]
    record = services.record_create_for(actor=editor, person_id=world["kyiv"].pk)
    services.record_publish(actor=editor, record_id=record.pk, basis="editorial", note="t")
    tribute = services.tribute_submit(
        record_id=record.pk,
        ip="198.51.100.7",
        photo=buf.getvalue(),
        data=input_from(TributeInput, {"kind": "photo", "author_name": "Олег"}),
    )
    stored = tribute.photo.read()
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert not img.getexif()


def test_services_fed_by_raw_posts_refuse_control_characters(world):
    """Writes whose text does not come through a form (assessor notes, a dismissal note)."""
    from vetbridge.reparation import services

    admin = world["users"]["admin"]
    claim = services.claim_file(
        actor=admin, person_id=world["lviv"].pk, filing=ClaimFiling("fr_pension")
    )
    claim.refresh_from_db()
    services.claim_transition(
        actor=admin, claim_id=claim.pk, name="start_assessment", expected_version=claim.version
    )
    claim.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        services.infirmities_set(
            actor=admin,
            claim_id=claim.pk,
            expected_version=claim.version,
            rows=InfirmityRow.from_rows([]),
            medical_notes="ok\nline\x1b[2J",
        )
    assert "medical_notes" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        services.infirmities_set(
            actor=admin,
            claim_id=claim.pk,
            expected_version=claim.version,
            rows=[InfirmityRow(label="Genou\x00", cause="injury", context="war")],
        )
    assert "infirmities.0.label" in exc.value.fields


def test_memorial_import_dates_and_text_through_the_same_gate(world):
    from vetbridge.memorial import services

    data = (
        "external_id,surname,given_name,death_date,birth_year,unit\n"
        "M-1,Петренко,Іван,2023-05-01,1990,93 ОМБр\n"
        "M-2,Сидоренко,Петро,0001-01-01,,\n"
        "M-3,Коваль,Олег,2023-05-01,1990,unit\x07bell\n"
        "M-4,Мельник,Юрій,1985-05-01,1990,\n"
    ).encode()
    report = services.memorial_import(
        actor=world["users"]["memorial_editor"], data=data, keep_valid=True
    )
    assert report.imported == 1
    assert sorted((r.line, r.field) for r in report.rejected) == [
        (3, "death_date"),
        (4, "unit"),
        (5, "death_date"),
    ]


def test_photos_stored_before_the_gate_are_stripped_by_the_data_migration(db):
    import importlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    migration = importlib.import_module("vetbridge.memorial.migrations.0005_strip_photo_metadata")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buf, "JPEG", exif=exif.tobytes())
    name = default_storage.save("tributes/old.jpg", ContentFile(buf.getvalue()))
    assert migration._strip(name) is True
    with default_storage.open(name) as fh:
        stored = fh.read()
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert img.size == (8, 8) and not img.getexif()
