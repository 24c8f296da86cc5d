"""Scoring and the ranked search over an in-memory index."""

from __future__ import annotations

import pytest

from vetbridge.names import MemoryStore, Query, Searcher, score_person
from vetbridge.names.given_names import equivalents
from vetbridge.names.index import deletion_keys, query_keys, stored_keys


@pytest.fixture
def searcher():
    store = MemoryStore()
    store.add(1, ["Шевченко Тарас Григорович", "Shevchenko Taras"])
    store.add(2, ["Зеленський Володимир Олександрович"])
    store.add(3, ["Залужний Валерій Федорович"])
    store.add(4, ["Шевчук Олександр"])
    store.add(5, ["Шевченко Олександра Петрівна"])
    for i in range(6, 200):  # a crowd of namesakes of one given name
        store.add(i, [f"Іваненко{'' if i % 2 else 'в'} Іван"])
    return Searcher(store)


def top(searcher, text, n=1):
    return [r.id for r in searcher.search(text, limit=n).results]


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("Taras Chevtchenko", 1),
        ("SCHEWTSCHENKO Taras", 1),
        ("Wladimir Selenskyj", 2),
        ("Vladimir Zelensky", 2),
        ("Valeri Zaloujny", 3),
        ("Aleksandr Shevchuk", 4),
        ("Alexandra Chevtchenko", 5),
        ("Shevchnko Taras", 1),  # typo
        ("Шевченкo Тарас", 1),  # Latin o
        ("T. Shevchenko", 1),
    ],
)
def test_finds_the_person_first(searcher, query, target):
    assert top(searcher, query) == [target]


def test_results_carry_score_and_reasons(searcher):
    r = searcher.search("Wladimir Selenskyj").results[0]
    assert 0 < r.score < 1
    hows = {x["query"]: x["how"] for x in r.reasons}
    assert hows == {"wladimir": "equivalent_name", "selenskyj": "spelling_distance"}
    assert searcher.search("Шевченко Тарас Григорович").results[0].score == 1.0


def test_exact_beats_same_sound_beats_typo():
    q = Query.parse("Shevchenko")
    exact = score_person(q, ["Shevchenko"]).score
    sound = score_person(q, ["Шевченко"]).score
    typo = score_person(q, ["Shevchanko"]).score
    assert exact > sound > typo > 0


def test_bad_queries_get_a_notice_not_an_error(searcher):
    for text in ["", "a", "!!!", "\u200b\u200b", "..."]:
        response = searcher.search(text)
        assert response.results == []
        assert response.notices == ["too_short"]
    assert searcher.search("x" * 10_000).notices == []  # cut, answered


def test_a_common_name_alone_is_flagged_but_answered():
    store = MemoryStore()
    for i in range(1, 60):
        store.add(i, [f"Петренко{'' if i % 2 else 'в'} Іван"])
    response = Searcher(store, frequent=20).search("Іван", limit=5)
    assert response.notices == ["too_common"]
    assert len(response.results) == 5


def test_all_common_tokens_are_intersected():
    store = MemoryStore()
    for i in range(1, 50):
        store.add(i, ["Петренко Іван"] if i == 7 else [f"Петренко Микола{i % 3}", "Іван Сидоренко"])
    assert [r.id for r in Searcher(store, frequent=10).search("Ivan Petrenko").results[:1]] == [7]


def test_allowed_filter_applies_before_the_cut(searcher):
    ids = [
        r.id
        for r in searcher.search("Шевченко", limit=10, allowed=lambda ids: {5} & set(ids)).results
    ]
    assert ids == [5]


def test_removal_and_update_keep_the_memory_index_current():
    store = MemoryStore()
    store.add(1, ["Шевченко Тарас"])
    store.add(1, ["Коваленко Ігор"])
    s = Searcher(store)
    assert s.search("Shevchenko Taras").results == []
    assert top(s, "Kovalenko Ihor") == [1]
    store.remove(1)
    assert s.search("Kovalenko Ihor").results == []


def test_given_name_equivalents():
    from vetbridge.names import skeleton

    olek = equivalents(skeleton("олександр"))
    for form in ("aleksandr", "alexandre", "sasha", "oleksandr"):
        assert skeleton(form) in olek


def test_deletion_keys():
    assert deletion_keys("abc") == {"abc"}  # short: itself only
    assert "bcde" in stored_keys("abcde") and "abcde" in stored_keys("abcde")
    assert len(query_keys("abcdefgh")) > len(stored_keys("abcdefgh"))
