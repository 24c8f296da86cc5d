"""The public memorial: publication rules, cross-script search, tributes and moderation,
hostile input, imports, linking to the registry."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client

from vetbridge.core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from vetbridge.core.services import input_from
from vetbridge.memorial import selectors, services
from vetbridge.memorial.models import MemorialChange, MemorialRecord, Tribute
from vetbridge.memorial.services import RecordChanges, TributeInput
from vetbridge.people.models import Person
from vetbridge.people.services import (
    NameInput,
    PersonInput,
    StatusInput,
    family_link_add,
    person_create,
)

pytestmark = pytest.mark.django_db


def _search(*, q: str, filters: dict):
    """What the search page shows: ranked records for a name, else the listing."""
    if not q:
        return selectors.public_listing(filters), []
    hits, notices = selectors.ranked_hits(q=q, filters=filters)
    return selectors.records_for(hits, filters), notices


def _png(size=(4, 4)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def editor(world):
    return world["users"]["memorial_editor"]


@pytest.fixture
def fallen(world, editor, regions):
    """Taras, fallen, with a living wife in the registry; his memorial record published."""
    taras = person_create(
        actor=None,
        data=input_from(
            PersonInput,
            {
                "lifecycle": "fallen",
                "region": regions["UA-46"],
                "lifecycle_date": dt.date(2024, 2, 17),
                "phone": "+380 50 000 0000",
            },
        ),
        names=[
            input_from(
                NameInput,
                {"surname": "Шевченко", "given_name": "Тарас", "patronymic": "Григорович"},
            ),
            input_from(
                NameInput, {"surname": "Chevtchenko", "given_name": "Tarass", "language": "fr"}
            ),
        ],
    )
    wife = person_create(
        actor=None,
        data=input_from(PersonInput, {"region": regions["UA-46"]}),
        names=[input_from(NameInput, {"surname": "Шевченко", "given_name": "Оксана"})],
    )
    family_link_add(
        actor=world["users"]["admin"], person_id=taras.pk, relative_id=wife.pk, kind="spouse"
    )
    rec = services.record_create_for(actor=editor, person_id=taras.pk)
    services.record_update(
        actor=editor,
        record_id=rec.pk,
        expected_version=rec.version,
        source="Книга пам'яті",
        data=input_from(RecordChanges, {"unit": "93 ОМБр", "death_place": "Авдіївка"}),
    )
    services.record_publish(
        actor=editor, record_id=rec.pk, basis="consent", note="Дружина, згода від 2025-01-10"
    )
    rec.refresh_from_db()
    return rec


def test_cyrillic_name_found_by_french_spelling_and_filters(fallen):
    found, notices = _search(q="Tarass Chevtchenko", filters={})
    assert [f.record for f in found] == [fallen] and notices == []
    found, _ = _search(q="Schewtschenko", filters={"unit": "93"})
    assert [f.record for f in found] == [fallen]
    found, _ = _search(q="Shevchenko", filters={"death_place": "Херсон"})
    assert found == []
    listing, _ = _search(q="", filters={"death_from": dt.date(2024, 1, 1)})
    assert list(listing) == [fallen]


def test_unpublished_and_living_never_shown(fallen, editor, world):
    anon = Client()
    url = f"/memorial/{fallen.pk}/"
    page = anon.get(url, follow=True)
    body = page.content.decode()
    assert page.status_code == 200 and "Шевченко Тарас Григорович" in body
    assert "Оксана" not in body and "+380" not in body  # living wife, contact details
    assert 'rel="canonical"' in body and "application/ld+json" in body
    services.record_unpublish(actor=editor, record_id=fallen.pk, reason="Прохання родини")
    assert anon.get(url, follow=True).status_code == 404
    assert _search(q="Shevchenko", filters={})[0] == []
    assert MemorialChange.objects.filter(record=fallen, source="Прохання родини").exists()


def test_publication_needs_a_basis_and_a_reference(world, editor, make_person):
    person = make_person("Бойко", "Іван", lifecycle="fallen")
    rec = services.record_create_for(actor=editor, person_id=person.pk)
    with pytest.raises(ApplicationError) as exc:
        services.record_publish(actor=editor, record_id=rec.pk, basis="whim", note="x")
    assert "publication_basis" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        services.record_publish(actor=editor, record_id=rec.pk, basis="editorial", note=" ")
    assert "publication_note" in exc.value.fields
    living = make_person("Бойко", "Петро")
    with pytest.raises(ApplicationError):
        services.record_create_for(actor=world["users"]["admin"], person_id=living.pk)


def test_only_editors_edit(world, fallen):
    for role in ("veteran", "case_worker", "medical_assessor", "pension_officer", "analyst"):
        with pytest.raises(PermissionDeniedError):
            services.record_publish(
                actor=world["users"][role], record_id=fallen.pk, basis="editorial", note="x"
            )


def test_every_change_keeps_history_and_source(fallen, editor):
    with pytest.raises(ApplicationError):
        services.record_update(
            actor=editor,
            record_id=fallen.pk,
            expected_version=fallen.version,
            data=input_from(RecordChanges, {"unit": "x"}),
            source="",
        )
    services.record_update(
        actor=editor,
        record_id=fallen.pk,
        expected_version=fallen.version,
        data=input_from(RecordChanges, {"burial_place": "Львів"}),
        source="Лист родини",
    )
    change = fallen.changes.first()
    assert change.source == "Лист родини"
    assert change.changes == {"burial_place": ["", "Львів"]}
    from vetbridge.core.exceptions import ConflictError

    with pytest.raises(ConflictError):
        services.record_update(
            actor=editor,
            record_id=fallen.pk,
            expected_version=fallen.version,
            data=input_from(RecordChanges, {"unit": "y"}),
            source="stale",
        )


HOSTILE = (
    "<script>alert(1)</script><img src=x onerror=alert(2)> \u202egnp.exe\u202c "
    "zero\u200bwidth " + "مرحبا " + "x" * 1500
)


def test_hostile_tribute_is_inert_moderated_then_published(fallen, editor):
    client = Client()
    too_long = client.post(
        f"/memorial/{fallen.pk}/tribute/",
        {"kind": "tribute", "author_name": "A", "text": "x" * 2001},
    )
    assert too_long.status_code == 400 and not Tribute.objects.exists()
    response = client.post(
        f"/memorial/{fallen.pk}/tribute/",
        {"kind": "tribute", "author_name": "<b>Марія</b>", "relation": "сестра", "text": HOSTILE},
    )
    assert response.status_code == 302
    tribute = Tribute.objects.get()
    assert "\u202e" not in tribute.text and "\u200b" not in tribute.text
    assert tribute.state == "pending" and "مرحبا" in tribute.text
    page = client.get(response["Location"]).content.decode()
    assert "alert(1)" not in page  # not shown before moderation
    with pytest.raises(ApplicationError):
        services.tribute_moderate(actor=editor, tribute_id=tribute.pk, accept=False)
    services.tribute_moderate(actor=editor, tribute_id=tribute.pk, accept=True)
    page = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page and "<b>Марія</b>" not in page


@pytest.mark.parametrize(
    ("content", "ok"),
    [
        (None, True),
        (b"GIF89a" + b"0" * 20, False),
        (b"%PDF-1.4", False),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, False),
    ],
)
def test_photos_must_be_real_images(fallen, content, ok):
    photo = _png() if content is None else content
    if ok:
        t = services.tribute_submit(
            record_id=fallen.pk,
            ip="198.51.100.1",
            photo=photo,
            data=input_from(TributeInput, {"kind": "photo", "author_name": "Олег"}),
        )
        assert t.photo.name.endswith(".png")
    else:
        with pytest.raises(ApplicationError) as exc:
            services.tribute_submit(
                record_id=fallen.pk,
                ip="198.51.100.1",
                photo=photo,
                data=input_from(TributeInput, {"kind": "photo", "author_name": "Олег"}),
            )
        assert "photo" in exc.value.fields


def test_decompression_bomb_and_oversize_refused(fallen):
    with pytest.raises(ApplicationError):
        services.check_image(_png((8000, 6000)))
    with pytest.raises(ApplicationError):
        services.check_image(b"\x89PNG" + b"0" * (6 * 1024 * 1024))


def test_public_submissions_are_rate_limited(fallen):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(services.TRIBUTES_PER_HOUR):
        assert (
            client.post(
                f"/memorial/{fallen.pk}/tribute/",
                {"kind": "tribute", "author_name": f"N{i}", "text": "Пам'ятаємо"},
            ).status_code
            == 302
        )
    blocked = client.post(
        f"/memorial/{fallen.pk}/tribute/",
        {"kind": "tribute", "author_name": "N", "text": "Пам'ятаємо"},
    )
    assert blocked.status_code == 429
    other = Client(REMOTE_ADDR="203.0.113.10")
    assert (
        other.post(
            f"/memorial/{fallen.pk}/tribute/", {"kind": "tribute", "author_name": "N", "text": "x"}
        ).status_code
        == 302
    )


def test_tribute_errors_name_the_field(fallen):
    response = Client().post(
        f"/memorial/{fallen.pk}/tribute/", {"kind": "tribute", "author_name": "", "text": ""}
    )
    assert response.status_code == 400
    with pytest.raises(ApplicationError) as exc:
        services.tribute_submit(
            record_id=fallen.pk,
            ip="1",
            photo=None,
            data=input_from(TributeInput, {"author_name": "A", "text": "\u200b\u202e"}),
        )
    assert "text" in exc.value.fields
    with pytest.raises(NotFoundError):
        services.tribute_submit(
            record_id=999999,
            ip="1",
            photo=None,
            data=input_from(TributeInput, {"author_name": "A", "text": "x"}),
        )


CSV = (
    "external_id,surname,given_name,patronymic,surname_fr,given_name_fr,death_date,"
    "birth_region,unit\n"
    "M-1,Коваль,Андрій,Петрович,Koval,Andriy,2023-05-02,UA-46,24 ОМБр\n"
    "M-2,Гнатюк,Олег,,Hnatiouk,Oleh,02.11.2024,,\n"
)
BAD = (
    "M-3,,Іван,,,,2023-01-01,,\nM-4,Бойко,Іван,,,,2999-01-01,XX-99,\nM-1,Дубль,А,,,,2023-01-01,,\n"
)


def test_import_all_or_nothing_then_keep_valid(world, editor):
    report = services.memorial_import(actor=editor, data=(CSV + BAD).encode())
    assert not report.committed and MemorialRecord.objects.count() == 0
    fields = {(e.line, e.field) for e in report.rejected}
    assert {(4, "surname"), (5, "death_date"), (5, "birth_region"), (6, "external_id")} <= fields
    report = services.memorial_import(
        actor=editor, data=(CSV + BAD).encode(), keep_valid=True, source="Книга пам'яті.csv"
    )
    assert report.committed and report.imported == 2
    koval = MemorialRecord.objects.get(person__external_id="M-1")
    assert not koval.published and koval.unit == "24 ОМБр"
    assert koval.person.lifecycle == "fallen"
    found, _ = _search(q="Koval Andriy", filters={})
    assert found == []  # not published yet
    services.record_publish(actor=editor, record_id=koval.pk, basis="editorial", note="№1")
    found, _ = _search(q="Kowal Andrij", filters={})
    assert [f.record for f in found] == [koval]


def test_link_to_registry_merges_and_family_rights_follow(world, editor, regions):
    registry = person_create(
        actor=None,
        data=input_from(
            PersonInput,
            {
                "lifecycle": "fallen",
                "region": regions["UA-46"],
                "lifecycle_date": dt.date(2023, 5, 2),
            },
        ),
        names=[input_from(NameInput, {"surname": "Коваль", "given_name": "Андрій"})],
    )
    widow = person_create(
        actor=None,
        data=input_from(PersonInput, {"region": regions["UA-46"]}),
        names=[input_from(NameInput, {"surname": "Коваль", "given_name": "Ірина"})],
        statuses=[
            input_from(
                StatusInput, {"kind": "ua_family_of_fallen", "valid_from": dt.date(2023, 8, 1)}
            )
        ],
    )
    family_link_add(
        actor=world["users"]["admin"], person_id=registry.pk, relative_id=widow.pk, kind="spouse"
    )
    services.memorial_import(actor=editor, data=CSV.encode())
    rec = MemorialRecord.objects.get(person__external_id="M-1")
    imported = rec.person_id
    services.record_link(actor=editor, record_id=rec.pk, person_id=registry.pk)
    rec.refresh_from_db()
    assert rec.person_id == registry.pk
    assert Person.objects.get(pk=imported).merged_into_id == registry.pk
    assert set(registry.names.values_list("surname", flat=True)) == {"Коваль", "Koval"}
    with pytest.raises(ApplicationError):
        services.record_link(actor=editor, record_id=rec.pk, person_id=registry.pk)


def test_cli_import_reports_lines(tmp_path, world):
    import contextlib

    from vetbridge.cli import main

    path = tmp_path / "fallen.csv"
    path.write_text(CSV + BAD, encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["memorial", "import", str(path), "--json"])
    report = __import__("json").loads(out.getvalue())
    assert code == 1 and not report["committed"] and len(report["rejected"]) >= 4


def test_ceremonies_listed_in_every_language(world):
    for lang, text in (
        ("uk", "хвилина мовчання"),
        ("fr", "Armistice"),
        ("en", "Defenders of Ukraine"),
    ):
        client = Client()
        client.cookies["vetbridge_language"] = lang
        page = client.get("/memorial/ceremonies/")
        assert text in page.content.decode(), lang
    assert "29 серпня" in Client().get("/memorial/ceremonies/").content.decode()


def test_public_page_is_cacheable_for_anonymous_only(fallen, world):
    anon = Client().get(f"/memorial/{fallen.pk}/", follow=True)
    assert "public" in anon["Cache-Control"]
    signed = Client()
    signed.force_login(world["users"]["memorial_editor"])
    assert "private" in signed.get(f"/memorial/{fallen.pk}/", follow=True)["Cache-Control"]


def test_search_ranking_is_cached_but_publication_changes_show_at_once(fallen, editor, settings):
    settings.VETBRIDGE_MEMORIAL_SEARCH_CACHE_SECONDS = 60
    anon = Client()
    assert "Шевченко Тарас" in anon.get("/memorial/", {"q": "Chevtchenko"}).content.decode()
    from django.core.cache import cache

    assert any(k for k in cache._cache if "memorial:search:" in str(k))  # type: ignore[attr-defined]
    services.record_unpublish(actor=editor, record_id=fallen.pk, reason="Прохання родини")
    body = anon.get("/memorial/", {"q": "Chevtchenko"}).content.decode()
    assert "Шевченко Тарас" not in body
    services.record_publish(actor=editor, record_id=fallen.pk, basis="consent", note="знову")
    assert "Шевченко Тарас" in anon.get("/memorial/", {"q": "Chevtchenko"}).content.decode()


def test_ranked_results_are_paged(world, editor, make_person):
    for i in range(23):
        person = make_person("Шевченко", f"Тарас{chr(0x430 + i)}", lifecycle="fallen")
        rec = services.record_create_for(actor=editor, person_id=person.pk)
        services.record_publish(actor=editor, record_id=rec.pk, basis="editorial", note="№")
    anon = Client()
    first = anon.get("/memorial/", {"q": "Shevchenko"}).content.decode()
    assert len(re.findall(r'<li><a href="/memorial/\d+/', first)) == 20
    assert 'rel="next"' in first
    second = anon.get("/memorial/", {"q": "Shevchenko", "page": 2}).content.decode()
    assert len(re.findall(r'<li><a href="/memorial/\d+/', second)) == 3
    assert 'rel="prev"' in second
    assert "23" in first
