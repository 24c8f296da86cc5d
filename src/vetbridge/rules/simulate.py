"""Simulate a population under the law in force at a date (baseline) and under a reform.

Pure Python over numpy arrays: no Django. The French PMI goes through `batch.compute_pmi_batch`
(the same law as the scalar calculator, exactly); money is summed in integer cents, so a total
is the exact sum of the persons' amounts.

A population is one row per infirmity, with the columns of `vetbridge rules fr-pmi-batch`
(`person_id`, `rate`, `cause`, `context`) and, optionally, per person: `region`, `status`,
`country` (`fr` or `ua`, default `fr`) and `ua_group` (Ukrainian disability group 1-3, 0 for
none). The simulation's date applies to every person (a `date` column is ignored).

Annual cost of a person:
- French case: the PMI annual amount when the case opens a right (baseline: law in force;
  reform: law overlaid by the reform).
- Ukrainian case: the annual payment of a person with war disability of their group (group
  from `ua_group`, else from the global rate by the assumption `sim.ua_group_min_rate`),
  in euros at `sim.eur_per_uah`. Under a reform with the `fr_grid_for_ua` scenario, the French
  PMI on their rates times the scenario's `point_value_share` instead.
The Ukrainian one-time disability assistance of the same persons is reported beside
(`one_time_eur`), not in the annual total.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from .batch import CAUSE_CODES, CONTEXT_CODES, BatchResult, compute_pmi_batch
from .errors import InputError
from .inputs import in_force
from .parameters import ParameterError, Parameters, given
from .reform import Reform
from .version import RULES_VERSION

Progress = Callable[[int, str], None]  # (percent done, step name)
BANDS = (
    (0, 10, "0–9"),
    (10, 20, "10–19"),
    (20, 30, "20–29"),
    (30, 40, "30–39"),
    (40, 50, "40–49"),
    (50, 60, "50–59"),
    (60, 70, "60–69"),
    (70, 80, "70–79"),
    (80, 90, "80–89"),
    (90, 100, "90–99"),
    (100, 101, "100"),
)
COUNTRIES = ("fr", "ua")
MAX_SYNTHETIC = 5_000_000

SYNTHETIC_ASSUMPTIONS = (
    "1 to 4 infirmities per person (55 %, 28 %, 12 %, 5 %)",
    "rates in steps of 5 %, from 5 to 100 %, most of them low (geometric, mean about 25 %)",
    "70 % wounds, 30 % diseases; contexts: 45 % peace, 20 % war, 30 % external operations, "
    "5 % captivity",
    "60 % French and 40 % Ukrainian cases; Ukrainian cases have no group of their own",
    "regions drawn evenly from 8 French and 8 Ukrainian regions of the person's country",
    "status: pensioner (France) or war disability (Ukraine)",
)
FR_REGIONS = ("FR-ARA", "FR-BFC", "FR-BRE", "FR-GES", "FR-HDF", "FR-IDF", "FR-NAQ", "FR-PAC")
UA_REGIONS = ("UA-05", "UA-12", "UA-18", "UA-30", "UA-46", "UA-51", "UA-63", "UA-71")


def encode(values: npt.ArrayLike) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
    """Text values → (codes, labels), labels sorted so the codes do not depend on row order."""
    arr = np.asarray(values).astype(str)
    labels, codes = np.unique(arr, return_inverse=True)
    return codes.astype(np.int64), tuple(str(x) for x in labels.tolist())


def _fixed_codes(
    values: npt.ArrayLike,
    mapping: dict[str, int],
    name: str,
) -> npt.NDArray[np.int64]:
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        if arr.size and (arr.min() < 0 or arr.max() >= len(mapping)):
            raise InputError(name, f"codes must be 0..{len(mapping) - 1}")
        return arr.astype(np.int64)
    codes, labels = encode(arr)
    table = np.array([mapping.get(label, -1) for label in labels], dtype=np.int64)
    out = table[codes] if labels else codes
    if np.any(out < 0):
        bad = int(np.flatnonzero(out < 0)[0])
        raise InputError(
            f"{name} (row {bad + 1})", f"'{arr[bad]}' is not one of {', '.join(mapping)}"
        )
    return out


@dataclass
class Population:
    """Rows of infirmities plus per-row person attributes (the first row of a person counts).

    Text columns are held as integer codes: `cause` and `context` by the batch path's
    CAUSE_CODES and CONTEXT_CODES, `country` by COUNTRIES, `region` and `status` as indexes
    into their sorted labels. Text arrays given to the constructor are encoded."""

    person_id: npt.NDArray[Any]
    rate: npt.NDArray[np.float64]
    cause: npt.NDArray[Any]
    context: npt.NDArray[Any]
    region: npt.NDArray[Any] | None = None
    status: npt.NDArray[Any] | None = None
    country: npt.NDArray[Any] | None = None
    ua_group: npt.NDArray[np.int64] | None = None
    description: str = ""
    assumptions: tuple[str, ...] = ()
    digest: str = field(default="")
    region_labels: tuple[str, ...] = ()
    status_labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.rate = np.asarray(self.rate, dtype=np.float64)
        n = self.rate.shape[0]
        for name in ("person_id", "cause", "context"):
            if np.asarray(getattr(self, name)).shape[0] != n:
                raise InputError(name, "must have one value per row")
        self.cause = _fixed_codes(self.cause, CAUSE_CODES, "cause")
        self.context = _fixed_codes(self.context, CONTEXT_CODES, "context")
        if self.country is not None:
            self.country = _fixed_codes(
                self.country, {c: i for i, c in enumerate(COUNTRIES)}, "country"
            )
        for name in ("region", "status"):
            col = getattr(self, name)
            if col is not None and np.asarray(col).dtype.kind not in "iu":
                codes, labels = encode(col)
                setattr(self, name, codes)
                setattr(self, f"{name}_labels", labels)
        if self.ua_group is not None:
            self.ua_group = np.asarray(self.ua_group, dtype=np.int64)
        if not self.digest:
            self.digest = population_digest(self)

    @property
    def rows(self) -> int:
        return int(self.rate.shape[0])


def population_digest(pop: Population) -> str:
    sha = hashlib.blake2b(digest_size=16)
    for name in (
        "person_id",
        "rate",
        "cause",
        "context",
        "region",
        "status",
        "country",
        "ua_group",
    ):
        col = getattr(pop, name)
        sha.update(name.encode())
        if col is None:
            continue
        arr = np.asarray(col)
        if arr.dtype.kind in "OUS":
            codes, labels = encode(arr)
            sha.update("\x1f".join(labels).encode("utf-8"))
            arr = codes
        elif arr.dtype.kind in "iu" and name != "person_id":
            arr = arr.astype(np.int16)  # codes and groups: small, whatever their source dtype
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64)
        sha.update(np.ascontiguousarray(arr).tobytes())
    sha.update("\x1f".join(pop.region_labels).encode("utf-8"))
    sha.update("\x1e".join(pop.status_labels).encode("utf-8"))
    return sha.hexdigest()[:16]


# ---------------------------------------------------------------- populations


def synthetic_population(n: int, seed: int = 0) -> Population:
    """A seeded synthetic population of `n` persons (see SYNTHETIC_ASSUMPTIONS)."""
    if not 1 <= n <= MAX_SYNTHETIC:
        raise InputError("population", f"synthetic size must be 1 to {MAX_SYNTHETIC}")
    rng = np.random.default_rng(seed)
    counts = rng.choice(np.array([1, 2, 3, 4]), size=n, p=[0.55, 0.28, 0.12, 0.05])
    person = np.repeat(np.arange(1, n + 1, dtype=np.int64), counts)
    rows = person.shape[0]
    rate = np.minimum(rng.geometric(0.2, size=rows) * 5, 100).astype(np.float64)
    cause = (rng.random(rows) >= 0.7).astype(np.int64)  # 0 injury, 1 disease
    context = rng.choice(np.arange(4, dtype=np.int64), size=rows, p=[0.45, 0.2, 0.3, 0.05])
    ua_person = (rng.random(n) < 0.4).astype(np.int64)
    region_idx = rng.integers(0, 8, size=n)
    labels = tuple(sorted(FR_REGIONS + UA_REGIONS))
    fr_codes = np.array([labels.index(r) for r in FR_REGIONS], dtype=np.int64)
    ua_codes = np.array([labels.index(r) for r in UA_REGIONS], dtype=np.int64)
    region_p = np.where(ua_person == 1, ua_codes[region_idx], fr_codes[region_idx])
    statuses = ("fr_pensioner", "ua_war_disability")
    return Population(
        person,
        rate,
        cause,
        context,
        region=np.repeat(region_p, counts),
        status=np.repeat(ua_person, counts),
        country=np.repeat(ua_person, counts),
        ua_group=np.zeros(rows, dtype=np.int64),
        region_labels=labels,
        status_labels=statuses,
        description=f"synthetic:{n}:{seed}",
        assumptions=SYNTHETIC_ASSUMPTIONS,
    )


def parse_population_spec(spec: str) -> tuple[int, int]:
    """`synthetic:N[:seed]` → (N, seed)."""
    parts = spec.split(":")
    if parts[0] != "synthetic" or len(parts) not in (2, 3):
        raise InputError("population", "must be a CSV/Parquet path or synthetic:N[:seed]")
    try:
        n = int(parts[1].replace("_", ""))
        seed = int(parts[2]) if len(parts) == 3 else 0
    except ValueError as exc:
        raise InputError("population", "synthetic:N[:seed] takes whole numbers") from exc
    return n, seed


def _polars_codes(
    series: Any,
    name: str,
    mapping: dict[str, int] | None = None,
) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
    """Encode a text column in polars (an Enum cast: fast on millions of rows): codes and
    sorted labels, or codes by a fixed mapping (an unknown value is an error naming its row)."""
    import polars as pl

    s = series if series.dtype == pl.Utf8 else series.cast(pl.Utf8)
    if s.null_count():
        s = s.fill_null("")
    if mapping is None:
        labels = tuple(s.unique().sort().to_list())
    else:
        labels = tuple(sorted(mapping, key=mapping.__getitem__))
    try:
        enum = s.cast(pl.Enum(list(labels)))
    except pl.exceptions.PolarsError as exc:  # a value outside the mapping: name its row
        bad = int((~s.is_in(list(labels))).arg_true()[0])
        raise InputError(
            f"{name} (row {bad + 1})", f"'{s[bad]}' is not one of {', '.join(labels)}"
        ) from exc
    return enum.to_physical().cast(pl.Int64).to_numpy(), labels


def read_population(
    source: str | bytes,
    *,
    name: str = "",
    parquet: bool | None = None,
) -> Population:
    """A CSV or Parquet file (path or bytes) with the columns of `fr-pmi-batch`."""
    import polars as pl

    label = name or (source if isinstance(source, str) else "upload")
    if parquet is None:
        parquet = str(label).endswith(".parquet")
    try:
        handle: Any = io.BytesIO(source) if isinstance(source, bytes) else source
        if parquet:
            df = pl.read_parquet(handle)
        else:
            df = pl.read_csv(handle, infer_schema_length=10000, encoding="utf8-lossy")
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError("population", f"cannot read {label}: {str(exc)[:200]}") from exc
    if df.height == 0:
        raise InputError("population", "no rows")
    for col in ("person_id", "rate", "cause", "context"):
        if col not in df.columns:
            raise InputError(col, "missing column")
    try:
        rate = df["rate"].cast(pl.Float64).to_numpy()
    except pl.exceptions.PolarsError as exc:
        raise InputError("rate", "must be numbers") from exc
    if df["person_id"].null_count():
        raise InputError("person_id", "must not be empty")
    pid = df["person_id"]
    person_id = (
        pid.to_numpy()
        if pid.dtype.is_integer()
        else pid.cast(pl.Utf8).rank("dense").cast(pl.Int64).to_numpy()
    )
    cause, _ = _polars_codes(df["cause"], "cause", CAUSE_CODES)
    context, _ = _polars_codes(df["context"], "context", CONTEXT_CODES)
    country = None
    if "country" in df.columns:
        lowered = df["country"].cast(pl.Utf8).fill_null("fr").str.to_lowercase().replace("", "fr")
        country, _ = _polars_codes(lowered, "country", {c: i for i, c in enumerate(COUNTRIES)})
    group = None
    if "ua_group" in df.columns:
        try:
            group = df["ua_group"].cast(pl.Int64).fill_null(0).to_numpy()
        except pl.exceptions.PolarsError as exc:
            raise InputError("ua_group", "must be whole numbers 0 to 3") from exc
        bad = (group < 0) | (group > 3)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(f"ua_group (row {row + 1})", "must be 0 (none), 1, 2 or 3")
    region = status = None
    region_labels: tuple[str, ...] = ()
    status_labels: tuple[str, ...] = ()
    if "region" in df.columns:
        region, region_labels = _polars_codes(df["region"], "region")
    if "status" in df.columns:
        status, status_labels = _polars_codes(df["status"], "status")
    return Population(
        person_id,
        rate,
        cause,
        context,
        region=region,
        status=status,
        country=country,
        ua_group=group,
        region_labels=region_labels,
        status_labels=status_labels,
        description=f"file {label}: {df.height} rows",
    )


def population_to_parquet(pop: Population) -> bytes:
    """The population as Parquet bytes, text columns as text (to store a run's population
    and replay it, or to hand it to `vetbridge rules simulate`)."""
    import polars as pl

    def text(codes: npt.NDArray[Any], labels: tuple[str, ...] | list[str]) -> Any:
        return pl.Series(codes, dtype=pl.Int64).replace_strict(
            dict(enumerate(labels)), return_dtype=pl.Utf8
        )

    cols: dict[str, Any] = {
        "person_id": pop.person_id,
        "rate": pop.rate,
        "cause": text(pop.cause, list(CAUSE_CODES)),
        "context": text(pop.context, list(CONTEXT_CODES)),
    }
    if pop.region is not None:
        cols["region"] = text(pop.region, pop.region_labels)
    if pop.status is not None:
        cols["status"] = text(pop.status, pop.status_labels)
    if pop.country is not None:
        cols["country"] = text(pop.country, COUNTRIES)
    if pop.ua_group is not None:
        cols["ua_group"] = pop.ua_group
    buf = io.BytesIO()
    pl.DataFrame(cols).write_parquet(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- simulation


def _cents(eur: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    return np.round(eur * 100).astype(np.int64)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


@dataclass
class _Side:
    """One side (baseline or reform) of the simulation, per person."""

    cents: npt.NDArray[np.int64]
    beneficiary: npt.NDArray[np.bool_]
    one_time_cents: npt.NDArray[np.int64]
    digests: dict[str, str]


def _law_key(p: Parameters, date: dt.date, *, without: str) -> str:
    """The values in force at `date` of every parameter but `without`."""
    values = []
    for name in sorted(p.params):
        if name == without:
            continue
        try:
            values.append(f"{name}={p.at(name, date)!r}")
        except ParameterError:
            values.append(f"{name}=None")
    return "|".join(values)


def _pmi(
    pop: Population,
    date: dt.date,
    fr: Parameters,
    cache: dict[str, Any],
) -> tuple[BatchResult, npt.NDArray[np.int64]]:
    """The French PMI of every person, in cents. Two parameter sets whose law at `date`
    differs only by the point value give the same index points (L125-2: the amount is the
    points times the point value), so the batch runs once and the amount is recomputed."""
    pv = _dec(
        in_force(
            fr,
            "fr.point_value",
            date,
            field="date",
            message=f"no PMI point value is known for {date}",
        )
    )
    key = _law_key(fr, date, without="fr.point_value")
    if key in cache:
        res, pv0, cents0 = cache[key]
        if pv == pv0:
            return res, cents0
        pts = res.points
        if (pv * 100) == (pv * 100).to_integral_value() and np.all(pts == np.round(pts)):
            return res, np.round(pts).astype(np.int64) * int(pv * 100)
    res = compute_pmi_batch(pop.person_id, pop.rate, pop.cause, pop.context, date, fr)
    cents = _cents(res.annual_amount_eur)
    cache.setdefault(key, (res, pv, cents))
    return res, cents


def _side(
    pop: Population,
    date: dt.date,
    params: dict[str, Parameters],
    reform: Reform | None,
    first: npt.NDArray[np.int64],
    cache: dict[str, Any],
) -> _Side:
    fr, ua, sim = params["fr"], params["ua"], params["sim"]
    res, pmi_cents = _pmi(pop, date, fr, cache)
    n = pmi_cents.shape[0]
    is_ua = (
        (pop.country[first] == COUNTRIES.index("ua"))
        if pop.country is not None
        else np.zeros(n, bool)
    )
    cents = np.where(is_ua, 0, pmi_cents)
    beneficiary = np.where(is_ua, False, res.eligible)
    one_time = np.zeros(n, dtype=np.int64)
    if is_ua.any():
        eur_per_uah = _dec(
            in_force(
                sim,
                "sim.eur_per_uah",
                date,
                field="date",
                message="no exchange rate is known for this date",
            )
        )
        group = _ua_groups(pop, first, res.global_rate, sim, date)
        scenario = reform.scenario if reform is not None else None
        if scenario is not None and scenario.kind == "fr_grid_for_ua":
            share = scenario.point_value_share
            ua_cents = np.round(pmi_cents.astype(np.float64) * float(share)).astype(np.int64)
            cents = np.where(is_ua, ua_cents, cents)
            beneficiary = np.where(is_ua, res.eligible, beneficiary)
        else:
            table = in_force(
                ua,
                "ua.annual_payment",
                date,
                field="date",
                message="no Ukrainian annual payment is known for this date",
            )
            pay = np.zeros(4, dtype=np.int64)
            for g in (1, 2, 3):
                uah = _dec(table.get(f"war_disability_{g}", 0))
                pay[g] = int((uah * eur_per_uah * 100).quantize(Decimal(1), ROUND_HALF_UP))
            cents = np.where(is_ua, pay[group], cents)
            beneficiary = np.where(is_ua, group > 0, beneficiary)
        jan1 = dt.date(date.year, 1, 1)
        pm = _dec(
            in_force(
                ua,
                "ua.subsistence_minimum_able_bodied",
                jan1,
                field="date",
                message="no subsistence minimum is known for this year",
            )
        )
        mult = in_force(
            ua,
            "ua.disability_multiplier_duty",
            date,
            field="date",
            message="no disability multipliers are known for this date",
        )
        once = np.zeros(4, dtype=np.int64)
        for g in (1, 2, 3):
            once[g] = int(
                (_dec(mult[g]) * pm * eur_per_uah * 100).quantize(Decimal(1), ROUND_HALF_UP)
            )
        one_time = np.where(is_ua, once[group], 0)
    return _Side(
        cents.astype(np.int64),
        beneficiary.astype(bool),
        one_time,
        {k: v.digest for k, v in params.items()},
    )


def _ua_groups(
    pop: Population,
    first: npt.NDArray[np.int64],
    global_rate: npt.NDArray[Any],
    sim: Parameters,
    date: dt.date,
) -> npt.NDArray[np.int64]:
    own = pop.ua_group[first] if pop.ua_group is not None else np.zeros(first.shape[0], np.int64)
    mins = in_force(
        sim,
        "sim.ua_group_min_rate",
        date,
        field="date",
        message="no rate → group mapping is known for this date",
    )
    derived = np.zeros(first.shape[0], dtype=np.int64)
    for g in (3, 2, 1):  # the highest group reached wins
        derived = np.where(global_rate >= int(mins[g]), g, derived)
    return np.where(own > 0, own, derived).astype(np.int64)


def combined_digest(digests: dict[str, str]) -> str:
    text = "|".join(f"{k}:{digests[k]}" for k in sorted(digests))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def simulate(
    pop: Population,
    date: dt.date,
    reform: Reform | None = None,
    *,
    base: dict[str, Parameters],
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Baseline and reform over the population; a JSON-ready dict of results. `base`: the
    law's parameter sets by prefix ("fr", "ua", "sim"), loaded by the caller
    (`parameters.default_sets()`, or a run's frozen files); the reform overlays them."""

    def tick(pct: int, step: str) -> None:
        if progress is not None:
            progress(pct, step)

    missing = [prefix for prefix in ("fr", "ua", "sim") if prefix not in base]
    if missing:
        raise TypeError(f"simulate needs the {', '.join(missing)} parameter sets in base")
    for prefix in ("fr", "ua", "sim"):
        given(base[prefix], prefix)
    reformed = reform.apply(base) if reform is not None else base
    tick(5, "grouping")
    pid = np.asarray(pop.person_id)
    if pid.dtype.kind in "iu" and pid.size and bool(np.all(pid[1:] >= pid[:-1])):
        first = np.flatnonzero(np.r_[True, pid[1:] != pid[:-1]]).astype(np.int64)
        uniq = pid[first]  # sorted already: the order np.unique (and the batch) gives
    else:
        uniq, first = np.unique(pid, return_index=True)
        first = first.astype(np.int64)
    cache: dict[str, Any] = {}
    tick(10, "baseline")
    b = _side(pop, date, base, None, first, cache)
    tick(50, "reform")
    r = _side(pop, date, reformed, reform, first, cache)
    tick(85, "aggregating")
    out = aggregate(pop, first, b, r, _pmi(pop, date, base["fr"], cache)[0].global_rate)
    out.update(
        {
            "date": date.isoformat(),
            "rules_version": RULES_VERSION,
            "population": {
                "description": pop.description,
                "digest": pop.digest,
                "persons": int(uniq.shape[0]),
                "rows": pop.rows,
                "assumptions": list(pop.assumptions),
            },
            "reform_info": reform.as_dict() if reform is not None else None,
        }
    )
    out["baseline"]["params"] = b.digests
    out["baseline"]["params_digest"] = combined_digest(b.digests)
    out["reform"]["params"] = r.digests
    out["reform"]["params_digest"] = combined_digest(r.digests)
    tick(100, "done")
    return out


