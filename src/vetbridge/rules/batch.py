"""The French PMI formulas over a whole population, with numpy arrays.

Same law and parameters as `fr.pmi.compute_pmi`, and the same results: the remaining-validity
chain is computed in exact integer arithmetic. With rates scaled to integers (1 % = 10^k
units), the validity left after n infirmities is the integer product Π(S − raised_i) over the
denominator S^n, so rounding and thresholds are exact integer comparisons, never float
guesses. Points are kept as integers over the denominator of the third-person fractions, so
amounts are exact cents. A person whose product would not fit in 64 bits (more infirmities
than the scale allows), or who left the service with a grade other than soldier (grade
tables are sparse, see params), is computed by the scalar path instead; the answer is the same,
only slower.

Covered here: per-infirmity floor, L125-9 additions (`arithmetic_addition`,
`amputation_without_prosthesis`), the heads of L121-5 / L121-6 (ordinary diseases added only
when the global rate with them reaches the mixed threshold, else the privileged infirmities
alone), L125-8, L125-3, L125-10, R125-2, allowances n° 1–5 bis, 4 bis and 6, the third-person
majoration per infirmity (`third_person`, L133-1 al. 1 and 2), grade and `left_service`.
Not in the batch path (scalar only): children, grand mutilé and the legacy
`addition: "arithmetic"` rows, since the batch input has no columns for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import InputError
from .fr.pmi import Infirmity, PmiCase, check_grade, compute_pmi
from .inputs import in_force
from .parameters import Parameters

CAUSE_CODES = {"injury": 0, "disease": 1}
CONTEXT_CODES = {"peace": 0, "war": 1, "opex": 2, "captivity": 3}
INT64_MAX = np.iinfo(np.int64).max
OPTIONAL_COLUMNS = ("arithmetic_addition", "amputation_without_prosthesis", "third_person",
                    "grade", "left_service")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class BatchResult:
    person_id: npt.NDArray[Any]
    eligible: npt.NDArray[np.bool_]
    raw_rate: FloatArray
    global_rate: IntArray
    degrees: IntArray
    points: FloatArray
    annual_amount_eur: FloatArray

    def as_columns(self) -> dict[str, npt.NDArray[Any]]:
        return {"person_id": self.person_id, "eligible": self.eligible,
                "raw_rate": self.raw_rate, "global_rate": self.global_rate,
                "degrees": self.degrees, "points": self.points,
                "annual_amount_eur": self.annual_amount_eur}


def _scale_decimals(rate: FloatArray) -> int:
    for k in (0, 1, 2):
        scaled = rate * 10**k
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return k
    raise InputError("rate", "rates may have at most 2 decimals")


def _param_int(p: Parameters, name: str, date: dt.date, mult: int = 1) -> int:
    value = Decimal(p.at(name, date)) * mult
    if value != value.to_integral_value():
        raise InputError(name, "parameter is not a whole number at this scale")
    return int(value)


def _flags(values: npt.ArrayLike | None, name: str, n: int) -> BoolArray:
    if values is None:
        return np.zeros(n, dtype=bool)
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise InputError(name, "must have one value per row")
    if arr.dtype == bool:
        return arr
    text = np.char.lower(arr.astype(str))
    ok = np.isin(text, ["true", "false", "1", "0", ""])
    if not ok.all():
        bad = int(np.flatnonzero(~ok)[0])
        raise InputError(f"{name} (row {bad + 1})", "must be true or false")
    return np.isin(text, ["true", "1"])


def compute_pmi_batch(person_id: npt.NDArray[Any], rate: npt.ArrayLike, cause: npt.ArrayLike,
                      context: npt.ArrayLike, date: dt.date | npt.NDArray[Any],
                      params: Parameters | None = None, *,
                      arithmetic_addition: npt.ArrayLike | None = None,
                      amputation_without_prosthesis: npt.ArrayLike | None = None,
                      third_person: npt.ArrayLike | None = None,
                      grade: npt.ArrayLike | None = None,
                      left_service: npt.ArrayLike | None = None) -> BatchResult:
    """One row per infirmity. `cause` and `context` are codes (see CAUSE_CODES,
    CONTEXT_CODES) or strings; `date` is one date for all, or one per row (the first row of
    each person gives the person's date, as for `grade` and `left_service`). The optional
    columns have the meaning of the fr-pmi keys of the same name (default: 0, false,
    'soldier', false)."""
    p = params or Parameters.load("fr")
    rate_f = np.asarray(rate, dtype=np.float64)
    n_rows = rate_f.shape[0]
    cause_c = _codes(cause, CAUSE_CODES, "cause", n_rows)
    context_c = _codes(context, CONTEXT_CODES, "context", n_rows)
    if np.any(~np.isfinite(rate_f)) or np.any(rate_f <= 0) or np.any(rate_f > 100):
        bad = int(np.flatnonzero(~np.isfinite(rate_f) | (rate_f <= 0) | (rate_f > 100))[0])
        raise InputError(f"rate (row {bad + 1})", "must be greater than 0 and at most 100")
    add_f = np.zeros(n_rows) if arithmetic_addition is None else \
        np.asarray(arithmetic_addition, dtype=np.float64)
    if add_f.shape != (n_rows,):
        raise InputError("arithmetic_addition", "must have one value per row")
    if np.any(~np.isfinite(add_f)) or np.any(add_f < 0) or np.any(add_f > 100):
        bad = int(np.flatnonzero(~np.isfinite(add_f) | (add_f < 0) | (add_f > 100))[0])
        raise InputError(f"arithmetic_addition (row {bad + 1})", "must be from 0 to 100")
    amp = _flags(amputation_without_prosthesis, "amputation_without_prosthesis", n_rows)
    tp = _flags(third_person, "third_person", n_rows)
    left = _flags(left_service, "left_service", n_rows)
    grades = None if grade is None else np.asarray(grade).astype(str)
    if grades is not None and grades.shape != (n_rows,):
        raise InputError("grade", "must have one value per row")

    uniq, first_row, inv = np.unique(np.asarray(person_id), return_index=True,
                                     return_inverse=True)
    inv = inv.astype(np.int64)
    first_row = first_row.astype(np.int64)
    n_p = uniq.shape[0]

    # Dates: one per person (from its first row), grouped so parameters are read once a date.
    if isinstance(date, dt.date):
        person_day = np.zeros(n_p, dtype=np.int64)
        days = [date]
    else:
        row_dates = np.asarray(date)
        days_arr, person_day = np.unique(row_dates[first_row], return_inverse=True)
        days = [d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10])
                for d in days_arr.tolist()]
        person_day = person_day.astype(np.int64)

    # Grades: unknown ones are refused (review row 42); a grade other than soldier for someone
    # who left the service goes through the scalar path (sparse Annexe 1 tables).
    force_scalar = np.zeros(n_p, dtype=bool)
    person_grade = np.full(n_p, "soldier")
    if grades is not None:
        person_grade = grades[first_row]
        for g_name in np.unique(person_grade).tolist():
            for day in days:
                check_grade(g_name, p, day)
        force_scalar = left[first_row] & (person_grade != "soldier")

    k = max(_scale_decimals(rate_f),
            _scale_decimals(add_f) if arithmetic_addition is not None else 0)
    unit = 10**k  # scaled units per percentage point
    S = 100 * unit
    r = np.round(rate_f * unit).astype(np.int64)
    add = np.round(add_f * unit).astype(np.int64)

    eligible = np.zeros(n_p, dtype=bool)
    raw_rate = np.zeros(n_p, dtype=np.float64)
    global_rate = np.zeros(n_p, dtype=np.int64)
    degrees = np.zeros(n_p, dtype=np.int64)
    points = np.zeros(n_p, dtype=np.float64)
    amount_cents = np.zeros(n_p, dtype=np.int64)
    fallback = np.zeros(n_p, dtype=bool)

    for di, day in enumerate(days):
        persons_mask = person_day == di
        rows_mask = persons_mask[inv]
        _compute_day(p, day, r[rows_mask], add[rows_mask], amp[rows_mask], tp[rows_mask],
                     cause_c[rows_mask], context_c[rows_mask], inv[rows_mask], unit, S,
                     eligible, raw_rate, global_rate, degrees, points, amount_cents, fallback)
    fallback |= force_scalar

    if fallback.any():
        rows_by_person = np.argsort(inv, kind="stable")
        bounds = np.searchsorted(inv[rows_by_person], np.arange(n_p + 1))
        inv_cause = {v: k for k, v in CAUSE_CODES.items()}
        inv_ctx = {v: k for k, v in CONTEXT_CODES.items()}
        for pi in np.flatnonzero(fallback):
            rows = rows_by_person[bounds[pi]:bounds[pi + 1]]
            case = PmiCase(days[int(person_day[pi])], tuple(
                Infirmity(f"#{j}", Decimal(str(rate_f[j])), inv_cause[int(cause_c[j])],
                          inv_ctx[int(context_c[j])],
                          amputation_without_prosthesis=bool(amp[j]),
                          arithmetic_addition=Decimal(str(add_f[j])),
                          third_person=bool(tp[j])) for j in rows),
                grade=str(person_grade[pi]), left_service=bool(left[first_row[pi]]))
            res = compute_pmi(case, p)
            eligible[pi], raw_rate[pi] = res.eligible, float(res.raw_rate)
            global_rate[pi], degrees[pi] = res.global_rate, res.degrees
            points[pi] = float(res.points)
            amount_cents[pi] = int(res.annual_amount_eur * 100)

    return BatchResult(uniq, eligible, raw_rate, global_rate, degrees, points,
                       amount_cents / 100.0)


def _codes(values: npt.ArrayLike, mapping: dict[str, int], name: str, n: int) -> IntArray:
    arr = np.asarray(values)
    if arr.shape[0] != n:
        raise InputError(name, "must have one value per row")
    if arr.dtype.kind in "iu":
        if n and (arr.min() < 0 or arr.max() >= len(mapping)):
            raise InputError(name, f"codes must be 0..{len(mapping) - 1}")
        return arr.astype(np.int64)
    out = np.full(n, -1, dtype=np.int64)
    for text, code in mapping.items():
        out[arr == text] = code
    if np.any(out < 0):
        bad = int(np.flatnonzero(out < 0)[0])
        raise InputError(f"{name} (row {bad + 1})",
                         f"'{arr[bad]}' is not one of {', '.join(mapping)}")
    return out


@dataclass
class _Day:
    """Parameters in force on one day, at the integer scale of the batch."""
    unit: int
    S: int
    trigger: int
    step: int
    cap: int
    rstep: int
    mode: str
    compares_raw: bool
    deg_size: int
    deg_cap: int
    deg_mode: str


@dataclass
class _Chain:
    persons: IntArray
    starts: IntArray
    counts: IntArray
    g: IntArray
    raw: FloatArray
    left: IntArray
    D: IntArray
    full: BoolArray
    deg: IntArray
    too_long: BoolArray

    def reaches(self, threshold: IntArray, c: _Day) -> BoolArray:
        ok = (self.left >= threshold * (self.D // 100)) if c.compares_raw \
            else (self.g >= threshold)
        return np.where(self.full, c.cap >= threshold, ok)


def _chain(r: IntArray, inv: IntArray, c: _Day) -> _Chain:
    """Global rate of each person's rows (sorted by person, then decreasing rate)."""
    starts = np.flatnonzero(np.r_[True, inv[1:] != inv[:-1]])
    persons = inv[starts]
    counts = np.diff(np.r_[starts, r.size])
    rank = np.arange(r.size) - np.repeat(starts, counts)
    principal = np.repeat(r[starts], counts)
    unit, S = c.unit, c.S

    # Beyond 100 % (L125-10) for persons whose principal infirmity is at the cap.
    full = r[starts] >= c.cap * unit
    with_maj = np.repeat((counts - 1) >= 2, counts)
    maj = np.where((rank >= 1) & with_maj, c.step * rank, 0)
    contrib_full = np.where(rank >= 1, r + maj, 0)
    cum = np.cumsum(contrib_full)
    cum_before = cum - contrib_full - np.repeat(cum[starts] - contrib_full[starts], counts)
    maj_capped = np.where(cum_before >= c.deg_cap, np.minimum(maj, r), maj)
    contrib = np.where(rank >= 1, r + maj_capped, 0)
    deg_total = np.add.reduceat(contrib, starts)
    deg = deg_total // c.deg_size if c.deg_mode == "down" else -((-deg_total) // c.deg_size)

    # Remaining validity (L125-8) in exact integers: V = Π (S − raised), D = S^n.
    raised = np.where(rank == 0, r,
                      np.where(principal >= c.trigger, np.minimum(r + c.step * rank, S), r))
    max_n = int(np.floor(np.log(float(INT64_MAX)) / np.log(float(S))))
    too_long = counts > max_n
    V = np.multiply.reduceat(np.where(np.repeat(too_long, counts), 1, S - raised), starts)
    D = np.ones_like(V)
    for j in range(1, max_n + 1):
        D = np.where(counts >= j, D * S, D)
    left = D - V  # the invalidity, as a fraction of D
    step_unit = (D // 100) * c.rstep
    if c.mode == "up":
        g = -((-left) // step_unit) * c.rstep
    elif c.mode == "down":
        g = (left // step_unit) * c.rstep
    else:
        g = ((left + step_unit // 2) // step_unit) * c.rstep
    g = np.minimum(g, c.cap)
    raw = 100.0 * left.astype(np.float64) / D.astype(np.float64)
    g = np.where(full, c.cap, g)
    raw = np.where(full, float(c.cap), raw)
    deg = np.where(full, deg, 0)
    return _Chain(persons, starts, counts, g, raw, left, D, full, deg, too_long & ~full)


def _compute_day(p: Parameters, day: dt.date, r: IntArray, add: IntArray, amp: BoolArray,
                 tp: BoolArray, cause: IntArray, context: IntArray, inv: IntArray, unit: int,
                 S: int, eligible: BoolArray, raw_rate: FloatArray, global_rate: IntArray,
                 degrees: IntArray, points: FloatArray, amount_cents: IntArray,
                 fallback: BoolArray) -> None:
    pv = Decimal(in_force(p, "fr.point_value", day, field="date"))
    pv_cents = int(pv * 100)
    c = _Day(unit=unit, S=S, trigger=_param_int(p, "fr.majoration_trigger", day, unit),
             step=_param_int(p, "fr.majoration_step", day, unit),
             cap=_param_int(p, "fr.rate_cap", day),
             rstep=_param_int(p, "fr.rounding_step", day),
             mode=str(p.at("fr.rounding_mode", day)),
             compares_raw=bool(p.at("fr.threshold_compares_raw_rate", day)),
             deg_size=_param_int(p, "fr.degree_size", day, unit),
             deg_cap=_param_int(p, "fr.degree_majoration_cap", day) *
             _param_int(p, "fr.degree_size", day, unit),
             deg_mode=str(p.at("fr.degree_rounding", day)))
    floor = _param_int(p, "fr.infirmity_floor", day, unit)
    privileged_ctx = [CONTEXT_CODES[x] for x in p.at("fr.privileged_disease_contexts", day)]
    t_inj = _param_int(p, "fr.threshold_injury", day)
    t_single = _param_int(p, "fr.threshold_disease_single", day)
    t_multi = _param_int(p, "fr.threshold_disease_multiple", day)
    t_mixed = _param_int(p, "fr.threshold_mixed", day)
    rule = str(p.get("fr.ordinary_diseases_added_when", day, "mixed"))
    deg_points = _param_int(p, "fr.degree_points", day)
    a5_base = _param_int(p, "fr.allocation_5_base", day)
    a5_deg = _param_int(p, "fr.allocation_5_per_degree", day)
    a5bis = _param_int(p, "fr.allocation_5bis", day)
    amp_add = int(Decimal(p.get("fr.amputation_without_prosthesis_addition", day, 0)) * unit)
    tp_min = _param_int(p, "fr.third_person_min_rate", day)
    f_one = Fraction(str(p.at("fr.third_person_fraction", day)))
    f_two = Fraction(str(p.get("fr.third_person_two_infirmities_fraction", day,
                               p.at("fr.third_person_fraction", day))))
    base_with_degrees = str(p.get("fr.third_person_base", day, "principal")) == \
        "principal_and_degrees"
    den = lcm(f_one.denominator, f_two.denominator)
    principal_tab = np.zeros(101, dtype=np.int64)
    for rate_key, v in p.at("fr.soldier_principal_points", day).items():
        principal_tab[int(rate_key)] = int(v)
    gi_tab = np.zeros(101, dtype=np.int64)
    for rate_key, v in p.at("fr.grand_invalide_points", day).items():
        gi_tab[int(rate_key)] = int(v)
    has_a6 = "fr.allocation_6_per_degree" in p.params
    has_a4bis = "fr.allocation_4bis_points" in p.params

    # Own rates with the L125-9 additions, capped at 100 %, then the per-infirmity floor.
    eff = np.minimum(r + add + np.where(amp, amp_add, 0), c.cap * unit)
    keep = eff >= floor
    eff, tp, cause, context, inv = eff[keep], tp[keep], cause[keep], context[keep], inv[keep]
    if eff.size == 0:
        return
    order = np.lexsort((-eff, inv))
    eff, tp, cause, context, inv = eff[order], tp[order], cause[order], context[order], \
        inv[order]
    ordinary = (cause == 1) & ~np.isin(context, privileged_ctx)

    ch = _chain(eff, inv, c)
    starts, counts = ch.starts, ch.counts
    n_ord = np.add.reduceat(ordinary.astype(np.int64), starts)
    n_priv = counts - n_ord
    n_priv_injury = np.add.reduceat((cause == 0).astype(np.int64), starts)
    mixed_thr = np.where((n_priv_injury == 0) & (rule == "disease_multiple"), t_multi, t_mixed)
    threshold = np.where(n_ord == 0, t_inj,
                         np.where(n_priv == 0, np.where(n_ord == 1, t_single, t_multi),
                                  mixed_thr))
    reaches = ch.reaches(threshold, c)
    g, raw, deg, full, too_long = ch.g, ch.raw, ch.deg, ch.full, ch.too_long

    # L121-5 1° / 2°: mixed cases below the threshold keep the privileged infirmities alone.
    redo = (n_ord > 0) & (n_priv > 0) & ~reaches & ~too_long
    redo_rows = np.repeat(redo, counts)
    retained = ~redo_rows | ~ordinary
    if redo.any():
        sel = redo_rows & ~ordinary
        sub = _chain(eff[sel], inv[sel], c)
        where = np.flatnonzero(redo)  # positions in ch.persons (same order as sub.persons)
        g, raw, deg, full = g.copy(), raw.copy(), deg.copy(), full.copy()
        reaches = reaches.copy()
        g[where], raw[where], deg[where], full[where] = sub.g, sub.raw, sub.deg, sub.full
        reaches[where] = sub.reaches(np.full(where.size, t_inj, dtype=np.int64), c)

    # Points: principal, degrees, allowances, third person — as integers over `den`.
    ret = retained.astype(np.int64)
    n_ret = np.add.reduceat(ret, starts)
    n_alone = np.add.reduceat((tp & retained).astype(np.int64), starts)
    max_ret = np.maximum.reduceat(np.where(retained, eff, 0), starts)
    sum_ret = np.add.reduceat(np.where(retained, eff, 0), starts)
    beyond = full & (n_ret > 1)
    principal = principal_tab[g]
    deg_pts = np.where(deg > 0, deg * deg_points, 0)
    third = (n_alone > 0) & (g >= tp_min)
    allowance = np.maximum(gi_tab[g], np.where(deg > 0, a5_base + a5_deg * np.maximum(deg - 1,
                                                                                      0), 0))
    allowance = np.where(third, np.maximum(allowance, a5bis), allowance)
    pts = principal + deg_pts + allowance
    if has_a6:
        a6_per = _param_int(p, "fr.allocation_6_per_degree", day)
        a6_two = _param_int(p, "fr.allocation_6_two_infirmities", day)
        extra = p.at("fr.allocation_6_extra_per_degree_beyond", day)
        a6 = np.where(n_alone >= 2,
                      a6_two + int(extra["points"]) * np.maximum(deg - int(extra["from_degree"]),
                                                                 0),
                      a6_per * deg)
        pts = pts + np.where(third & (deg > 0), a6, 0)
    if has_a4bis:
        bands = p.at("fr.allocation_4bis_points", day)
        band_starts = np.array(sorted(int(b) for b in bands), dtype=np.int64)
        band_pts = np.r_[0, [int(bands[b]) for b in sorted(bands, key=int)]].astype(np.int64)
        summed = -((-sum_ret) // (c.rstep * unit)) * c.rstep
        a4bis = band_pts[np.searchsorted(band_starts, summed, side="right")]
        ok4 = ~third & (deg == 0) & ~beyond & (n_ret >= 2) & \
            (g >= _param_int(p, "fr.allocation_4bis_min_rate", day)) & \
            (max_ret >= _param_int(p, "fr.allocation_4bis_min_principal", day, unit))
        pts = pts + np.where(ok4, a4bis, 0)
    base = principal + (deg_pts if base_with_degrees else 0)
    frac = np.where(n_alone >= 2, f_two.numerator * (den // f_two.denominator),
                    f_one.numerator * (den // f_one.denominator))
    pts_den = pts * den + np.where(third, base * frac, 0)
    pts_den = np.where(reaches, pts_den, 0)

    ok = ~too_long
    idx = ch.persons[ok]
    eligible[idx] = reaches[ok]
    raw_rate[idx] = raw[ok]
    global_rate[idx] = g[ok]
    degrees[idx] = deg[ok]
    points[idx] = pts_den[ok] / den
    amount_cents[idx] = (2 * pts_den[ok] * pv_cents + den) // (2 * den)
    fallback[ch.persons[~ok]] = True


def read_table(path: str) -> dict[str, npt.NDArray[Any]]:
    """Read a CSV or Parquet file of infirmities into numpy columns (via polars). Required:
    person_id, rate, cause, context; optional: date, arithmetic_addition,
    amputation_without_prosthesis, third_person, grade, left_service."""
    import polars as pl

    if path.endswith(".parquet"):
        df = pl.read_parquet(path)
    else:
        df = pl.read_csv(path, infer_schema_length=10000, encoding="utf8-lossy")
    missing = [c for c in ("person_id", "rate", "cause", "context") if c not in df.columns]
    if missing:
        raise InputError(missing[0], "missing column")
    try:
        rate = df["rate"].cast(pl.Float64).to_numpy()
    except pl.exceptions.PolarsError as exc:
        raise InputError("rate", "must be numbers") from exc
    cols: dict[str, npt.NDArray[Any]] = {
        "person_id": df["person_id"].to_numpy(),
        "rate": rate,
        "cause": df["cause"].cast(pl.Utf8).to_numpy(),
        "context": df["context"].cast(pl.Utf8).to_numpy(),
    }
    if "arithmetic_addition" in df.columns:
        try:
            cols["arithmetic_addition"] = df["arithmetic_addition"].cast(pl.Float64) \
                .fill_null(0).to_numpy()
        except pl.exceptions.PolarsError as exc:
            raise InputError("arithmetic_addition", "must be numbers") from exc
    for name in ("amputation_without_prosthesis", "third_person", "left_service"):
        if name in df.columns:
            cols[name] = df[name].cast(pl.Utf8).fill_null("false").to_numpy()
    if "grade" in df.columns:
        cols["grade"] = df["grade"].cast(pl.Utf8).fill_null("soldier").to_numpy()
    if "date" in df.columns:
        try:
            cols["date"] = df["date"].cast(pl.Utf8).str.to_date("%Y-%m-%d").to_numpy()
        except pl.exceptions.PolarsError as exc:
            raise InputError("date", "must be dates as YYYY-MM-DD") from exc
    return cols


def write_table(result: BatchResult, path: str) -> None:
    import polars as pl

    df = pl.DataFrame({k: v for k, v in result.as_columns().items() if k != "degrees"})
    if path.endswith(".parquet"):
        df.write_parquet(path)
    else:
        df.write_csv(path)
