"""Dated legal parameters read from YAML.

Each parameter file holds one or more parameters:

    point_value:
      description: Value of the PMI index point
      unit: EUR
      reference: https://…              # the article that defines the parameter
      uncertain: why, if the law is unclear   # optional
      known_until: 2026-12-31             # optional: end of knowledge, later dates refused
      values:
        2024-01-01: {value: 15.90, reference: https://…}   # the act that set this value
        2017-01-01: {value: 14.40, reference: https://…, uncertain: one source only}

Loading happens once, at the edges: the command line and the Django apps take the law as
shipped from `default_set(country)` (or a frozen snapshot, `Parameters.from_files`, or a
reform overlay, `overlay`) and hand it to the calculators, which never load files themselves
(tests/rules/test_parameters_given.py). Every set carries a `digest` of its files (and of the
reform overlaid), recorded with the results.

`Parameters.at(date)` returns the values in force on that date; a law change is a new dated
entry, never an edit of code. `known_until` is the last date for which the series is known
to be complete (e.g. the year's revaluation has been checked): a later date is refused with
"no value in force at DATE" rather than priced at the last known value. An entry may carry its
own `uncertain:` note (a value resting on a single source).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PARAMS_DIR = Path(__file__).parent / "params"
SIMULATION_FILE = Path(__file__).parent / "simulation.yaml"
COUNTRIES = ("fr", "ua")


class ParameterError(LookupError):
    pass


@dataclass(frozen=True)
class DatedValue:
    start: dt.date
    value: Any
    reference: str
    note: str = ""
    uncertain: str = ""


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    reference: str
    values: tuple[DatedValue, ...]  # sorted by start date
    uncertain: str = ""
    known_until: dt.date | None = None

    def entry_at(self, date: dt.date) -> DatedValue:
        if self.known_until is not None and date > self.known_until:
            raise ParameterError(
                f"{self.name}: no value in force at {date.isoformat()} "
                f"(known until {self.known_until.isoformat()})"
            )
        found: DatedValue | None = None
        for entry in self.values:
            if entry.start <= date:
                found = entry
            else:
                break
        if found is None or found.value is None:
            raise ParameterError(f"{self.name}: no value in force at {date.isoformat()}")
        return found

    def at(self, date: dt.date) -> Any:
        return self.entry_at(date).value

    def change_dates(self) -> list[dt.date]:
        return [v.start for v in self.values]


def _to_decimal(value: Any) -> Any:
    """Numbers become Decimal (exact law arithmetic); containers are converted recursively."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_decimal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_decimal(v) for v in value]
    return value


def _parse_file(path: Path, prefix: str) -> dict[str, Parameter]:
    return _parse_text(path.read_text(encoding="utf-8"), path, prefix)


def _parse_text(text: str, path: Path, prefix: str) -> dict[str, Parameter]:
    data = yaml.safe_load(text) or {}
    out: dict[str, Parameter] = {}
    for key, spec in data.items():
        name = f"{prefix}.{key}"
        for required in ("description", "unit", "reference", "values"):
            if required not in spec:
                raise ParameterError(f"{path.name}: {key} lacks '{required}'")
        values = []
        for start, entry in spec["values"].items():
            if not isinstance(start, dt.date):
                raise ParameterError(f"{path.name}: {key}: '{start}' is not a date")
            if not isinstance(entry, dict) or "value" not in entry or "reference" not in entry:
                raise ParameterError(f"{path.name}: {key} {start}: needs value and reference")
            values.append(
                DatedValue(
                    start,
                    _to_decimal(entry["value"]),
                    entry["reference"],
                    entry.get("note", ""),
                    entry.get("uncertain", ""),
                )
            )
        values.sort(key=lambda v: v.start)
        known_until = spec.get("known_until")
        if known_until is not None and not isinstance(known_until, dt.date):
            raise ParameterError(f"{path.name}: {key}: known_until '{known_until}' is not a date")
        out[name] = Parameter(
            name,
            spec["description"],
            spec["unit"],
            spec["reference"],
            tuple(values),
            spec.get("uncertain", ""),
            known_until,
        )
    return out


