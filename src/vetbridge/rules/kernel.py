# mypy: ignore-errors
# (numba types this module when it compiles it; mypy cannot follow int64 scalar arithmetic)
"""The French PMI batch as one compiled pass over the infirmities (numba).

The numpy path in `batch.py` makes ~60 passes over whole arrays (sort by person and rate,
cumulative sums, reduceat, where …), each reading and writing millions of values. The law
works person by person on a handful of infirmities, so here each person's rows are read once,
sorted in registers (for the usual extract — ids grouped, no optional column, at most 8 rows
— the rows' keys go through a fixed 19-comparator network), and the whole chain — floor, heads of L121-5,
remaining validity (L125-8) in exact int64, rounding (L125-3), degrees (L125-10), points and
allowances (R125-2, R131-1, L133-1) — is done before moving to the next person. Same integer
arithmetic as the numpy path (rates in units of 10^-k %), so results are identical; the
property test in tests/rules/test_batch.py checks both paths against the scalar one.

Before it, `scan_rows` checks the columns and finds the scale of the rates in one pass of
reductions without branches (vectorised by the compiler), and the persons' row boundaries
when the ids are already grouped.

Parameters in force come in as one int64 row per distinct date (`P_*` columns) plus tables
(principal points, grands invalides allowances, 4 bis bands), built by `batch._day_params`.

Compiled with `cache=True`: the machine code is kept next to this file, or — when that
directory is not writable and NUMBA_CACHE_DIR is not set — in a temporary directory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numba
import numpy as np

if not os.environ.get("NUMBA_CACHE_DIR") and not os.access(Path(__file__).parent, os.W_OK):
    numba.config.CACHE_DIR = str(Path(tempfile.gettempdir()) / "vetbridge-numba-cache")

# Columns of the per-date parameter rows.
(
    P_TRIGGER,
    P_STEP,
    P_CAP,
    P_RSTEP,
    P_MODE,
    P_COMPARES_RAW,
    P_DEG_SIZE,
    P_DEG_CAP,
    P_DEG_DOWN,
    P_FLOOR,
    P_T_INJ,
    P_T_SINGLE,
    P_T_MULTI,
    P_T_MIXED,
    P_RULE_DM,
    P_DEG_POINTS,
    P_A5_BASE,
    P_A5_DEG,
    P_A5BIS,
    P_AMP_ADD,
    P_TP_MIN,
    P_DEN,
    P_FRAC_ONE,
    P_FRAC_TWO,
    P_BASE_WITH_DEG,
    P_HAS_A6,
    P_A6_PER,
    P_A6_TWO,
    P_A6_EXTRA,
    P_A6_FROM,
    P_HAS_A4BIS,
    P_A4_MIN_RATE,
    P_A4_MIN_PRINCIPAL,
    P_PV_CENTS,
    P_N_BANDS,
    P_PRIV_MASK,
) = range(36)
N_PARAMS = 36
MODE_UP, MODE_DOWN, MODE_NEAREST = 0, 1, 2
SLOTS = 8  # persons with at most this many infirmities take the branch-free sort


@numba.njit(cache=True, nogil=True)
def scan_rows(keys, has_keys, rate, add, has_add, cause, context, n_causes, n_contexts):
    """The first invalid cause code, context code, rate and addition (-1 if none); for the
    rates and for the additions, the bit mask of the scales k (bit k: every value × 10^k is
    within 1e-6 of a whole number); and, when has_keys, the run boundaries of the person
    keys if they are sorted (n_groups + 1 values, as `group_bounds`), else an empty array
    (the caller sorts first).

    The first loop has no branch and no early exit, only reductions (any bad value, all
    whole, keys sorted, number of runs), so the compiler runs it in SIMD lanes at about the
    speed of reading the columns; the loops that find the first bad row, the scale of
    decimal rates and the boundaries run only when needed."""
    n = rate.size
    bad = np.int64(0)
    bad_a = np.int64(0)
    frac = np.int64(0)
    frac_a = np.int64(0)
    for i in range(n):
        x = rate[i]
        c = cause[i]
        t = context[i]
        bad |= np.int64(not (x > 0.0 and x <= 100.0))  # False for NaN: bad
        bad |= np.int64(c < 0) | np.int64(c >= n_causes)
        bad |= np.int64(t < 0) | np.int64(t >= n_contexts)
        frac |= np.int64(x != np.floor(x))
    if has_add:
        for i in range(n):
            y = add[i]
            bad_a |= np.int64(not (y >= 0.0 and y <= 100.0))
            frac_a |= np.int64(y != np.floor(y))
    bad_cause = -1
    bad_context = -1
    bad_rate = -1
    bad_add = -1
    if bad or bad_a:
        for i in range(n):
            if bad_cause < 0 and (cause[i] < 0 or cause[i] >= n_causes):
                bad_cause = i
            if bad_context < 0 and (context[i] < 0 or context[i] >= n_contexts):
                bad_context = i
            x = rate[i]
            if bad_rate < 0 and not (np.isfinite(x) and x > 0.0 and x <= 100.0):
                bad_rate = i
            if has_add:
                y = add[i]
                if bad_add < 0 and not (np.isfinite(y) and y >= 0.0 and y <= 100.0):
                    bad_add = i
    rmask = 7
    amask = 7
    if frac:
        for i in range(n):
            rmask &= _kmask(rate[i])
    if frac_a:
        for i in range(n):
            amask &= _kmask(add[i])
    bounds = np.empty(0, dtype=np.int64)
    if has_keys and n:
        runs = np.int64(1)
        unsorted = np.int64(0)
        for i in range(1, n):
            runs += np.int64(keys[i] != keys[i - 1])
            unsorted |= np.int64(keys[i] < keys[i - 1])
        if not unsorted:
            bounds = np.empty(runs + 1, dtype=np.int64)
            bounds[0] = 0
            count = 1
            for i in range(1, n):  # branch-free: always write, advance when the key changes
                bounds[count] = i
                count += np.int64(keys[i] != keys[i - 1])
            bounds[runs] = n
    return bad_cause, bad_context, bad_rate, bad_add, rmask, amask, bounds


@numba.njit(cache=True, inline="always")
def _kmask(x):
    if x == np.floor(x):  # a whole number (the usual rate): every scale fits
        return 7
    m = 0
    s = x
    if abs(s - np.floor(s + 0.5)) < 1e-6:
        m |= 1
    s = x * 10
    if abs(s - np.floor(s + 0.5)) < 1e-6:
        m |= 2
    s = x * 100
    if abs(s - np.floor(s + 0.5)) < 1e-6:
        m |= 4
    return m


@numba.njit(cache=True, nogil=True)
def group_bounds(keys):
    """Run boundaries of integer keys if they are sorted (n_groups + 1 values), else an
    empty array (the caller sorts first)."""
    n = keys.size
    bounds = np.empty(n + 1, dtype=np.int64)
    if n == 0:
        bounds[0] = 0
        return bounds[:1].copy()
    bounds[0] = 0
    count = 1
    unsorted = 0
    for i in range(1, n):  # branch-free: always write, advance when the key changes
        bounds[count] = i
        count += np.int64(keys[i] != keys[i - 1])
        unsorted |= np.int64(keys[i] < keys[i - 1])
    if unsorted:
        return np.empty(0, dtype=np.int64)
    bounds[count] = n
    return bounds[: count + 1].copy()


@numba.njit(cache=True, inline="always")
def _chain(e, n, cap, step, trigger, rstep, mode, deg_size, deg_cap, deg_down, unit, S, max_n):
    """Global rate of the n first rates of e (decreasing). Returns g, raw, degrees, full,
    left, D, too_long — as `batch._chain` for one person."""
    if e[0] >= cap * unit:  # L125-10: one infirmity at 100 %, the others give degrees
        with_maj = (n - 1) >= 2
        cum = 0
        total = 0
        for rank in range(1, n):
            maj = step * rank if with_maj else 0
            contrib_full = e[rank] + maj
            if cum >= deg_cap and e[rank] < maj:
                maj = e[rank]
            total += e[rank] + maj
            cum += contrib_full
        deg = total // deg_size if deg_down else -((-total) // deg_size)
        return cap, float(cap), deg, True, 0, 1, False
    if n > max_n:
        return 0, 0.0, 0, False, 0, 1, True
    # L125-8 in exact integers: V = Π (S − raised), D = S^n. Up to SLOTS infirmities the
    # loop has a fixed length (the ranks beyond n multiply by 1): no misprediction.
    V = S - e[0]
    D = S
    majorations = e[0] >= trigger
    for rank in range(1, SLOTS if n <= SLOTS else n):
        raised = min(e[rank] + step * rank, S) if majorations else e[rank]
        inside = rank < n
        V *= (S - raised) if inside else 1
        D *= S if inside else 1
    left = D - V
    step_unit = (D // 100) * rstep
    if mode == MODE_UP:
        g = -((-left) // step_unit) * rstep
    elif mode == MODE_DOWN:
        g = (left // step_unit) * rstep
    else:
        g = ((left + step_unit // 2) // step_unit) * rstep
    if g > cap:
        g = cap
    raw = 100.0 * float(left) / float(D)
    return g, raw, 0, False, left, D, False


@numba.njit(cache=True, nogil=True)
def pmi_persons(
    rate,
    add,
    has_add,
    amp,
    has_amp,
    tp,
    has_tp,
    cause,
    context,
    order,
    has_order,
    bounds,
    person_day,
    params,
    principal_tab,
    gi_tab,
    band_starts,
    band_pts,
    unit,
    max_n,
    eligible,
    raw_rate,
    global_rate,
    degrees,
    points,
    amount_cents,
    fallback,
):
    """Every person of `bounds` (rows bounds[i]:bounds[i+1], through `order` if has_order).
    `amp` and `tp` are read only if has_amp / has_tp, `add` only if has_add. Writes every
    person's outputs; persons whose product would overflow int64 get
    fallback=True (the caller prices them through the scalar path)."""
    S = 100 * unit
    n_p = bounds.size - 1
    widest = SLOTS
    for pi in range(n_p):
        widest = max(widest, bounds[pi + 1] - bounds[pi])
    e = np.empty(widest, dtype=np.int64)  # own rates of the counted rows, decreasing
    e_tp = np.empty(widest, dtype=np.int64)
    e_ord = np.empty(widest, dtype=np.int64)
    e2 = np.empty(widest, dtype=np.int64)  # the privileged ones (L121-5 1° / 2°)
    slots = np.empty(SLOTS, dtype=np.int64)
    # The parameters in force, as locals (reloaded when the date changes).
    last = -1
    trigger = step = cap = rstep = mode = compares_raw = deg_size = deg_cap = deg_down = 0
    floor = t_inj = t_single = t_multi = t_mixed = rule_dm = deg_points = a5_base = 0
    a5_deg = a5bis = amp_add = tp_min = den = frac_one = frac_two = base_with_deg = 0
    has_a6 = a6_per = a6_two = a6_extra = a6_from = has_a4bis = a4_min_rate = 0
    a4_min_principal = pv_cents = n_bands = priv_mask = capu = 0
    plain = not (has_order or has_add or has_amp or has_tp)
    e_tp[:] = 0  # the plain path below has no third-person column: never written there
    for pi in range(n_p):
        d = person_day[pi]
        if d != last:
            last = d
            trigger, step, cap = params[d, P_TRIGGER], params[d, P_STEP], params[d, P_CAP]
            rstep, mode, compares_raw = (
                params[d, P_RSTEP],
                params[d, P_MODE],
                params[d, P_COMPARES_RAW],
            )
            deg_size, deg_cap, deg_down = (
                params[d, P_DEG_SIZE],
                params[d, P_DEG_CAP],
                params[d, P_DEG_DOWN],
            )
            floor, t_inj, t_single = params[d, P_FLOOR], params[d, P_T_INJ], params[d, P_T_SINGLE]
            t_multi, t_mixed, rule_dm = (
                params[d, P_T_MULTI],
                params[d, P_T_MIXED],
                params[d, P_RULE_DM],
            )
            deg_points, a5_base, a5_deg = (
                params[d, P_DEG_POINTS],
                params[d, P_A5_BASE],
                params[d, P_A5_DEG],
            )
            a5bis, amp_add, tp_min = params[d, P_A5BIS], params[d, P_AMP_ADD], params[d, P_TP_MIN]
            den, frac_one, frac_two = params[d, P_DEN], params[d, P_FRAC_ONE], params[d, P_FRAC_TWO]
            base_with_deg, has_a6, a6_per = (
                params[d, P_BASE_WITH_DEG],
                params[d, P_HAS_A6],
                params[d, P_A6_PER],
            )
            a6_two, a6_extra, a6_from = (
                params[d, P_A6_TWO],
                params[d, P_A6_EXTRA],
                params[d, P_A6_FROM],
            )
            has_a4bis, a4_min_rate = params[d, P_HAS_A4BIS], params[d, P_A4_MIN_RATE]
            a4_min_principal, pv_cents = params[d, P_A4_MIN_PRINCIPAL], params[d, P_PV_CENTS]
            n_bands, priv_mask = params[d, P_N_BANDS], params[d, P_PRIV_MASK]
            capu = cap * unit
        eligible[pi] = False  # every output is written (the caller does not zero them)
        raw_rate[pi] = 0.0
        global_rate[pi] = 0
        degrees[pi] = 0
        points[pi] = 0.0
        amount_cents[pi] = 0
        fallback[pi] = False
        # Own rates with the L125-9 additions, capped, the floor; sorted decreasing.
        lo, hi = bounds[pi], bounds[pi + 1]
        m = 0
        n_ord = 0
        n_inj = 0
        n_alone_all = 0
        sum_all = 0
        if plain and hi - lo <= SLOTS:
            # The usual extract (rows grouped, no optional column): the same as below with
            # the slots in registers and unsigned indices (no negative-index wraparound).
            for k in range(SLOTS):
                slots[k] = -1
            for q in range(lo, hi):
                u = np.uint64(q)
                own = min(np.int64(rate[u] * unit + 0.5), capu)
                kept = np.int64(own >= floor)
                c = cause[u]
                ordinary = np.int64(c == 1) * (1 - ((priv_mask >> context[u]) & 1))
                n_ord += ordinary * kept
                n_inj += np.int64(c == 0) * kept
                m += kept
                slots[np.uint64(q - lo)] = (own * 4 + ordinary) * kept - (1 - kept)
            x0, x1, x2, x3 = slots[0], slots[1], slots[2], slots[3]
            x4, x5, x6, x7 = slots[4], slots[5], slots[6], slots[7]
            # Batcher's odd-even merge network for 8 keys, decreasing (19 comparators).
            x0, x1 = max(x0, x1), min(x0, x1)
            x2, x3 = max(x2, x3), min(x2, x3)
            x4, x5 = max(x4, x5), min(x4, x5)
            x6, x7 = max(x6, x7), min(x6, x7)
            x0, x2 = max(x0, x2), min(x0, x2)
            x1, x3 = max(x1, x3), min(x1, x3)
            x4, x6 = max(x4, x6), min(x4, x6)
            x5, x7 = max(x5, x7), min(x5, x7)
            x1, x2 = max(x1, x2), min(x1, x2)
            x5, x6 = max(x5, x6), min(x5, x6)
            x0, x4 = max(x0, x4), min(x0, x4)
            x1, x5 = max(x1, x5), min(x1, x5)
            x2, x6 = max(x2, x6), min(x2, x6)
            x3, x7 = max(x3, x7), min(x3, x7)
            x2, x4 = max(x2, x4), min(x2, x4)
            x3, x5 = max(x3, x5), min(x3, x5)
            x1, x2 = max(x1, x2), min(x1, x2)
            x3, x4 = max(x3, x4), min(x3, x4)
            x5, x6 = max(x5, x6), min(x5, x6)
            e[0], e[1], e[2], e[3] = x0 >> 2, x1 >> 2, x2 >> 2, x3 >> 2
            e[4], e[5], e[6], e[7] = x4 >> 2, x5 >> 2, x6 >> 2, x7 >> 2
            e_ord[0], e_ord[1], e_ord[2], e_ord[3] = x0 & 1, x1 & 1, x2 & 1, x3 & 1
            e_ord[4], e_ord[5], e_ord[6], e_ord[7] = x4 & 1, x5 & 1, x6 & 1, x7 & 1
            sum_all = (max(x0, 0) >> 2) + (max(x1, 0) >> 2) + (max(x2, 0) >> 2)
            sum_all += (max(x3, 0) >> 2) + (max(x4, 0) >> 2) + (max(x5, 0) >> 2)
            sum_all += (max(x6, 0) >> 2) + (max(x7, 0) >> 2)
        elif hi - lo <= SLOTS:
            # Branch-free: each row goes down fixed slots by min/max (a sorting network
            # whose keys carry the rate and the row's two flags), so no misprediction
            # depends on the data.
            for k in range(SLOTS):
                slots[k] = -1
            for q in range(lo, hi):
                j = order[q] if has_order else q
                own = np.int64(rate[j] * unit + 0.5)  # rates are > 0: truncation is floor
                if has_add:
                    own += np.int64(add[j] * unit + 0.5)
                if has_amp:
                    own += amp_add * np.int64(amp[j])
                own = min(own, capu)
                kept = np.int64(own >= floor)
                c = cause[j]
                ordinary = np.int64(c == 1) * (1 - ((priv_mask >> context[j]) & 1))
                n_ord += ordinary * kept
                n_inj += np.int64(c == 0) * kept
                m += kept
                alone = np.int64(tp[j]) if has_tp else 0
                x = (own * 4 + alone * 2 + ordinary) * kept - (1 - kept)
                for k in range(SLOTS):
                    a = slots[k]
                    slots[k] = max(a, x)
                    x = min(a, x)
            for k in range(SLOTS):  # fixed length again; empty slots (-1) count for 0
                v = slots[k]
                present = np.int64(v >= 0)
                e[k] = v >> 2
                e_tp[k] = (v >> 1) & 1
                e_ord[k] = v & 1
                n_alone_all += ((v >> 1) & 1) * present
                sum_all += (v >> 2) * present
        else:
            for q in range(lo, hi):
                j = order[q] if has_order else q
                own = np.int64(rate[j] * unit + 0.5)
                if has_add:
                    own += np.int64(add[j] * unit + 0.5)
                if has_amp and amp[j]:
                    own += amp_add
                if own > capu:
                    own = capu
                if own < floor:
                    continue
                c = cause[j]
                ordinary = c == 1 and ((priv_mask >> context[j]) & 1) == 0
                n_ord += ordinary
                n_inj += c == 0
                k = m
                while k > 0 and e[k - 1] < own:  # insertion, decreasing
                    e[k] = e[k - 1]
                    e_tp[k] = e_tp[k - 1]
                    e_ord[k] = e_ord[k - 1]
                    k -= 1
                alone = np.int64(tp[j]) if has_tp else 0
                e[k] = own
                e_tp[k] = alone
                e_ord[k] = ordinary
                m += 1
                n_alone_all += alone
                sum_all += own
        if m == 0:
            continue
        n_priv = m - n_ord
        # Selects, not branches (the mix of heads is random from one person to the next).
        t_no_priv = t_single if n_ord == 1 else t_multi
        t_both = t_multi if (n_inj == 0) & (rule_dm != 0) else t_mixed
        threshold = t_inj if n_ord == 0 else (t_no_priv if n_priv == 0 else t_both)
        g, raw, deg, full, left, D, too_long = _chain(
            e, m, cap, step, trigger, rstep, mode, deg_size, deg_cap, deg_down, unit, S, max_n
        )
        if too_long:
            fallback[pi] = True
            continue
        if full:
            reaches = cap >= threshold
        elif compares_raw:
            reaches = left >= threshold * (D // 100)
        else:
            reaches = g >= threshold
        n_ret = 0
        n_alone = 0
        sum_ret = 0
        if n_ord > 0 and n_priv > 0 and not reaches:
            # L121-5 1° / 2°: below the threshold, the privileged infirmities alone.
            for k in range(m):  # always write, advance past a privileged one
                priv = 1 - e_ord[k]
                e2[n_ret] = e[k]
                n_ret += priv
                n_alone += e_tp[k] * priv
                sum_ret += e[k] * priv
            max_ret = e2[0]
            g, raw, deg, full, left, D, too_long = _chain(
                e2,
                n_ret,
                cap,
                step,
                trigger,
                rstep,
                mode,
                deg_size,
                deg_cap,
                deg_down,
                unit,
                S,
                max_n,
            )
            if full:
                reaches = cap >= t_inj
            elif compares_raw:
                reaches = left >= t_inj * (D // 100)
            else:
                reaches = g >= t_inj
        else:
            n_ret = m
            max_ret = e[0]
            n_alone = n_alone_all
            sum_ret = sum_all
        eligible[pi] = reaches
        raw_rate[pi] = raw
        global_rate[pi] = g
        degrees[pi] = deg
        if not reaches:
            continue
        # Points: principal, degrees, allowances, third person — integers over den.
        principal = principal_tab[d, g]
        deg_pts = deg * deg_points if deg > 0 else 0
        third = n_alone > 0 and g >= tp_min
        allowance = gi_tab[d, g]
        if deg > 0:
            allowance = max(allowance, a5_base + a5_deg * max(deg - 1, 0))
        if third:
            allowance = max(allowance, a5bis)
        pts = principal + deg_pts + allowance
        if has_a6 and third and deg > 0:
            if n_alone >= 2:
                pts += a6_two + a6_extra * max(deg - a6_from, 0)
            else:
                pts += a6_per * deg
        if (
            has_a4bis
            and not third
            and deg == 0
            and not (full and n_ret > 1)
            and n_ret >= 2
            and g >= a4_min_rate
            and max_ret >= a4_min_principal
        ):
            summed = -((-sum_ret) // (rstep * unit)) * rstep
            b = 0
            while b < n_bands and band_starts[d, b] <= summed:
                b += 1
            pts += band_pts[d, b]
        if third:
            base = principal + (deg_pts if base_with_deg else 0)
            pts_den = pts * den + base * (frac_two if n_alone >= 2 else frac_one)
            points[pi] = pts_den / den
            amount_cents[pi] = (2 * pts_den * pv_cents + den) // (2 * den)
        else:
            # Whole points: (2·pts·den·pv + den) // (2·den) is pts·pv exactly, and
            # pts·den / den is pts: the same values without the two divisions.
            points[pi] = float(pts)
            amount_cents[pi] = pts * pv_cents


@numba.njit(cache=True, nogil=True)
def read_floor(pid, rate, cause, context):
    """The limit: one pass that only reads the four input columns (for the benchmark)."""
    s = 0.0
    t = 0
    for i in range(rate.size):
        s += rate[i]
        t += pid[i] + cause[i] + context[i]
    return s + t
