"""The French PMI formulas over a whole population: a compiled kernel, or numpy arrays.

Two paths give the same results: `kernel.py` (numba, one pass person by person, used when
numba loads) and the numpy path below (whole-array operations, used otherwise).

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
import warnings
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
from .parameters import Parameters, given

try:  # the compiled kernel; without numba (e.g. an unsupported platform) the numpy path
    from . import kernel as _kernel
except Exception as exc:  # noqa: BLE001 - any failure to load numba means the numpy path
    _kernel = None  # type: ignore[assignment]
    warnings.warn(
        f"numba is unavailable ({exc!r}): the rules batch uses the slower numpy "
        "path (same results)",
        RuntimeWarning,
        stacklevel=2,
    )

CAUSE_CODES = {"injury": 0, "disease": 1}
CONTEXT_CODES = {"peace": 0, "war": 1, "opex": 2, "captivity": 3}
INT64_MAX = np.iinfo(np.int64).max
OPTIONAL_COLUMNS = (
    "arithmetic_addition",
    "amputation_without_prosthesis",
    "third_person",
    "grade",
    "left_service",
)

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
        return {
            "person_id": self.person_id,
            "eligible": self.eligible,
            "raw_rate": self.raw_rate,
            "global_rate": self.global_rate,
            "degrees": self.degrees,
            "points": self.points,
            "annual_amount_eur": self.annual_amount_eur,
        }


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


def compute_pmi_batch(
    person_id: npt.NDArray[Any],
    rate: npt.ArrayLike,
    cause: npt.ArrayLike,
    context: npt.ArrayLike,
    date: dt.date | npt.NDArray[Any],
    params: Parameters,
    *,
    arithmetic_addition: npt.ArrayLike | None = None,
    amputation_without_prosthesis: npt.ArrayLike | None = None,
    third_person: npt.ArrayLike | None = None,
    grade: npt.ArrayLike | None = None,
    left_service: npt.ArrayLike | None = None,
) -> BatchResult:
    """One row per infirmity. `cause` and `context` are codes (see CAUSE_CODES,
    CONTEXT_CODES) or strings; `date` is one date for all, or one per row (the first row of
    each person gives the person's date, as for `grade` and `left_service`). The optional
    columns have the meaning of the fr-pmi keys of the same name (default: 0, false,
    'soldier', false). `params`: the French parameter set (loaded by the caller, e.g.
    `parameters.default_set("fr")`, or a reform overlay). Runs the compiled kernel
    (`kernel.py`) when numba is available, else the numpy path; both give the same results."""
    return _batch(
        person_id,
        rate,
        cause,
        context,
        date,
        params,
        arithmetic_addition=arithmetic_addition,
        amputation_without_prosthesis=amputation_without_prosthesis,
        third_person=third_person,
        grade=grade,
        left_service=left_service,
        use_kernel=_kernel is not None,
    )


def _batch(
    person_id: npt.NDArray[Any],
    rate: npt.ArrayLike,
    cause: npt.ArrayLike,
    context: npt.ArrayLike,
    date: dt.date | npt.NDArray[Any],
    params: Parameters,
    *,
    arithmetic_addition: npt.ArrayLike | None,
    amputation_without_prosthesis: npt.ArrayLike | None,
    third_person: npt.ArrayLike | None,
    grade: npt.ArrayLike | None,
    left_service: npt.ArrayLike | None,
    use_kernel: bool,
) -> BatchResult:
    p = given(params, "fr")
    use_kernel = use_kernel and _kernel is not None
    rate_f = np.asarray(rate, dtype=np.float64)
    n_rows = rate_f.shape[0]
    # With the kernel, integer codes are range-checked in its first pass over the rows.
    cause_c = _codes(cause, CAUSE_CODES, "cause", n_rows, check=not use_kernel)
    context_c = _codes(context, CONTEXT_CODES, "context", n_rows, check=not use_kernel)
    # Columns not given stay None (no array of zeros to fill and read).
    has_add = arithmetic_addition is not None
    add_f = (
        None if arithmetic_addition is None else np.asarray(arithmetic_addition, dtype=np.float64)
    )
    if add_f is not None and add_f.shape != (n_rows,):
        raise InputError("arithmetic_addition", "must have one value per row")
    pid = np.asarray(person_id)
    if pid.shape != (n_rows,):
        raise InputError("person_id", "must have one value per row")
    bounds = None  # the persons' row boundaries, when the first pass finds the ids grouped
    if use_kernel and _kernel is not None:
        keys = _int_keys(pid)
        bad_cause, bad_context, bad_rate, bad_add, rmask, amask, bounds = _kernel.scan_rows(
            _ro(np.empty(0, np.int64) if keys is None else keys),
            keys is not None,
            _ro(rate_f),
            _ro(rate_f if add_f is None else add_f),
            has_add,
            _ro(cause_c),
            _ro(context_c),
            len(CAUSE_CODES),
            len(CONTEXT_CODES),
        )
        if bad_cause >= 0:
            raise InputError("cause", f"codes must be 0..{len(CAUSE_CODES) - 1}")
        if bad_context >= 0:
            raise InputError("context", f"codes must be 0..{len(CONTEXT_CODES) - 1}")
    else:
        bad_rate, bad_add, rmask, amask = _scan_rates(
            rate_f, rate_f if add_f is None else add_f, has_add
        )
    if bad_rate >= 0:
        raise InputError(f"rate (row {bad_rate + 1})", "must be greater than 0 and at most 100")
    if bad_add >= 0:
        raise InputError(f"arithmetic_addition (row {bad_add + 1})", "must be from 0 to 100")
    amp = (
        None
        if amputation_without_prosthesis is None
        else _flags(amputation_without_prosthesis, "amputation_without_prosthesis", n_rows)
    )
    tp = None if third_person is None else _flags(third_person, "third_person", n_rows)
    left = None if left_service is None else _flags(left_service, "left_service", n_rows)
    grades = None if grade is None else np.asarray(grade).astype(str)
    if grades is not None and grades.shape != (n_rows,):
        raise InputError("grade", "must have one value per row")

    # Persons: `bounds` delimits each one's rows in `order` (None: the rows are already
    # grouped by sorted person_id, the usual case of an extract, read without a sort).
    if bounds is not None and bounds.size:
        uniq, order, first_row = pid[bounds[:-1]], None, bounds[:-1]
    else:
        # Integer ids the first pass found out of order are sorted without checking again.
        uniq, order, bounds, first_row = _group(pid, use_kernel, checked=bounds is not None)
    n_p = uniq.shape[0]

    # Dates: one per person (from its first row), grouped so parameters are read once a date.
    if isinstance(date, dt.date):
        person_day = np.zeros(n_p, dtype=np.int64)
        days = [date]
    else:
        row_dates = np.asarray(date)
        days_arr, person_day = np.unique(row_dates[first_row], return_inverse=True)
        days = [
            d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10])
            for d in days_arr.tolist()
        ]
        person_day = person_day.astype(np.int64)

    # Grades: unknown ones are refused (review row 42); a grade other than soldier for someone
    # who left the service goes through the scalar path (sparse Annexe 1 tables).
    force_scalar = None
    person_grade = None  # everyone a soldier
    if grades is not None:
        person_grade = grades[first_row]
        for g_name in np.unique(person_grade).tolist():
            for day in days:
                check_grade(g_name, p, day)
        if left is not None:
            force_scalar = left[first_row] & (person_grade != "soldier")

    # The fewest decimals that express every rate, and every addition (bit k of a mask: all
    # values × 10^k are whole numbers, give or take float noise).
    scales = [[k for k in (0, 1, 2) if mask & (1 << k)] for mask in (rmask, amask)]
    if not scales[0] or not scales[1]:
        raise InputError("rate", "rates may have at most 2 decimals")
    unit = 10 ** max(scales[0][0], scales[1][0])  # scaled units per percentage point
    S = 100 * unit

    # The kernel writes every person's outputs; the numpy path writes only the persons with
    # a counted infirmity, so it starts from zeros.
    new = np.empty if use_kernel and _kernel is not None else np.zeros
    eligible = new(n_p, dtype=bool)
    raw_rate = new(n_p, dtype=np.float64)
    global_rate = new(n_p, dtype=np.int64)
    degrees = new(n_p, dtype=np.int64)
    points = new(n_p, dtype=np.float64)
    amount_cents = new(n_p, dtype=np.int64)
    fallback = new(n_p, dtype=bool)
    day_params = [_day_params(p, day, unit) for day in days]

    if use_kernel and _kernel is not None:
        tables = _kernel_tables(day_params)
        max_n = int(np.floor(np.log(float(INT64_MAX)) / np.log(float(S))))
        none = np.zeros(1, dtype=bool)
        _kernel.pmi_persons(
            _ro(rate_f),
            _ro(rate_f if add_f is None else add_f),
            has_add,
            _ro(none if amp is None else amp),
            amp is not None,
            _ro(none if tp is None else tp),
            tp is not None,
            _ro(cause_c),
            _ro(context_c),
            _ro(np.empty(0, np.int64) if order is None else order),
            order is not None,
            _ro(bounds),
            _ro(person_day),
            *tables,
            unit,
            max_n,
            eligible,
            raw_rate,
            global_rate,
            degrees,
            points,
            amount_cents,
            fallback,
        )
    else:
        counts = np.diff(bounds)
        inv = np.empty(n_rows, dtype=np.int64)
        inv[slice(None) if order is None else order] = np.repeat(np.arange(n_p), counts)
        r = np.round(rate_f * unit).astype(np.int64)
        add = (
            np.zeros(n_rows, dtype=np.int64)
            if add_f is None
            else np.round(add_f * unit).astype(np.int64)
        )
        if amp is None:
            amp = np.zeros(n_rows, dtype=bool)
        if tp is None:
            tp = np.zeros(n_rows, dtype=bool)
        for di, dp in enumerate(day_params):
            persons_mask = person_day == di
            rows_mask = persons_mask[inv]
            _compute_day(
                dp,
                r[rows_mask],
                add[rows_mask],
                amp[rows_mask],
                tp[rows_mask],
                cause_c[rows_mask],
                context_c[rows_mask],
                inv[rows_mask],
                unit,
                S,
                eligible,
                raw_rate,
                global_rate,
                degrees,
                points,
                amount_cents,
                fallback,
            )
    if force_scalar is not None:
        fallback |= force_scalar

    if fallback.any():
        rows_by_person = np.arange(n_rows) if order is None else order
        inv_cause = {v: k for k, v in CAUSE_CODES.items()}
        inv_ctx = {v: k for k, v in CONTEXT_CODES.items()}
        for pi in np.flatnonzero(fallback):
            rows = rows_by_person[bounds[pi] : bounds[pi + 1]]
            case = PmiCase(
                days[int(person_day[pi])],
                tuple(
                    Infirmity(
                        f"#{j}",
                        Decimal(str(rate_f[j])),
                        inv_cause[int(cause_c[j])],
                        inv_ctx[int(context_c[j])],
                        amputation_without_prosthesis=amp is not None and bool(amp[j]),
                        arithmetic_addition=Decimal(0 if add_f is None else str(add_f[j])),
                        third_person=tp is not None and bool(tp[j]),
                    )
                    for j in rows
                ),
                grade="soldier" if person_grade is None else str(person_grade[pi]),
                left_service=left is not None and bool(left[first_row[pi]]),
            )
            res = compute_pmi(case, p)
            eligible[pi], raw_rate[pi] = res.eligible, float(res.raw_rate)
            global_rate[pi], degrees[pi] = res.global_rate, res.degrees
            points[pi] = float(res.points)
            amount_cents[pi] = int(res.annual_amount_eur * 100)

    return BatchResult(uniq, eligible, raw_rate, global_rate, degrees, points, amount_cents / 100.0)


def _scan_rates(
    rate: FloatArray,
    add: FloatArray,
    has_add: bool,
) -> tuple[int, int, int, int]:
    """The numpy twin of `kernel.scan_rows`: first bad rate / addition and the scale masks."""
    bad = ~np.isfinite(rate) | (rate <= 0) | (rate > 100)
    bad_rate = int(np.flatnonzero(bad)[0]) if bad.any() else -1
    bad_a = ~np.isfinite(add) | (add < 0) | (add > 100)
    bad_add = int(np.flatnonzero(bad_a)[0]) if has_add and bad_a.any() else -1
    masks = [0, 0]
    for i, x in enumerate((rate, add)):
        for k in (0, 1, 2):
            scaled = x * 10**k
            ok = bool(np.all(np.abs(scaled - np.floor(scaled + 0.5)) < 1e-6))
            masks[i] |= ok << k
    return bad_rate, bad_add, masks[0], masks[1] if has_add else 7


def _ro(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A read-only C-contiguous view (a copy only if the array is strided): every input of
    the kernel has the same numba type whoever calls, so it is compiled and cached once."""
    view = np.ascontiguousarray(a).view()
    view.setflags(write=False)
    return view


def _int_keys(pid: npt.NDArray[Any]) -> IntArray | None:
    """The ids as int64 keys the kernel can group, or None (text, float or huge ids)."""
    if (
        pid.dtype.kind in "iu"
        and pid.size
        and (pid.dtype.kind == "i" or int(pid.max()) <= INT64_MAX)
    ):
        return pid.astype(np.int64, copy=False)
    return None


def _group(
    pid: npt.NDArray[Any],
    use_kernel: bool,
    *,
    checked: bool = False,
) -> tuple[npt.NDArray[Any], IntArray | None, IntArray, IntArray]:
    """Persons (sorted unique ids), the row order grouping them (None if the rows already
    are), the bounds of each person's rows in that order, and each person's first row.
    `checked`: the kernel's first pass already found the ids not grouped."""
    keys = _int_keys(pid) if use_kernel and _kernel is not None else None
    if keys is not None and _kernel is not None:
        if not checked:
            bounds = _kernel.group_bounds(_ro(keys))
            if bounds.size:
                return pid[bounds[:-1]], None, bounds, bounds[:-1]
        order = np.argsort(keys, kind="stable").astype(np.int64, copy=False)
        bounds = _kernel.group_bounds(_ro(keys[order]))
        return pid[order[bounds[:-1]]], order, bounds, order[bounds[:-1]]
    uniq, first_row, inv = np.unique(pid, return_index=True, return_inverse=True)
    inv = inv.reshape(-1).astype(np.int64)
    order = np.argsort(inv, kind="stable").astype(np.int64, copy=False)
    bounds = np.r_[0, np.cumsum(np.bincount(inv, minlength=uniq.shape[0]))].astype(np.int64)
    return uniq, order, bounds, first_row.astype(np.int64)


def _codes(
    values: npt.ArrayLike, mapping: dict[str, int], name: str, n: int, *, check: bool = True
) -> IntArray:
    arr = np.asarray(values)
    if arr.shape[0] != n:
        raise InputError(name, "must have one value per row")
    if arr.dtype.kind in "iu":
        if check and n and (arr.min() < 0 or arr.max() >= len(mapping)):
            raise InputError(name, f"codes must be 0..{len(mapping) - 1}")
        return arr.astype(np.int64, copy=False)
    out = np.full(n, -1, dtype=np.int64)
    for text, code in mapping.items():
        out[arr == text] = code
    if np.any(out < 0):
        bad = int(np.flatnonzero(out < 0)[0])
        raise InputError(
            f"{name} (row {bad + 1})", f"'{arr[bad]}' is not one of {', '.join(mapping)}"
        )
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
        ok = (self.left >= threshold * (self.D // 100)) if c.compares_raw else (self.g >= threshold)
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
    raised = np.where(
        rank == 0, r, np.where(principal >= c.trigger, np.minimum(r + c.step * rank, S), r)
    )
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


@dataclass
class _DayParams:
    """Everything the batch reads from the parameters in force on one day, as integers at
    the scale of the batch (rates × unit); shared by the numpy path and the kernel."""

    c: _Day
    pv_cents: int
    floor: int
    privileged_ctx: list[int]
    t_inj: int
    t_single: int
    t_multi: int
    t_mixed: int
    rule: str
    deg_points: int
    a5_base: int
    a5_deg: int
    a5bis: int
    amp_add: int
    tp_min: int
    f_one: Fraction
    f_two: Fraction
    base_with_degrees: bool
    den: int
    principal_tab: IntArray
    gi_tab: IntArray
    a6: tuple[int, int, int, int] | None  # per degree, two infirmities, extra, from degree
    a4bis: tuple[IntArray, IntArray, int, int] | None  # band starts, points, min rate, min 1st


def _day_params(p: Parameters, day: dt.date, unit: int) -> _DayParams:
    pv = Decimal(in_force(p, "fr.point_value", day, field="date"))
    pv_cents = int(pv * 100)
    c = _Day(
        unit=unit,
        S=100 * unit,
        trigger=_param_int(p, "fr.majoration_trigger", day, unit),
        step=_param_int(p, "fr.majoration_step", day, unit),
        cap=_param_int(p, "fr.rate_cap", day),
        rstep=_param_int(p, "fr.rounding_step", day),
        mode=str(p.at("fr.rounding_mode", day)),
        compares_raw=bool(p.at("fr.threshold_compares_raw_rate", day)),
        deg_size=_param_int(p, "fr.degree_size", day, unit),
        deg_cap=_param_int(p, "fr.degree_majoration_cap", day)
        * _param_int(p, "fr.degree_size", day, unit),
        deg_mode=str(p.at("fr.degree_rounding", day)),
    )
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
    f_two = Fraction(
        str(
            p.get(
                "fr.third_person_two_infirmities_fraction",
                day,
                p.at("fr.third_person_fraction", day),
            )
        )
    )
    base_with_degrees = (
        str(p.get("fr.third_person_base", day, "principal")) == "principal_and_degrees"
    )
    den = lcm(f_one.denominator, f_two.denominator)
    principal_tab = np.zeros(101, dtype=np.int64)
    for rate_key, v in p.at("fr.soldier_principal_points", day).items():
        principal_tab[int(rate_key)] = int(v)
    gi_tab = np.zeros(101, dtype=np.int64)
    for rate_key, v in p.at("fr.grand_invalide_points", day).items():
        gi_tab[int(rate_key)] = int(v)
    a6 = None
    if "fr.allocation_6_per_degree" in p.params:
        extra = p.at("fr.allocation_6_extra_per_degree_beyond", day)
        a6 = (
            _param_int(p, "fr.allocation_6_per_degree", day),
            _param_int(p, "fr.allocation_6_two_infirmities", day),
            int(extra["points"]),
            int(extra["from_degree"]),
        )
    a4bis = None
    if "fr.allocation_4bis_points" in p.params:
        bands = p.at("fr.allocation_4bis_points", day)
        band_starts = np.array(sorted(int(b) for b in bands), dtype=np.int64)
        band_pts = np.r_[0, [int(bands[b]) for b in sorted(bands, key=int)]].astype(np.int64)
        a4bis = (
            band_starts,
            band_pts,
            _param_int(p, "fr.allocation_4bis_min_rate", day),
            _param_int(p, "fr.allocation_4bis_min_principal", day, unit),
        )
    return _DayParams(
        c,
        pv_cents,
        floor,
        privileged_ctx,
        t_inj,
        t_single,
        t_multi,
        t_mixed,
        rule,
        deg_points,
        a5_base,
        a5_deg,
        a5bis,
        amp_add,
        tp_min,
        f_one,
        f_two,
        base_with_degrees,
        den,
        principal_tab,
        gi_tab,
        a6,
        a4bis,
    )


def _kernel_tables(
    days: list[_DayParams],
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    """The per-day parameter rows and tables of `kernel.pmi_persons`."""
    assert _kernel is not None
    kn = _kernel
    n_bands = max([len(d.a4bis[0]) for d in days if d.a4bis is not None] + [0])
    rows = np.zeros((len(days), kn.N_PARAMS), dtype=np.int64)
    principal = np.zeros((len(days), 101), dtype=np.int64)
    gi = np.zeros((len(days), 101), dtype=np.int64)
    starts = np.zeros((len(days), max(n_bands, 1)), dtype=np.int64)
    pts = np.zeros((len(days), n_bands + 1), dtype=np.int64)
    for i, d in enumerate(days):
        c = d.c
        row = rows[i]
        row[kn.P_TRIGGER], row[kn.P_STEP], row[kn.P_CAP] = c.trigger, c.step, c.cap
        row[kn.P_RSTEP] = c.rstep
        row[kn.P_MODE] = {"up": kn.MODE_UP, "down": kn.MODE_DOWN}.get(c.mode, kn.MODE_NEAREST)
        row[kn.P_COMPARES_RAW] = c.compares_raw
        row[kn.P_DEG_SIZE], row[kn.P_DEG_CAP] = c.deg_size, c.deg_cap
        row[kn.P_DEG_DOWN] = c.deg_mode == "down"
        row[kn.P_FLOOR] = d.floor
        row[kn.P_T_INJ], row[kn.P_T_SINGLE] = d.t_inj, d.t_single
        row[kn.P_T_MULTI], row[kn.P_T_MIXED] = d.t_multi, d.t_mixed
        row[kn.P_RULE_DM] = d.rule == "disease_multiple"
        row[kn.P_DEG_POINTS] = d.deg_points
        row[kn.P_A5_BASE], row[kn.P_A5_DEG], row[kn.P_A5BIS] = d.a5_base, d.a5_deg, d.a5bis
        row[kn.P_AMP_ADD], row[kn.P_TP_MIN] = d.amp_add, d.tp_min
        row[kn.P_DEN] = d.den
        row[kn.P_FRAC_ONE] = d.f_one.numerator * (d.den // d.f_one.denominator)
        row[kn.P_FRAC_TWO] = d.f_two.numerator * (d.den // d.f_two.denominator)
        row[kn.P_BASE_WITH_DEG] = d.base_with_degrees
        if d.a6 is not None:
            row[kn.P_HAS_A6] = 1
            row[kn.P_A6_PER], row[kn.P_A6_TWO], row[kn.P_A6_EXTRA], row[kn.P_A6_FROM] = d.a6
        if d.a4bis is not None:
            b_starts, b_pts, min_rate, min_principal = d.a4bis
            row[kn.P_HAS_A4BIS] = 1
            row[kn.P_A4_MIN_RATE], row[kn.P_A4_MIN_PRINCIPAL] = min_rate, min_principal
            row[kn.P_N_BANDS] = len(b_starts)
            starts[i, : len(b_starts)] = b_starts
            pts[i, : len(b_pts)] = b_pts
        row[kn.P_PV_CENTS] = d.pv_cents
        row[kn.P_PRIV_MASK] = sum(1 << x for x in set(d.privileged_ctx))
        principal[i], gi[i] = d.principal_tab, d.gi_tab
    return _ro(rows), _ro(principal), _ro(gi), _ro(starts), _ro(pts)


def _compute_day(
    dp: _DayParams,
    r: IntArray,
    add: IntArray,
    amp: BoolArray,
    tp: BoolArray,
    cause: IntArray,
    context: IntArray,
    inv: IntArray,
    unit: int,
    S: int,
    eligible: BoolArray,
    raw_rate: FloatArray,
    global_rate: IntArray,
    degrees: IntArray,
    points: FloatArray,
    amount_cents: IntArray,
    fallback: BoolArray,
) -> None:
    c, pv_cents, floor, privileged_ctx = dp.c, dp.pv_cents, dp.floor, dp.privileged_ctx
    t_inj, t_single, t_multi, t_mixed = dp.t_inj, dp.t_single, dp.t_multi, dp.t_mixed
    rule, deg_points, a5_base, a5_deg, a5bis = (
        dp.rule,
        dp.deg_points,
        dp.a5_base,
        dp.a5_deg,
        dp.a5bis,
    )
    amp_add, tp_min, f_one, f_two, den = dp.amp_add, dp.tp_min, dp.f_one, dp.f_two, dp.den
    base_with_degrees, principal_tab, gi_tab = dp.base_with_degrees, dp.principal_tab, dp.gi_tab

    # Own rates with the L125-9 additions, capped at 100 %, then the per-infirmity floor.
    eff = np.minimum(r + add + np.where(amp, amp_add, 0), c.cap * unit)
    keep = eff >= floor
    eff, tp, cause, context, inv = eff[keep], tp[keep], cause[keep], context[keep], inv[keep]
    if eff.size == 0:
        return
    order = np.lexsort((-eff, inv))
    eff, tp, cause, context, inv = eff[order], tp[order], cause[order], context[order], inv[order]
    ordinary = (cause == 1) & ~np.isin(context, privileged_ctx)

    ch = _chain(eff, inv, c)
    starts, counts = ch.starts, ch.counts
    n_ord = np.add.reduceat(ordinary.astype(np.int64), starts)
    n_priv = counts - n_ord
    n_priv_injury = np.add.reduceat((cause == 0).astype(np.int64), starts)
    mixed_thr = np.where((n_priv_injury == 0) & (rule == "disease_multiple"), t_multi, t_mixed)
    threshold = np.where(
        n_ord == 0, t_inj, np.where(n_priv == 0, np.where(n_ord == 1, t_single, t_multi), mixed_thr)
    )
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
    allowance = np.maximum(
        gi_tab[g], np.where(deg > 0, a5_base + a5_deg * np.maximum(deg - 1, 0), 0)
    )
    allowance = np.where(third, np.maximum(allowance, a5bis), allowance)
    pts = principal + deg_pts + allowance
    if dp.a6 is not None:
        a6_per, a6_two, a6_extra, a6_from = dp.a6
        a6 = np.where(n_alone >= 2, a6_two + a6_extra * np.maximum(deg - a6_from, 0), a6_per * deg)
        pts = pts + np.where(third & (deg > 0), a6, 0)
    if dp.a4bis is not None:
        band_starts, band_pts, a4_min_rate, a4_min_principal = dp.a4bis
        summed = -((-sum_ret) // (c.rstep * unit)) * c.rstep
        a4bis = band_pts[np.searchsorted(band_starts, summed, side="right")]
        ok4 = (
            ~third
            & (deg == 0)
            & ~beyond
            & (n_ret >= 2)
            & (g >= a4_min_rate)
            & (max_ret >= a4_min_principal)
        )
        pts = pts + np.where(ok4, a4bis, 0)
    base = principal + (deg_pts if base_with_degrees else 0)
    frac = np.where(
        n_alone >= 2,
        f_two.numerator * (den // f_two.denominator),
        f_one.numerator * (den // f_one.denominator),
    )
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
            cols["arithmetic_addition"] = (
                df["arithmetic_addition"].cast(pl.Float64).fill_null(0).to_numpy()
            )
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