class Parameters:
    """All parameters of one country tree, e.g. `Parameters.load("fr")`."""

    def __init__(
        self,
        params: dict[str, Parameter],
        digest: str,
        files: dict[str, str] | None = None,
        country: str = "",
    ) -> None:
        self.params = params
        self.digest = digest
        self.files = files or {}  # file name → YAML text, for a frozen snapshot
        self.country = country

    @classmethod
    def load(cls, country: str, root: Path = PARAMS_DIR) -> Parameters:
        return _load_cached(country, str(root))

    @classmethod
    def from_files(cls, country: str, files: dict[str, str]) -> Parameters:
        """Parameters from a frozen snapshot (`self.files`), e.g. to replay an old decision
        exactly after the YAML files changed. The digest is recomputed, so a tampered
        snapshot shows."""
        params: dict[str, Parameter] = {}
        sha = hashlib.sha256()
        for name in sorted(files):
            sha.update(files[name].encode("utf-8"))
            params.update(_parse_text(files[name], Path(name), country))
        return cls(params, sha.hexdigest()[:16], dict(files), country)

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.params[name]
        except KeyError as exc:
            raise ParameterError(f"unknown parameter {name}") from exc

    def at(self, name: str, date: dt.date) -> Any:
        return self[name].at(date)

    def get(self, name: str, date: dt.date, default: Any = None) -> Any:
        """The value at `date`, or `default` when the parameter is absent (a frozen snapshot
        taken before the parameter existed) or has no value then."""
        if name not in self.params:
            return default
        try:
            return self.params[name].at(date)
        except ParameterError:
            return default

    def ref(self, name: str, date: dt.date) -> str:
        """The reference of the value in force (the act), else the parameter's article."""
        entry = self[name].entry_at(date)
        return entry.reference or self[name].reference

    def all_change_dates(self) -> list[dt.date]:
        return sorted({d for p in self.params.values() for d in p.change_dates()})


@lru_cache(maxsize=8)
def _load_cached(country: str, root: str) -> Parameters:
    folder = Path(root) / country
    files = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.yaml"))}
    if not files:
        raise ParameterError(f"no parameters found in {folder}")
    loaded = Parameters.from_files(country, files)
    return loaded


def default_set(country: str) -> Parameters:
    """The law as shipped for `country` ("fr", "ua", or "sim" for the simulation's own
    assumptions), read once per process. The one provider of the edges (CLI, Django apps):
    the formulas receive their set and never call this."""
    if country == "sim":
        return _simulation_cached(str(SIMULATION_FILE))
    if country not in COUNTRIES:
        raise ParameterError(f"no parameters for '{country}'")
    return Parameters.load(country)


def default_sets() -> dict[str, Parameters]:
    """Every shipped set by prefix: what a reform overlays (`reform.Reform.apply`)."""
    return {"fr": default_set("fr"), "ua": default_set("ua"), "sim": default_set("sim")}


@lru_cache(maxsize=2)
def _simulation_cached(path: str) -> Parameters:
    file = Path(path)
    return Parameters.from_files("sim", {file.name: file.read_text(encoding="utf-8")})


def given(params: Parameters, country: str) -> Parameters:
    """The set a calculator was handed, checked: a missing set (None) or another country's is
    a programming error, named, rather than a lookup failing somewhere in the formula."""
    if not isinstance(params, Parameters):
        raise TypeError(
            f"a {country} parameter set is required, got {type(params).__name__}: "
            f"load it where the calculator is called, e.g. "
            f"default_set({country!r})"
        )
    if params.country and params.country != country:
        raise TypeError(f"a {country} parameter set is required, got the {params.country} set")
    return params


def overlay(base: Parameters, replaced: dict[str, Parameter], *, label: str) -> Parameters:
    """A new parameter set: `base` with some parameters replaced (a reform). Its digest
    derives from the base digest and `label` (the reform's own digest), so a run records
    which law it was computed with; `files` stays the base snapshot."""
    unknown = sorted(set(replaced) - set(base.params))
    if unknown:
        raise ParameterError(f"unknown parameter {unknown[0]}")
    sha = hashlib.sha256(f"{base.digest}+{label}".encode())
    return Parameters(
        {**base.params, **replaced}, sha.hexdigest()[:16], dict(base.files), base.country
    )
