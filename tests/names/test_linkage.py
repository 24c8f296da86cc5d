"""Blocking and the Fellegi–Sunter model on small data: planted duplicates are found with a
reason per field; namesakes with other birth dates are not."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

import pytest

from vetbridge.names.linkage import (
    LinkRecord,
    compare,
    compare_date,
    default_model,
    estimate,
    keys_of,
    link,
    random_pair_prior,
)

D = dt.date


def _registry() -> list[LinkRecord]:
    return [
        LinkRecord(1, "Шевченко", "Тарас", "Григорович", D(1979, 3, 9), "M", "UA-46"),
        LinkRecord(2, "Shevchenko", "Taras", "Hryhorovych", D(1979, 3, 9), "M", "UA-46"),
        LinkRecord(3, "Коваленко", "Олена", "Петрівна", D(1990, 5, 2), "F", "UA-30"),
        LinkRecord(4, "Коваленко", "Петрівна", "Олена", D(1990, 2, 5), "F", "UA-30"),
        LinkRecord(5, "Бойко", "Іван", "Миколайович", None, "M", "UA-12"),
        LinkRecord(6, "Бойко", "Іван", "Миколайович", D(1985, 1, 1), "M", "UA-12"),
        LinkRecord(7, "Мельник", "Андрій", "Іванович", D(1970, 1, 1), "M", "UA-46"),
        LinkRecord(8, "Мельник", "Андрій", "Іванович", D(1996, 7, 30), "M", "UA-05"),
        LinkRecord(9, "Ткачук", "Oleksandr", "Petrovych", D(1988, 4, 4), "M", ""),
        LinkRecord(10, "Tkachuk", "Aleksandr", "Petrovich", D(1988, 4, 4), "M", ""),
        LinkRecord(11, "Гончаренко", "Юрій", "Олегович", D(1975, 6, 6), "M", "UA-51"),
        LinkRecord(12, "Гончаренко", "Юрій", "Олегович", D(1975, 6, 6), "F", "UA-51"),
    ]


def test_levels_of_birth_dates():
    assert compare_date(D(1990, 5, 2), D(1990, 2, 5)) == "transposed_day_month"
    assert compare_date(D(1990, 5, 2), D(1990, 6, 2)) == "same_year"
    assert compare_date(None, D(1990, 6, 2)) == "missing"
    assert compare_date(D(1990, 5, 2), D(1991, 5, 2)) == "different"


def test_swapped_given_name_and_patronymic_compare_crossed():
    a, b = _registry()[2], _registry()[3]
    levels = compare(a, keys_of(a), b, keys_of(b))
    assert levels["given_name"] == levels["patronymic"] == "exact"
    assert levels["birth_date"] == "transposed_day_month"


def test_planted_duplicates_are_found_and_namesakes_are_not():
    # The prior of a national registry (100,000 people), not of these twelve records.
    national = replace(default_model(), prior=random_pair_prior(100_000))
    pairs, model, compared = link(_registry(), model=national)
    found = {(p.a, p.b) for p in pairs}
    assert {(1, 2), (3, 4), (5, 6), (9, 10)} <= found
    assert (7, 8) not in found  # same name, born 26 years apart in other regions
    assert compared >= len(found)
    best = next(p for p in pairs if (p.a, p.b) == (1, 2))
    reasons = {r["field"]: r for r in best.reasons(model, _registry()[0], _registry()[1])}
    assert reasons["surname"]["how"] == "same_sound" and reasons["surname"]["weight"] > 0
    assert reasons["birth_date"]["how"] == "exact"
    assert set(reasons) == {"surname", "given_name", "patronymic", "birth_date", "sex", "region"}


def test_prior_is_that_of_two_random_records():
    assert random_pair_prior(1_000_000) == pytest.approx(1e-7)
    _pairs, model, _n = link(_registry())
    assert model.prior == random_pair_prior(12)


def test_newcomers_only_are_linked_against_everyone():
    pairs, _model, _n = link(_registry(), new_ids={2}, train=False)
    assert {(p.a, p.b) for p in pairs} == {(1, 2)}


def test_em_learns_m_and_keeps_probabilities_in_range():
    patterns: Counter = Counter()
    recs = _registry()
    keyed = {r.id: (r, keys_of(r)) for r in recs}
    for a, b in [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12)] * 30:
        ra, ka = keyed[a]
        rb, kb = keyed[b]
        patterns[tuple(compare(ra, ka, rb, kb).items())] += 1
    model = estimate(default_model(), patterns)
    assert model.iterations >= 1 and 0 < model.prior <= 0.5
    for levels in model.m.values():
        assert abs(sum(levels.values()) - 1) < 0.01
