"""Reforms: YAML overlays of the dated parameters, in the manner of OpenFisca reforms.

A reform file names the parameters it changes and, for each, either new dated values or a
scale factor from a date, with the reason for the change:

    name: Point value +5 %
    description: What the reform does, for the reader of the results
    parameters:
      fr.point_value:
        scale: 1.05            # every value in force from `from` on, times 1.05
        from: 2026-01-01
        round: 0.01            # quantum of the scaled values (default 0.01)
        rationale: Why
      fr.threshold_injury:
        values: {2026-01-01: 15}
        rationale: Why
    scenario:                  # optional: apply the French grid to Ukrainian cases
      kind: fr_grid_for_ua
      point_value_share: 0.25
      assumption: What the mapping assumes

`load_reform` validates the file (an unknown parameter or a malformed value raises
`InputError` naming it) and `Reform.apply` returns new `Parameters` with their own digest;
the law's files are never touched. Pure Python, no Django.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .parameters import (
    DatedValue,
    Parameter,
    ParameterError,
    Parameters,
    default_set,
    default_sets,
    overlay,
)

REFORMS_DIR = Path(__file__).parent / "reforms"
PREFIXES = ("fr", "ua", "sim")
SCENARIO_KINDS = ("fr_grid_for_ua",)
MAX_TEXT = 100_000


@dataclass(frozen=True)
class Change:
    name: str
    rationale: str
    scale: Decimal | None = None
    start: dt.date | None = None
    quantum: Decimal = Decimal("0.01")
    values: tuple[tuple[dt.date, Any], ...] = ()


@dataclass(frozen=True)
class Scenario:
    """The French grid applied to Ukrainian cases: the French PMI on the case's infirmity
    rates, with `point_value_share` of the French point value (an assumption, stated)."""

    kind: str
    point_value_share: Decimal
    assumption: str


@dataclass(frozen=True)
class Reform:
    name: str
    description: str
    changes: tuple[Change, ...]
    scenario: Scenario | None
    text: str
    digest: str
    params_used: tuple[str, ...] = field(default=())

    def apply(self, base: dict[str, Parameters]) -> dict[str, Parameters]:
        """`base` maps a prefix ("fr", "ua", "sim") to its parameters; returns the reformed
        sets (unchanged sets are returned as they are, with their own digest)."""
        out = dict(base)
        for prefix in PREFIXES:
            mine = {c.name: c for c in self.changes if c.name.startswith(prefix + ".")}
            if not mine:
                continue
            p = base[prefix]
            replaced = {name: _changed(p[name], change) for name, change in mine.items()}
            out[prefix] = overlay(p, replaced, label=self.digest)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "digest": self.digest,
            "changes": [
                {
                    "parameter": c.name,
                    "rationale": c.rationale,
                    "scale": str(c.scale) if c.scale is not None else None,
                    "from": c.start.isoformat() if c.start else None,
                    "values": {d.isoformat(): _plain(v) for d, v in c.values},
                }
                for c in self.changes
            ],
            "scenario": None
            if self.scenario is None
            else {
                "kind": self.scenario.kind,
                "point_value_share": str(self.scenario.point_value_share),
                "assumption": self.scenario.assumption,
            },
        }


def simulation_parameters() -> Parameters:
    """Assumptions of the simulation itself (exchange rate, rate → Ukrainian group), in the
    parameter format so a reform may overlay them and a run records their digest."""
    return default_set("sim")


def base_parameters() -> dict[str, Parameters]:
    """The shipped sets a reform overlays, by prefix (`parameters.default_sets`)."""
    return default_sets()


def example_reforms() -> dict[str, Path]:
    """The reforms shipped with the rules, by file stem."""
    return {path.stem: path for path in sorted(REFORMS_DIR.glob("*.yaml"))}


def load_reform(path: str | Path) -> Reform:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("reform", f"cannot read {path}: {exc}") from exc
    return parse_reform(text)


def parse_reform(text: str, base: dict[str, Parameters] | None = None) -> Reform:
    if len(text) > MAX_TEXT:
        raise InputError("reform", f"at most {MAX_TEXT} characters")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError("reform", f"not valid YAML: {str(exc)[:200]}") from exc
    if not isinstance(data, dict):
        raise InputError("reform", "must be a YAML mapping with name, description, parameters")
    known = {"name", "description", "parameters", "scenario"}
    for key in data:
        if key not in known:
            raise InputError(str(key), "unknown field of a reform")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError("name", "required: a short name for the reform")
    if len(name.strip()) > 200:
        raise InputError("name", "at most 200 characters")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise InputError("description", "must be text")
    base = base or base_parameters()
    raw = data.get("parameters") or {}
    if not isinstance(raw, dict):
        raise InputError("parameters", "must be a mapping of parameter name to change")
    changes = tuple(_parse_change(str(pname), spec, base) for pname, spec in raw.items())
    scenario = _parse_scenario(data.get("scenario"))
    if not changes and scenario is None:
        raise InputError("parameters", "a reform changes at least one parameter or sets a scenario")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    reform = Reform(
        name.strip(),
        description.strip(),
        changes,
        scenario,
        text,
        digest,
        tuple(c.name for c in changes),
    )
    reform.apply(base)  # every change must produce a valid series
    return reform


def _parse_change(pname: str, spec: Any, base: dict[str, Parameters]) -> Change:
    where = f"parameters.{pname}"
    prefix = pname.split(".", 1)[0]
    if prefix not in base:
        raise InputError(where, f"unknown parameter (names start with {', '.join(PREFIXES)})")
    try:
        param = base[prefix][pname]
    except ParameterError as exc:
        raise InputError(where, "unknown parameter") from exc
    if not isinstance(spec, dict):
        raise InputError(where, "must be a mapping with scale/from or values, and rationale")
    for key in spec:
        if key not in {"scale", "from", "round", "values", "rationale"}:
            raise InputError(f"{where}.{key}", "unknown field")
    rationale = spec.get("rationale")
    if not isinstance(rationale, str) or not rationale.strip():
        raise InputError(f"{where}.rationale", "required: why this parameter changes")
    if ("scale" in spec) == ("values" in spec):
        raise InputError(where, "give either scale (with from) or values, not both")
    if "scale" in spec:
        factor = _number(spec["scale"], f"{where}.scale")
        if factor <= 0:
            raise InputError(f"{where}.scale", "must be greater than 0")
        start = spec.get("from")
        if not isinstance(start, dt.date):
            raise InputError(f"{where}.from", "required with scale: a date as YYYY-MM-DD")
        quantum = _number(spec.get("round", "0.01"), f"{where}.round")
        if quantum <= 0:
            raise InputError(f"{where}.round", "must be greater than 0")
        if not _numeric(param.values[-1].value):
            raise InputError(
                f"{where}.scale",
                "this parameter is not a number or a table of numbers: give values instead",
            )
        return Change(pname, rationale.strip(), scale=factor, start=start, quantum=quantum)
    values = spec["values"]
    if not isinstance(values, dict) or not values:
        raise InputError(f"{where}.values", "must map dates (YYYY-MM-DD) to values")
    parsed: list[tuple[dt.date, Any]] = []
    sample = param.values[-1].value
    for start, value in values.items():
        if not isinstance(start, dt.date):
            raise InputError(f"{where}.values", f"'{start}' is not a date as YYYY-MM-DD")
        parsed.append((start, _typed_like(value, sample, f"{where}.values.{start}")))
    return Change(pname, rationale.strip(), values=tuple(sorted(parsed, key=lambda x: x[0])))


def _parse_scenario(raw: Any) -> Scenario | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InputError("scenario", "must be a mapping with kind")
    for key in raw:
        if key not in {"kind", "point_value_share", "assumption"}:
            raise InputError(f"scenario.{key}", "unknown field")
    kind = raw.get("kind")
    if kind not in SCENARIO_KINDS:
        raise InputError("scenario.kind", f"must be one of {', '.join(SCENARIO_KINDS)}")
    share = _number(raw.get("point_value_share"), "scenario.point_value_share")
    if not 0 < share <= 10:
        raise InputError("scenario.point_value_share", "must be above 0 and at most 10")
    assumption = raw.get("assumption")
    if not isinstance(assumption, str) or not assumption.strip():
        raise InputError("scenario.assumption", "required: state what the mapping assumes")
    return Scenario(kind, share, assumption.strip())


def _number(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(where, "must be a number")
    try:
        d = Decimal(str(value))
    except InvalidOperation as exc:
        raise InputError(where, "must be a number") from exc
    if not d.is_finite():
        raise InputError(where, "must be a finite number")
    return d


def _numeric(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value) and all(_numeric(v) for v in value.values())
    return isinstance(value, Decimal)


def _typed_like(value: Any, sample: Any, where: str) -> Any:
    """The new value, converted as the law's files are, and of the same shape as `sample`."""
    if isinstance(sample, bool):
        if not isinstance(value, bool):
            raise InputError(where, "must be true or false")
        return value
    if isinstance(sample, Decimal):
        d = _number(value, where)
        if d < 0:
            raise InputError(where, "must not be negative")
        return d
    if isinstance(sample, dict):
        if not isinstance(value, dict):
            raise InputError(where, f"must be a table with keys {', '.join(map(str, sample))}")
        missing = [k for k in sample if k not in value]
        extra = [k for k in value if k not in sample]
        if missing or extra:
            raise InputError(where, f"keys must be {', '.join(map(str, sample))}")
        return {k: _typed_like(value[k], sample[k], f"{where}.{k}") for k in sample}
    if isinstance(sample, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(where, "must be a list of names")
        return list(value)
    if not isinstance(value, str):
        raise InputError(where, "must be text")
    return value


def _scaled(value: Any, factor: Decimal, quantum: Decimal) -> Any:
    if isinstance(value, dict):
        return {k: _scaled(v, factor, quantum) for k, v in value.items()}
    if isinstance(value, Decimal):
        return (value * factor).quantize(quantum, rounding=ROUND_HALF_UP)
    return value


def _changed(param: Parameter, change: Change) -> Parameter:
    ref = f"reform: {change.rationale}"
    entries = {v.start: v for v in param.values}
    if change.scale is not None and change.start is not None:
        try:
            in_force = param.entry_at(change.start)
        except ParameterError:
            in_force = None
        if in_force is not None and change.start not in entries:
            entries[change.start] = DatedValue(change.start, in_force.value, in_force.reference)
        for start, entry in list(entries.items()):
            if start >= change.start and entry.value is not None:
                entries[start] = DatedValue(
                    start,
                    _scaled(entry.value, change.scale, change.quantum),
                    ref,
                    f"× {change.scale}",
                )
    for start, value in change.values:
        entries[start] = DatedValue(start, value, ref)
    return replace(param, values=tuple(entries[d] for d in sorted(entries)))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
