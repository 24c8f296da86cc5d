"""The batch paths give the same results as the scalar path (property test): the compiled
kernel (numba) and the numpy path it falls back to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vetbridge.rules import batch
from vetbridge.rules.batch import CAUSE_CODES, CONTEXT_CODES, compute_pmi_batch
from vetbridge.rules.errors import InputError
from vetbridge.rules.fr.pmi import Infirmity, PmiCase, compute_pmi
from vetbridge.rules.parameters import default_set

FR = default_set("fr")

rates = st.one_of(
    st.integers(1, 100).map(Decimal),
    st.integers(10, 1000).map(lambda x: Decimal(x) / 10),
    st.integers(100, 10000).map(lambda x: Decimal(x) / 100),
    st.sampled_from([85, 90, 95, 100]).map(Decimal),
)  # 4 bis, n° 6, degrees
additions = st.one_of(
    st.just(Decimal(0)),
    st.integers(1, 30).map(Decimal),
    st.integers(1, 100).map(lambda x: Decimal(x) / 10),
)
infirmity = st.tuples(
    rates,
    st.sampled_from(list(CAUSE_CODES)),
    st.sampled_from(list(CONTEXT_CODES)),
    additions,
    st.booleans(),
    st.booleans(),
)
# Up to 12 infirmities: past the kernel's 8 fixed slots (its general path) and past the 64-bit
# product of the chain (9 at whole rates, 4 with 2 decimals: the scalar fallback).
person = st.tuples(
    st.lists(infirmity, min_size=1, max_size=12),
    st.sampled_from(["soldier", "adjudant", "capitaine"]),
    st.booleans(),
)
dates = st.dates(dt.date(2009, 7, 1), dt.date(2026, 12, 31))


def _scalar(infs, d, grade="soldier", left=False):
    return compute_pmi(
        PmiCase(
            d,
            tuple(
                Infirmity(
                    str(j),
                    r,
                    c,
                    x,
                    arithmetic_addition=a,
                    amputation_without_prosthesis=amp,
                    third_person=tp,
                )
                for j, (r, c, x, a, amp, tp) in enumerate(infs)
            ),
            grade=grade,
            left_service=left,
        ),
        FR,
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(person, dates), min_size=1, max_size=25))
def test_batch_equals_scalar(population):
    """Heads (L121-5/L121-6), L125-9 additions, third person per infirmity, allowances 4 bis
    and 6, grade and left_service: the vectorised path equals the scalar one."""
    # A grade whose table is not loaded after leaving the service is refused by both paths;
    # keep the people the scalar path can price, and check the refusal separately below.
    priced = []
    for (infs, grade, left), d in population:
        try:
            priced.append(((infs, grade, left), d, _scalar(infs, d, grade, left)))
        except InputError as exc:
            assert exc.field == "grade" and left and grade != "soldier"
    if not priced:
        return
    cols: dict[str, list] = {
        k: [] for k in ("pid", "rate", "cause", "ctx", "add", "amp", "tp", "grade", "left", "day")
    }
    for i, ((infs, grade, left), d, _) in enumerate(priced):
        for r, c, x, a, amp, tp in infs:
            for key, value in (
                ("pid", i),
                ("rate", float(r)),
                ("cause", c),
                ("ctx", x),
                ("add", float(a)),
                ("amp", amp),
                ("tp", tp),
                ("grade", grade),
                ("left", left),
                ("day", np.datetime64(d)),
            ):
                cols[key].append(value)
    args = (
        np.array(cols["pid"]),
        np.array(cols["rate"]),
        np.array(cols["cause"]),
        np.array(cols["ctx"]),
        np.array(cols["day"]),
    )
    kw = {
        "arithmetic_addition": np.array(cols["add"]),
        "amputation_without_prosthesis": np.array(cols["amp"]),
        "third_person": np.array(cols["tp"]),
        "grade": np.array(cols["grade"]),
        "left_service": np.array(cols["left"]),
    }
    res = compute_pmi_batch(*args, FR, **kw)  # the kernel
    _same(res, batch._batch(*args, FR, **kw, use_kernel=False))  # the numpy path
    for i, (_, _, one) in enumerate(priced):
        assert res.eligible[i] == one.eligible
        assert res.global_rate[i] == one.global_rate
        assert res.degrees[i] == one.degrees
        assert res.points[i] == float(one.points)
        assert res.annual_amount_eur[i] == float(one.annual_amount_eur)
        assert abs(res.raw_rate[i] - float(one.raw_rate)) < 1e-9


def _same(a, b):
    for name, col in a.as_columns().items():
        assert np.array_equal(col, b.as_columns()[name]), name


def test_the_kernel_is_the_default_path():
    assert batch._kernel is not None  # numba is installed here: the property test ran it


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 30),
            st.integers(1, 100),
            st.booleans(),
            st.sampled_from(["peace", "war"]),
        ),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(["int", "str", "float"]),
)
def test_rows_in_any_order_and_any_kind_of_id(rows, kind):
    """Grouping: unsorted ids (sorted by the kernel's caller), text ids (np.unique), and the
    already-sorted extract (read without a sort) all give one result per person, sorted."""
    ids = np.array([r[0] for r in rows])
    ids = ids.astype(str) if kind == "str" else ids.astype(float) if kind == "float" else ids
    args = (
        ids,
        np.array([float(r[1]) for r in rows]),
        np.array(["disease" if r[2] else "injury" for r in rows]),
        np.array([r[3] for r in rows]),
        dt.date(2025, 6, 1),
    )
    res = compute_pmi_batch(*args, FR)
    _same(
        res,
        batch._batch(
            *args,
            FR,
            arithmetic_addition=None,
            amputation_without_prosthesis=None,
            third_person=None,
            grade=None,
            left_service=None,
            use_kernel=False,
        ),
    )
    order = np.argsort(ids, kind="stable")
    _same(res, compute_pmi_batch(*(a[order] for a in args[:4]), args[4], FR))
    assert list(res.person_id) == sorted(set(ids.tolist()))


def test_without_numba_the_numpy_path_with_a_warning(monkeypatch):
    """If numba cannot be imported, the batch warns once and runs the numpy path."""
    import importlib
    import sys

    case = (
        np.array([1, 1, 2]),
        np.array([40.0, 20.0, 25.0]),
        np.array(["injury", "injury", "disease"]),
        np.array(["war", "war", "peace"]),
        dt.date(2025, 6, 1),
    )
    expected = compute_pmi_batch(*case, FR)
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba -> ImportError
    monkeypatch.delitem(sys.modules, "vetbridge.rules.kernel", raising=False)
    monkeypatch.delitem(sys.modules, "vetbridge.rules.batch")
    import vetbridge.rules as package

    monkeypatch.delattr(package, "kernel", raising=False)
    monkeypatch.setattr(package, "batch", batch)  # put back after the test
    with pytest.warns(RuntimeWarning, match="numba is unavailable"):
        fresh = importlib.import_module("vetbridge.rules.batch")
    assert fresh._kernel is None
    res = fresh.compute_pmi_batch(*case, FR)
    _same(res, expected)
    assert res.eligible.tolist() == [True, False] and res.global_rate[0] == 55


def test_batch_refuses_an_unknown_grade_and_an_unloaded_grade_cell():
    day = dt.date(2025, 6, 1)
    with pytest.raises(InputError) as exc:
        compute_pmi_batch(
            np.array([1]),
            np.array([30.0]),
            np.array(["injury"]),
            np.array(["war"]),
            day,
            FR,
            grade=np.array(["general_of_the_moon"]),
        )
    assert exc.value.field == "grade"
    with pytest.raises(InputError) as exc:  # adjudant has cells at 30 and 100 % only
        compute_pmi_batch(
            np.array([1]),
            np.array([40.0]),
            np.array(["injury"]),
            np.array(["war"]),
            day,
            FR,
            grade=np.array(["adjudant"]),
            left_service=np.array([True]),
        )
    assert exc.value.field == "grade"
    res = compute_pmi_batch(
        np.array([1]),
        np.array([30.0]),
        np.array(["injury"]),
        np.array(["war"]),
        day,
        FR,
        grade=np.array(["adjudant"]),
        left_service=np.array([True]),
    )
    assert res.points[0] == 156.10


def test_batch_mixed_heads_keep_the_injury_alone():
    """Review row 5: an injury at 15 % and a peacetime disease at 10 % (23.5 % < 30 %) is a
    pension on the injury alone (15 % → 15 %, 72 points), not nothing."""
    res = compute_pmi_batch(
        np.array([1, 1]),
        np.array([15.0, 10.0]),
        np.array(["injury", "disease"]),
        np.array(["peace", "peace"]),
        dt.date(2025, 6, 1),
        FR,
    )
    assert res.eligible[0] and res.global_rate[0] == 15 and res.points[0] == 72


def test_batch_reads_and_writes_files(tmp_path):
    import polars as pl

    from vetbridge.rules.batch import read_table, write_table

    src = tmp_path / "in.csv"
    src.write_text(
        "person_id,rate,cause,context,date\n1,40,injury,war,2025-01-01\n"
        "1,20,injury,war,2025-01-01\n1,10,injury,war,2025-01-01\n"
        "2,25,disease,peace,2024-06-01\n"
    )
    cols = read_table(str(src))
    res = compute_pmi_batch(
        cols["person_id"], cols["rate"], cols["cause"], cols["context"], cols["date"], FR
    )
    out = tmp_path / "out.parquet"
    write_table(res, str(out))
    df = pl.read_parquet(out)
    assert df.columns == [
        "person_id",
        "eligible",
        "raw_rate",
        "global_rate",
        "points",
        "annual_amount_eur",
    ]
    assert df.row(0) == (1, True, 64.0, 65, 312.0, 5013.84)
    assert df.row(1)[1] is False  # a single peacetime disease below 30 %


@pytest.mark.parametrize("use_kernel", [True, False])
def test_bad_codes_and_rates_name_the_field_on_both_paths(use_kernel):
    def run(cause, context, rate):
        return batch._batch(
            np.array([1, 2]),
            np.array(rate),
            np.array(cause),
            np.array(context),
            dt.date(2025, 6, 1),
            FR,
            arithmetic_addition=None,
            amputation_without_prosthesis=None,
            third_person=None,
            grade=None,
            left_service=None,
            use_kernel=use_kernel,
        )

    for args, field in (
        (([0, 2], [0, 1], [30.0, 20.0]), "cause"),
        (([0, 1], [0, -1], [30.0, 20.0]), "context"),
        (([0, 1], [0, 1], [30.0, 0.0]), "rate (row 2)"),
        (([0, 1], [0, 1], [30.0, 20.125]), "rate"),
    ):
        with pytest.raises(InputError) as exc:
            run(*args)
        assert exc.value.field == field
    assert run([0, 1], [1, 0], [30.0, 20.0]).eligible.tolist() == [True, False]  # peace disease


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(
                st.tuples(rates, st.integers(0, 1), st.integers(0, 3)), min_size=1, max_size=12
            )
        ),
        min_size=1,
        max_size=40,
    ),
    dates,
)
def test_plain_extract_equals_scalar(persons, day):
    """The usual extract (ids already grouped and sorted, integer codes, no optional column)
    takes the kernel's fixed 8-slot path (sorting network in registers), or its general path
    past 8 rows: the same results as the scalar path and as the numpy path."""
    pid, rate, cause, ctx = [], [], [], []
    for i, (infs,) in enumerate(persons):
        for r, c, x in infs:
            pid.append(10 * i + 3)
            rate.append(float(r))
            cause.append(c)
            ctx.append(x)
    args = (np.array(pid), np.array(rate), np.array(cause), np.array(ctx), day)
    res = compute_pmi_batch(*args, FR)
    _same(
        res,
        batch._batch(
            *args,
            FR,
            arithmetic_addition=None,
            amputation_without_prosthesis=None,
            third_person=None,
            grade=None,
            left_service=None,
            use_kernel=False,
        ),
    )
    codes_cause = {v: k for k, v in CAUSE_CODES.items()}
    codes_ctx = {v: k for k, v in CONTEXT_CODES.items()}
    for i, (infs,) in enumerate(persons):
        one = _scalar(
            [(r, codes_cause[c], codes_ctx[x], Decimal(0), False, False) for r, c, x in infs], day
        )
        assert res.person_id[i] == 10 * i + 3
        assert res.eligible[i] == one.eligible
        assert res.global_rate[i] == one.global_rate
        assert res.degrees[i] == one.degrees
        assert res.points[i] == float(one.points)
        assert res.annual_amount_eur[i] == float(one.annual_amount_eur)
        assert abs(res.raw_rate[i] - float(one.raw_rate)) < 1e-9


@pytest.mark.parametrize("use_kernel", [True, False])
def test_bad_values_anywhere_name_the_field_and_row(use_kernel):
    """The kernel's first pass only notes that something is wrong; the row it names is the
    first bad one, as on the numpy path (NaN included), and ids of another length are refused."""

    def run(rate, add=None, pid=(1, 1, 2)):
        return batch._batch(
            np.array(pid),
            np.array(rate),
            np.array([0, 1, 0]),
            np.array([0, 1, 2]),
            dt.date(2025, 6, 1),
            FR,
            arithmetic_addition=None if add is None else np.array(add),
            amputation_without_prosthesis=None,
            third_person=None,
            grade=None,
            left_service=None,
            use_kernel=use_kernel,
        )

    for kwargs, field in (
        ({"rate": [30.0, float("nan"), 150.0]}, "rate (row 2)"),
        ({"rate": [30.0, 20.0, 101.0]}, "rate (row 3)"),
        ({"rate": [30.0, 20.0, 10.0], "add": [0.0, -1.0, 200.0]}, "arithmetic_addition (row 2)"),
        ({"rate": [30.0, 20.0, 10.0], "pid": (1, 2)}, "person_id"),
    ):
        with pytest.raises(InputError) as exc:
            run(**kwargs)
        assert exc.value.field == field
    # Decimal rates (found by the first pass's slower scale loop) are priced as the scalar path.
    res = run([30.0, 20.5, 10.25])
    day = dt.date(2025, 6, 1)
    first = _scalar(
        [
            (Decimal("30"), "injury", "peace", Decimal(0), False, False),
            (Decimal("20.5"), "disease", "war", Decimal(0), False, False),
        ],
        day,
    )
    second = _scalar([(Decimal("10.25"), "injury", "opex", Decimal(0), False, False)], day)
    assert res.global_rate.tolist() == [first.global_rate, second.global_rate]
    assert res.annual_amount_eur.tolist() == [
        float(first.annual_amount_eur),
        float(second.annual_amount_eur),
    ]
