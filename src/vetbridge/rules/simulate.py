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

from .batch import compute_pmi_batch
from .errors import InputError
from .inputs import in_force
from .parameters import Parameters
from .reform import Reform, base_parameters
from .version import RULES_VERSION

Progress = Callable[[int, str], None]  # (percent done, step name)
BANDS = ((0, 10, "0–9"), (10, 20, "10–19"), (20, 30, "20–29"), (30, 40, "30–39"),
         (40, 50, "40–49"), (50, 60, "50–59"), (60, 70, "60–69"), (70, 80, "70–79"),
         (80, 90, "80–89"), (90, 100, "90–99"), (100, 101, "100"))
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


@dataclass
class Population:
    """Rows of infirmities plus per-row person attributes (the first row of a person counts)."""

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

    def __post_init__(self) -> None:
        if not self.digest:
            self.digest = population_digest(self)

    @property
    def rows(self) -> int:
        return int(self.rate.shape[0])


def population_digest(pop: Population) -> str:
    sha = hashlib.sha256()
    for name in ("person_id", "rate", "cause", "context", "region", "status", "country",
                 "ua_group"):
        col = getattr(pop, name)
        sha.update(name.encode())
        if col is not None:
            arr = np.asarray(col)
            if arr.dtype.kind in "OUS":
                sha.update("\x1f".join(map(str, arr.tolist())).encode("utf-8"))
            else:
                sha.update(np.ascontiguousarray(arr).tobytes())
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
    cause = np.where(rng.random(rows) < 0.7, "injury", "disease")
    context = rng.choice(np.array(["peace", "war", "opex", "captivity"]), size=rows,
                         p=[0.45, 0.2, 0.3, 0.05])
    ua_person = rng.random(n) < 0.4
    region_idx = rng.integers(0, 8, size=n)
    region_p = np.where(ua_person, np.array(UA_REGIONS)[region_idx],
                        np.array(FR_REGIONS)[region_idx])
    status_p = np.where(ua_person, "ua_war_disability", "fr_pensioner")
    country_p = np.where(ua_person, "ua", "fr")
    return Population(person, rate, cause, context, region=np.repeat(region_p, counts),
                      status=np.repeat(status_p, counts), country=np.repeat(country_p, counts),
                      ua_group=np.zeros(rows, dtype=np.int64),
                      description=f"synthetic:{n}:{seed}", assumptions=SYNTHETIC_ASSUMPTIONS)


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


