"""The memorial's public pages are kept in the shared cache, yet an unpublished, withdrawn
or changed record is never shown from it: publication is checked at every request and
every change starts a new cache generation."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from vetbridge.core.services import input_from
from vetbridge.memorial import selectors, services
from vetbridge.memorial.models import MemorialRecord, Tribute
from vetbridge.memorial.services import RecordChanges
from vetbridge.people.services import NameInput, PersonChanges, person_name_add, person_update

from .test_memorial import editor, fallen  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _caches_on(settings):
    settings.VETBRIDGE_MEMORIAL_CACHE_SECONDS = 3600
    settings.VETBRIDGE_MEMORIAL_SEARCH_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _page(client: Client, rec: MemorialRecord, lang: str = "uk"):
    return client.get(f"/memorial/{rec.pk}/", HTTP_ACCEPT_LANGUAGE=lang, follow=True)


def _record_keys() -> list[str]:
    return [k for k in cache._cache if "memorial:record:" in str(k)]  # type: ignore[attr-defined]


def test_record_page_parts_are_cached_per_language(fallen, django_assert_max_num_queries):  # noqa: F811
    anon = Client()
    response = _page(anon, fallen)
    first = response.content.decode()
    assert "Авдіївка" in first and len(_record_keys()) == 1
    canonical = response.redirect_chain[-1][0]
    with django_assert_max_num_queries(1):  # the publication check only; no names, no tributes
        again = anon.get(canonical, HTTP_ACCEPT_LANGUAGE="uk")
    assert again.status_code == 200
    assert again.content.decode().count("Авдіївка") == first.count("Авдіївка")
    assert 'rel="canonical"' in again.content.decode()
    english = _page(anon, fallen, "en").content.decode()
    assert 'lang="en"' in english and len(_record_keys()) == 2
    assert "Permanent address of this page" in english


def test_unpublished_record_never_served_from_the_cache(fallen, editor):  # noqa: F811
    anon = Client()
    assert _page(anon, fallen).status_code == 200
    services.record_unpublish(actor=editor, record_id=fallen.pk, reason="Прохання родини")
    assert _page(anon, fallen).status_code == 404
    assert _page(anon, fallen, "fr").status_code == 404


def test_withdrawn_without_a_new_generation_is_still_not_shown(fallen):  # noqa: F811
    """Even if the generation were never bumped (a write outside the services), the page's
    publication check is not cached."""
    anon = Client()
    assert _page(anon, fallen).status_code == 200
    assert anon.get("/memorial/", {"q": "Chevtchenko"}).content.decode().count("Шевченко") >= 1
    MemorialRecord.objects.filter(pk=fallen.pk).update(published=False)
    assert _page(anon, fallen).status_code == 404
    body = anon.get("/memorial/", {"q": "Chevtchenko"}).content.decode()
    assert f"/memorial/{fallen.pk}/" not in body


def test_person_found_alive_leaves_the_cached_page(fallen, world):  # noqa: F811
    anon = Client()
    assert _page(anon, fallen).status_code == 200
    person = fallen.person
    person.refresh_from_db()
    person_update(
        actor=world["users"]["admin"],
        person_id=person.pk,
        expected_version=person.version,
        data=PersonChanges(lifecycle="alive", lifecycle_date=None),
    )
    assert _page(anon, fallen).status_code == 404


def test_redacted_text_is_gone_at_once(fallen, editor):  # noqa: F811
    anon = Client()
    services.record_update(
        actor=editor,
        record_id=fallen.pk,
        expected_version=MemorialRecord.objects.get(pk=fallen.pk).version,
        source="Книга пам'яті",
        data=input_from(RecordChanges, {"circumstances": "Подробиці, які родина просить зняти"}),
    )
    assert "Подробиці, які родина" in _page(anon, fallen).content.decode()
    services.record_update(
        actor=editor,
        record_id=fallen.pk,
        expected_version=MemorialRecord.objects.get(pk=fallen.pk).version,
        source="Прохання родини",
        data=input_from(RecordChanges, {"circumstances": ""}),
    )
    for lang in ("uk", "fr", "en"):
        assert "Подробиці, які родина" not in _page(anon, fallen, lang).content.decode()


def test_published_tribute_and_new_spelling_show_at_once(fallen, editor, world):  # noqa: F811
    anon = Client()
    assert "Марія" not in _page(anon, fallen).content.decode()
    tribute = Tribute.objects.create(
        record=fallen, author_name="Марія", text="Вічна слава герою", submitter_hash="x"
    )
    services.tribute_moderate(actor=editor, tribute_id=tribute.pk, accept=True)
    assert "Вічна слава герою" in _page(anon, fallen).content.decode()
    person_name_add(
        actor=world["users"]["admin"],
        person_id=fallen.person_id,
        data=input_from(
            NameInput, {"surname": "Shevchenko", "given_name": "Taras", "language": "en"}
        ),
    )
    assert "Shevchenko Taras" in _page(anon, fallen, "en").content.decode()


def test_lost_generation_never_reuses_old_keys(fallen):  # noqa: F811
    before = selectors.generation()
    cache.delete("memorial:search:generation")  # evicted by the cache
    after = selectors.generation()
    assert after != 0 and after != before and selectors.generation() == after


def test_cached_tribute_form_keeps_the_reader_token_and_errors(fallen):  # noqa: F811
    anon = Client(enforce_csrf_checks=True)
    first = _page(anon, fallen).content.decode()
    second = _page(Client(), fallen).content.decode()
    assert 'name="csrfmiddlewaretoken"' in first and 'name="csrfmiddlewaretoken"' in second
    assert 'name="author_name"' in second
    bad = Client().post(f"/memorial/{fallen.pk}/tribute/", {"kind": "tribute", "author_name": ""})
    assert bad.status_code == 400 and 'class="form-errors"' in bad.content.decode()


def test_caches_off_still_serve_the_page(fallen, settings):  # noqa: F811
    settings.VETBRIDGE_MEMORIAL_CACHE_SECONDS = 0
    settings.VETBRIDGE_MEMORIAL_SEARCH_CACHE_SECONDS = 0
    assert "Авдіївка" in _page(Client(), fallen).content.decode()
    assert _record_keys() == []


def test_token_counts_are_remembered_but_results_read_live(fallen, editor, monkeypatch):  # noqa: F811
    """The counts that plan a name search are kept in the process; the ranking is the
    registry's, and a record withdrawn afterwards is still never listed."""
    from vetbridge.people import name_index

    counted: list[tuple[str, ...]] = []
    original = name_index.DatabaseStore.frequencies

    def counting(self, skels):
        counted.append(tuple(sorted(skels)))
        return original(self, skels)

    monkeypatch.setattr(name_index.DatabaseStore, "frequencies", counting)
    hits, _ = selectors.ranked_hits(q="Chevtchenko", filters={})
    first = len(counted)
    assert [h.id for h in hits] == [fallen.person_id] and first >= 1

    def allowed(ids: list[int]) -> set[int]:
        return set(
            selectors.published().filter(person_id__in=ids).values_list("person_id", flat=True)
        )

    direct = name_index.search("Chevtchenko", limit=selectors.SEARCH_LIMIT, allowed=allowed)
    assert [h.id for h in hits] == [r.id for r in direct.results]
    cache.delete_many(
        [k for k in cache._cache if "memorial:search:" in str(k) and "generation" not in str(k)]
    )  # type: ignore[attr-defined]
    selectors.ranked_hits(q="Chevtchenko", filters={})  # ranking recomputed, counts kept
    assert len(counted) == first + 1  # only the direct search above counted again
    services.record_unpublish(actor=editor, record_id=fallen.pk, reason="Прохання родини")
    hits, _ = selectors.ranked_hits(q="Chevtchenko", filters={})
    assert selectors.records_for(hits, {}) == []


def test_another_workers_new_generation_is_seen_by_the_next_request(fallen):  # noqa: F811
    """The generation is read once per request, never kept from one request to the next."""
    anon = Client()
    _page(anon, fallen)
    keys = set(_record_keys())
    cache.set("memorial:search:generation", selectors.generation() + 1, None)  # another worker
    _page(anon, fallen)
    assert set(_record_keys()) - keys  # the page's parts were made again, under the new one
