"""The vectorised batch path gives the same results as the scalar path (property test)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vetbridge.rules.batch import CAUSE_CODES, CONTEXT_CODES, compute_pmi_batch
from vetbridge.rules.fr.pmi import Infirmity, PmiCase, compute_pmi

rates = st.one_of(st.integers(1, 100).map(Decimal),
                  st.integers(10, 1000).map(lambda x: Decimal(x) / 10),
                  st.integers(100, 10000).map(lambda x: Decimal(x) / 100))
infirmity = st.tuples(rates, st.sampled_from(list(CAUSE_CODES)), st.sampled_from(list(CONTEXT_CODES)))
person = st.lists(infirmity, min_size=1, max_size=7)
dates = st.dates(dt.date(2009, 7, 1), dt.date(2026, 12, 31))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(person, dates), min_size=1, max_size=25))
def test_batch_equals_scalar(population):
    pid, rate, cause, ctx, day = [], [], [], [], []
    for i, (infs, d) in enumerate(population):
        for r, c, x in infs:
            pid.append(i)
            rate.append(float(r))
            cause.append(c)
            ctx.append(x)
            day.append(np.datetime64(d))
    res = compute_pmi_batch(np.array(pid), np.array(rate), np.array(cause), np.array(ctx),
                            np.array(day))
    for i, (infs, d) in enumerate(population):
        case = PmiCase(d, tuple(Infirmity(str(j), r, c, x) for j, (r, c, x) in enumerate(infs)))
        one = compute_pmi(case)
        assert res.eligible[i] == one.eligible
        assert res.global_rate[i] == one.global_rate
        assert res.degrees[i] == one.degrees
        assert res.points[i] == float(one.points)
        assert res.annual_amount_eur[i] == float(one.annual_amount_eur)
        assert abs(res.raw_rate[i] - float(one.raw_rate)) < 1e-9


def test_batch_reads_and_writes_files(tmp_path):
    import polars as pl

    from vetbridge.rules.batch import read_table, write_table

    src = tmp_path / "in.csv"
    src.write_text("person_id,rate,cause,context,date\n1,40,injury,war,2025-01-01\n"
                   "1,20,injury,war,2025-01-01\n1,10,injury,war,2025-01-01\n"
                   "2,25,disease,peace,2024-06-01\n")
    cols = read_table(str(src))
    res = compute_pmi_batch(cols["person_id"], cols["rate"], cols["cause"], cols["context"],
                            cols["date"])
    out = tmp_path / "out.parquet"
    write_table(res, str(out))
    df = pl.read_parquet(out)
    assert df.columns == ["person_id", "eligible", "raw_rate", "global_rate", "points",
                          "annual_amount_eur"]
    assert df.row(0) == (1, True, 64.0, 65, 312.0, 5013.84)
    assert df.row(1)[1] is False  # a single peacetime disease below 30 %