def read_population(source: str | bytes, *, name: str = "", parquet: bool | None = None,
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
    person_id = pid.to_numpy() if pid.dtype.is_integer() else pid.cast(pl.Utf8).to_numpy()

    def text(col: str) -> npt.NDArray[Any] | None:
        if col not in df.columns:
            return None
        return df[col].cast(pl.Utf8).fill_null("").to_numpy()

    country = text("country")
    if country is not None:
        country = np.where(country == "", "fr", np.char.lower(country.astype(str)))
        bad = ~np.isin(country, COUNTRIES)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(f"country (row {row + 1})", "must be fr or ua")
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
    return Population(person_id, rate, df["cause"].cast(pl.Utf8).to_numpy(),
                      df["context"].cast(pl.Utf8).to_numpy(), region=text("region"),
                      status=text("status"), country=country, ua_group=group,
                      description=f"file {label}: {df.height} rows")


def population_to_parquet(pop: Population) -> bytes:
    """The population as Parquet bytes (to store a run's population and replay it)."""
    import polars as pl

    cols: dict[str, Any] = {"person_id": pop.person_id, "rate": pop.rate, "cause": pop.cause,
                            "context": pop.context}
    for name in ("region", "status", "country", "ua_group"):
        if getattr(pop, name) is not None:
            cols[name] = getattr(pop, name)
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


def _side(pop: Population, date: dt.date, params: dict[str, Parameters],
          reform: Reform | None, first: npt.NDArray[np.int64],
          cache: dict[str, Any]) -> _Side:
    fr, ua, sim = params["fr"], params["ua"], params["sim"]
    if fr.digest not in cache:
        cache[fr.digest] = compute_pmi_batch(pop.person_id, pop.rate, pop.cause, pop.context,
                                             date, fr)
    res = cache[fr.digest]
    pmi_cents = _cents(res.annual_amount_eur)
    n = pmi_cents.shape[0]
    is_ua = (pop.country[first] == "ua") if pop.country is not None else np.zeros(n, bool)
    cents = np.where(is_ua, 0, pmi_cents)
    beneficiary = np.where(is_ua, False, res.eligible)
    one_time = np.zeros(n, dtype=np.int64)
    if is_ua.any():
        eur_per_uah = _dec(in_force(sim, "sim.eur_per_uah", date, field="date",
                                    message="no exchange rate is known for this date"))
        scenario = reform.scenario if reform is not None else None
        if scenario is not None and scenario.kind == "fr_grid_for_ua":
            share = scenario.point_value_share
            ua_cents = np.round(pmi_cents.astype(np.float64) * float(share)).astype(np.int64)
            cents = np.where(is_ua, ua_cents, cents)
            beneficiary = np.where(is_ua, res.eligible, beneficiary)
        else:
            group = _ua_groups(pop, first, res.global_rate, sim, date)
            table = in_force(ua, "ua.annual_payment", date, field="date",
                             message="no Ukrainian annual payment is known for this date")
            pay = np.zeros(4, dtype=np.int64)
            for g in (1, 2, 3):
                uah = _dec(table.get(f"war_disability_{g}", 0))
                pay[g] = int((uah * eur_per_uah * 100).quantize(Decimal(1), ROUND_HALF_UP))
            cents = np.where(is_ua, pay[group], cents)
            beneficiary = np.where(is_ua, group > 0, beneficiary)
        group = _ua_groups(pop, first, res.global_rate, sim, date)
        jan1 = dt.date(date.year, 1, 1)
        pm = _dec(in_force(ua, "ua.subsistence_minimum_able_bodied", jan1, field="date",
                           message="no subsistence minimum is known for this year"))
        mult = in_force(ua, "ua.disability_multiplier_duty", date, field="date",
                        message="no disability multipliers are known for this date")
        once = np.zeros(4, dtype=np.int64)
        for g in (1, 2, 3):
            once[g] = int((_dec(mult[g]) * pm * eur_per_uah * 100).quantize(
                Decimal(1), ROUND_HALF_UP))
        one_time = np.where(is_ua, once[group], 0)
    return _Side(cents.astype(np.int64), beneficiary.astype(bool), one_time,
                 {k: v.digest for k, v in params.items()})


def _ua_groups(pop: Population, first: npt.NDArray[np.int64], global_rate: npt.NDArray[Any],
               sim: Parameters, date: dt.date) -> npt.NDArray[np.int64]:
    own = pop.ua_group[first] if pop.ua_group is not None else np.zeros(first.shape[0],
                                                                          np.int64)
    mins = in_force(sim, "sim.ua_group_min_rate", date, field="date",
                    message="no rate → group mapping is known for this date")
    derived = np.zeros(first.shape[0], dtype=np.int64)
    for g in (3, 2, 1):  # the highest group reached wins
        derived = np.where(global_rate >= int(mins[g]), g, derived)
    return np.where(own > 0, own, derived).astype(np.int64)


def combined_digest(digests: dict[str, str]) -> str:
    text = "|".join(f"{k}:{digests[k]}" for k in sorted(digests))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def simulate(pop: Population, date: dt.date, reform: Reform | None = None, *,
             base: dict[str, Parameters] | None = None,
             progress: Progress | None = None) -> dict[str, Any]:
    """Baseline and reform over the population; a JSON-ready dict of results."""
    def tick(pct: int, step: str) -> None:
        if progress is not None:
            progress(pct, step)

    base = base or base_parameters()
    reformed = reform.apply(base) if reform is not None else base
    tick(5, "grouping")
    uniq, first = np.unique(np.asarray(pop.person_id), return_index=True)
    first = first.astype(np.int64)
    cache: dict[str, Any] = {}
    tick(10, "baseline")
    b = _side(pop, date, base, None, first, cache)
    tick(50, "reform")
    r = _side(pop, date, reformed, reform, first, cache)
    tick(85, "aggregating")
    out = aggregate(pop, first, b, r, cache[base["fr"].digest].global_rate)
    out.update({
        "date": date.isoformat(), "rules_version": RULES_VERSION,
        "population": {"description": pop.description, "digest": pop.digest,
                       "persons": int(uniq.shape[0]), "rows": pop.rows,
                       "assumptions": list(pop.assumptions)},
        "reform_info": reform.as_dict() if reform is not None else None,
    })
    out["baseline"]["params"] = b.digests
    out["baseline"]["params_digest"] = combined_digest(b.digests)
    out["reform"]["params"] = r.digests
    out["reform"]["params_digest"] = combined_digest(r.digests)
    tick(100, "done")
    return out


def _eur(cents: int) -> float:
    return round(cents / 100, 2)


def _totals(cents: npt.NDArray[np.int64], ben: npt.NDArray[np.bool_],
            one_time: npt.NDArray[np.int64]) -> dict[str, Any]:
    total = int(cents.sum())
    count = int(ben.sum())
    return {"total_eur": _eur(total), "beneficiaries": count,
            "average_eur": _eur(total // count) if count else 0.0,
            "one_time_eur": _eur(int(one_time.sum()))}


def _group_rows(keys: npt.NDArray[Any], labels: list[str], b: _Side, r: _Side, *,
                keep_empty: bool = False) -> list[dict[str, Any]]:
    k = len(labels)
    persons = np.bincount(keys, minlength=k)
    bb = np.bincount(keys, weights=b.beneficiary, minlength=k).astype(np.int64)
    rb = np.bincount(keys, weights=r.beneficiary, minlength=k).astype(np.int64)
    # Sums in exact integers (bincount's float weights would round above 2^53 cents).
    bc = np.zeros(k, dtype=np.int64)
    rc = np.zeros(k, dtype=np.int64)
    _int_sum(bc, keys, b.cents)
    _int_sum(rc, keys, r.cents)
    rows = []
    for i, label in enumerate(labels):
        if persons[i] == 0 and not keep_empty:
            continue
        rows.append({
            "key": label, "persons": int(persons[i]),
            "baseline_beneficiaries": int(bb[i]), "baseline_total_eur": _eur(int(bc[i])),
            "baseline_average_eur": _eur(int(bc[i]) // int(bb[i])) if bb[i] else 0.0,
            "reform_beneficiaries": int(rb[i]), "reform_total_eur": _eur(int(rc[i])),
            "reform_average_eur": _eur(int(rc[i]) // int(rb[i])) if rb[i] else 0.0,
            "change_eur": _eur(int(rc[i]) - int(bc[i])),
        })
    return rows


def _int_sum(acc: npt.NDArray[np.int64], keys: npt.NDArray[Any],
             values: npt.NDArray[np.int64]) -> None:
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
    sums = np.add.reduceat(values[order], starts)
    acc[sk[starts]] += sums


def _by_attribute(values: npt.NDArray[Any] | None, first: npt.NDArray[np.int64], b: _Side,
                  r: _Side) -> list[dict[str, Any]]:
    if values is None:
        return []
    per_person = np.asarray(values)[first].astype(str)
    labels, keys = np.unique(per_person, return_inverse=True)
    return _group_rows(keys.astype(np.int64), [str(x) or "—" for x in labels.tolist()], b, r)


def aggregate(pop: Population, first: npt.NDArray[np.int64], b: _Side, r: _Side,
              global_rate: npt.NDArray[Any]) -> dict[str, Any]:
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
        "gained": int(gained.sum()), "lost": int(lost.sum()),
        "winners": {"count": int(win.sum()), "total_eur": _eur(int(diff[win].sum())),
                    "average_eur": _eur(int(diff[win].sum()) // int(win.sum()))
                    if win.any() else 0.0},
        "losers": {"count": int(lose.sum()), "total_eur": _eur(int(-diff[lose].sum())),
                   "average_eur": _eur(int(-diff[lose].sum()) // int(lose.sum()))
                   if lose.any() else 0.0},
        "unchanged": int((diff == 0).sum()),
        "by_band": _group_rows(band_keys, [label for _lo, _hi, label in BANDS], b, r,
                               keep_empty=True),
        "by_region": _by_attribute(pop.region, first, b, r),
        "by_status": _by_attribute(pop.status, first, b, r),
        "by_country": _by_attribute(pop.country, first, b, r),
    }