def _eur(cents: int) -> float:
    return round(cents / 100, 2)


def _totals(
    cents: npt.NDArray[np.int64], ben: npt.NDArray[np.bool_], one_time: npt.NDArray[np.int64]
) -> dict[str, Any]:
    total = int(cents.sum())
    count = int(ben.sum())
    return {
        "total_eur": _eur(total),
        "beneficiaries": count,
        "average_eur": _eur(total // count) if count else 0.0,
        "one_time_eur": _eur(int(one_time.sum())),
    }


def _group_rows(
    keys: npt.NDArray[Any], labels: list[str], b: _Side, r: _Side, *, keep_empty: bool = False
) -> list[dict[str, Any]]:
    k = len(labels)
    persons = np.bincount(keys, minlength=k)
    bb = np.bincount(keys, weights=b.beneficiary, minlength=k).astype(np.int64)
    rb = np.bincount(keys, weights=r.beneficiary, minlength=k).astype(np.int64)
    bc = _group_sum(keys, b.cents, k)
    rc = _group_sum(keys, r.cents, k)
    rows = []
    for i, label in enumerate(labels):
        if persons[i] == 0 and not keep_empty:
            continue
        rows.append(
            {
                "key": label,
                "persons": int(persons[i]),
                "baseline_beneficiaries": int(bb[i]),
                "baseline_total_eur": _eur(int(bc[i])),
                "baseline_average_eur": _eur(int(bc[i]) // int(bb[i])) if bb[i] else 0.0,
                "reform_beneficiaries": int(rb[i]),
                "reform_total_eur": _eur(int(rc[i])),
                "reform_average_eur": _eur(int(rc[i]) // int(rb[i])) if rb[i] else 0.0,
                "change_eur": _eur(int(rc[i]) - int(bc[i])),
            }
        )
    return rows


def _group_sum(
    keys: npt.NDArray[Any],
    values: npt.NDArray[np.int64],
    k: int,
) -> npt.NDArray[np.int64]:
    """Exact integer sums by group. Float64 adds integers exactly while every partial sum
    stays below 2^53, which the total of absolute values bounds; beyond, sort and reduce."""
    acc = np.zeros(k, dtype=np.int64)
    if int(np.abs(values).sum()) < 2**53:
        sums = np.bincount(keys, weights=values.astype(np.float64), minlength=k)
        return np.round(sums).astype(np.int64)
    _int_sum(acc, keys, values)
    return acc


def _int_sum(
    acc: npt.NDArray[np.int64], keys: npt.NDArray[Any], values: npt.NDArray[np.int64]
) -> None:
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
    sums = np.add.reduceat(values[order], starts)
    acc[sk[starts]] += sums


def _by_attribute(
    codes: npt.NDArray[Any] | None,
    labels: tuple[str, ...],
    first: npt.NDArray[np.int64],
    b: _Side,
    r: _Side,
) -> list[dict[str, Any]]:
    if codes is None:
        return []
    return _group_rows(np.asarray(codes)[first].astype(np.int64), [x or "—" for x in labels], b, r)


def aggregate(
    pop: Population, first: npt.NDArray[np.int64], b: _Side, r: _Side, global_rate: npt.NDArray[Any]
) -> dict[str, Any]:
    gained = ~b.beneficiary & r.beneficiary
    lost = b.beneficiary & ~r.beneficiary
    diff = r.cents - b.cents
    win = diff > 0
    lose = diff < 0
    band_keys = np.zeros(global_rate.shape[0], dtype=np.int64)
    for i, (lo, _hi, _label) in enumerate(BANDS):
        band_keys = np.where(global_rate >= lo, i, band_keys)
    return {
        "persons": int(first.shape[0]),
        "baseline": _totals(b.cents, b.beneficiary, b.one_time_cents),
        "reform": _totals(r.cents, r.beneficiary, r.one_time_cents),
        "change_eur": _eur(int(diff.sum())),
        "gained": int(gained.sum()),
        "lost": int(lost.sum()),
        "winners": {
            "count": int(win.sum()),
            "total_eur": _eur(int(diff[win].sum())),
            "average_eur": _eur(int(diff[win].sum()) // int(win.sum())) if win.any() else 0.0,
        },
        "losers": {
            "count": int(lose.sum()),
            "total_eur": _eur(int(-diff[lose].sum())),
            "average_eur": _eur(int(-diff[lose].sum()) // int(lose.sum())) if lose.any() else 0.0,
        },
        "unchanged": int((diff == 0).sum()),
        "by_band": _group_rows(
            band_keys, [label for _lo, _hi, label in BANDS], b, r, keep_empty=True
        ),
        "by_region": _by_attribute(pop.region, pop.region_labels, first, b, r),
        "by_status": _by_attribute(pop.status, pop.status_labels, first, b, r),
        "by_country": _by_attribute(pop.country, COUNTRIES, first, b, r),
    }
