"""French military invalidity pension (PMI, CPMIVG): one case, computed exactly.

Steps: own rate of each infirmity with its L125-9 arithmetic additions → per-infirmity floor →
heads of L121-5 / L121-6 (injuries and war/OPEX/captivity diseases keep their own right from
10 %; ordinary diseases are added only when the global rate with them reaches 30 % / 40 %) →
global rate by the remaining-validity rule with rank majorations (L125-8) → rounding up to the
5-point step (L125-3) → degrees beyond 100 % (L125-10) → index points (R125-2 soldier or grade
table, R131-1 allowances n° 1–6 with 4 bis, R132-1, L133-1, D134-1) → amount = points × point
value in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ..errors import InputError
from ..explain import Join, Msg, Trace, render
from ..inputs import in_force, parse_date
from ..parameters import Parameters, given
from ..version import RULES_VERSION

CAUSES = ("injury", "disease")
CONTEXTS = ("peace", "war", "opex", "captivity")
ADDITIONS = ("chain", "arithmetic")
MAX_RATE_DECIMALS = 2
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
CASE_KEYS = frozenset(
    {
        "date",
        "grade",
        "infirmities",
        "third_person",
        "children",
        "grand_mutile",
        "left_service",
        "children_birth_dates",
    }
)
INFIRMITY_KEYS = frozenset(
    {
        "label",
        "rate",
        "cause",
        "context",
        "addition",
        "amputation_without_prosthesis",
        "arithmetic_addition",
        "third_person",
    }
)


@dataclass(frozen=True)
class Infirmity:
    label: str
    rate: Decimal
    cause: str = "injury"
    context: str = "peace"
    # "arithmetic": a L125-9 addition (e.g. limb troubles) attached to the infirmity before it
    # in the list (or to the principal one when it comes first); see docs/rules.md.
    addition: str = "chain"
    amputation_without_prosthesis: bool = False  # L125-9: +5 % to this infirmity's own rate
    arithmetic_addition: Decimal = Decimal(0)  # L125-9: added to this infirmity's own rate
    third_person: bool = False  # this infirmity alone requires a third person (L133-1 al. 2)


@dataclass(frozen=True)
class PmiCase:
    date: dt.date
    infirmities: tuple[Infirmity, ...]
    grade: str = "soldier"
    third_person: bool = False
    children: int = 0
    grand_mutile: bool = False
    left_service: bool = False  # R125-2: in active service every grade has the soldier rate
    children_birth_dates: tuple[dt.date, ...] | None = None


@dataclass(frozen=True)
class Own:
    """An infirmity as counted: its own rate with the L125-9 additions."""

    label: str
    rate: Decimal
    cause: str
    context: str
    third_person: bool
    privileged: bool  # an injury, or a disease of war, OPEX or captivity (L121-5 1°, L121-6)


@dataclass
class PmiResult:
    eligible: bool
    reason: str | None
    raw_rate: Decimal
    global_rate: int
    degrees: int
    points: Decimal
    point_value_eur: Decimal
    annual_amount_eur: Decimal
    threshold: Decimal
    steps: Trace
    warnings: list[str] = field(default_factory=list)
    params_digest: str = ""
    left_out: list[str] = field(default_factory=list)
    children_counted: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "reason": self.reason,
            "raw_rate": float(self.raw_rate),
            "global_rate": self.global_rate,
            "degrees": self.degrees,
            "threshold": float(self.threshold),
            "points": float(self.points),
            "point_value_eur": float(self.point_value_eur),
            "annual_amount_eur": float(self.annual_amount_eur),
            "left_out": self.left_out,
            "children_counted": self.children_counted,
            "warnings": self.warnings,
            "rules_version": RULES_VERSION,
            "params_digest": self.params_digest,
            "steps": self.steps.as_list(),
        }


# ---------------------------------------------------------------- input


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise InputError(name, "must be a number")
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise InputError(name, "must be a number") from exc
    if not d.is_finite():
        raise InputError(name, "must be a finite number")
    return d


def _bool(data: dict[str, Any], key: str, name: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise InputError(name, "must be true or false")
    return value


def _rate(value: Any, name: str, *, zero: bool = False) -> Decimal:
    rate = _decimal(value, name)
    if (rate < 0 if zero else rate <= 0) or rate > HUNDRED:
        raise InputError(
            name, ("must be from 0 to 100" if zero else "must be greater than 0 and at most 100")
        )
    if -rate.as_tuple().exponent > MAX_RATE_DECIMALS:  # type: ignore[operator]
        raise InputError(name, f"at most {MAX_RATE_DECIMALS} decimals")
    return rate


def parse_pmi_case(data: Any) -> PmiCase:
    """Validate the JSON case of `vetbridge rules fr-pmi`; errors name the field."""
    if not isinstance(data, dict):
        raise InputError("$", "the case must be a JSON object")
    for key in data:
        if key not in CASE_KEYS:
            raise InputError(key, "unknown field")
    if "date" not in data:
        raise InputError("date", "required")
    date = parse_date(data["date"])
    grade = data.get("grade", "soldier")
    if not isinstance(grade, str) or not grade:
        raise InputError("grade", "must be a grade name such as 'soldier'")
    infs = data.get("infirmities")
    if not isinstance(infs, list) or not infs:
        raise InputError("infirmities", "must be a non-empty list")
    if len(infs) > 50:
        raise InputError("infirmities", "at most 50 infirmities")
    parsed = []
    for i, inf in enumerate(infs):
        where = f"infirmities[{i}]"
        if not isinstance(inf, dict):
            raise InputError(where, "must be an object")
        for key in inf:
            if key not in INFIRMITY_KEYS:
                raise InputError(f"{where}.{key}", "unknown field")
        if "rate" not in inf:
            raise InputError(f"{where}.rate", "required")
        rate = _rate(inf["rate"], f"{where}.rate")
        cause = inf.get("cause", "injury")
        if cause not in CAUSES:
            raise InputError(f"{where}.cause", f"must be one of {', '.join(CAUSES)}")
        context = inf.get("context", "peace")
        if context not in CONTEXTS:
            raise InputError(f"{where}.context", f"must be one of {', '.join(CONTEXTS)}")
        addition = inf.get("addition", "chain")
        if addition not in ADDITIONS:
            raise InputError(f"{where}.addition", f"must be one of {', '.join(ADDITIONS)}")
        label = inf.get("label", f"#{i + 1}")
        if not isinstance(label, str) or len(label) > 300:
            raise InputError(f"{where}.label", "must be text of at most 300 characters")
        amputation = _bool(
            inf, "amputation_without_prosthesis", f"{where}.amputation_without_prosthesis"
        )
        extra = _rate(inf.get("arithmetic_addition", 0), f"{where}.arithmetic_addition", zero=True)
        third = _bool(inf, "third_person", f"{where}.third_person")
        if addition == "arithmetic" and (amputation or extra or third):
            raise InputError(
                f"{where}.addition",
                "an arithmetic addition cannot itself carry "
                "amputation_without_prosthesis, arithmetic_addition or "
                "third_person: put them on the infirmity it belongs to",
            )
        parsed.append(Infirmity(label, rate, cause, context, addition, amputation, extra, third))
    if all(inf.addition == "arithmetic" for inf in parsed):
        raise InputError(
            "infirmities[0].addition", "an arithmetic addition needs an infirmity to be added to"
        )
    third = _bool(data, "third_person", "third_person")
    gm = _bool(data, "grand_mutile", "grand_mutile")
    left = _bool(data, "left_service", "left_service")
    births: tuple[dt.date, ...] | None = None
    if "children_birth_dates" in data:
        raw = data["children_birth_dates"]
        if not isinstance(raw, list) or len(raw) > 30:
            raise InputError(
                "children_birth_dates", "must be a list of at most 30 dates as YYYY-MM-DD"
            )
        births = tuple(parse_date(b, f"children_birth_dates[{k}]") for k, b in enumerate(raw))
    children = data.get("children", len(births) if births is not None else 0)
    if isinstance(children, bool) or not isinstance(children, int) or not 0 <= children <= 30:
        raise InputError("children", "must be a whole number from 0 to 30")
    if births is not None and children != len(births):
        raise InputError(
            "children",
            f"must equal the number of children_birth_dates ({len(births)}) when both are given",
        )
    return PmiCase(date, tuple(parsed), grade, third, children, gm, left, births)


# ---------------------------------------------------------------- helpers


def _fmt(d: Decimal) -> str:
    text = format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def round_rate(raw: Decimal, step: Decimal, mode: str, cap: Decimal) -> int:
    rounding = {"up": ROUND_CEILING, "down": ROUND_FLOOR, "nearest": ROUND_HALF_UP}[mode]
    stepped = (raw / step).quantize(Decimal(1), rounding=rounding) * step
    return int(min(stepped, cap))


def check_grade(grade: str, p: Parameters, d: dt.date) -> None:
    """An unknown grade is refused, whatever the service status (review row 42)."""
    known = list(p.get("fr.grades", d, ["soldier"]))
    known += [g for g in p.at("fr.grade_principal_points", d) if g not in known]
    if grade not in known:
        raise InputError("grade", f"unknown grade '{grade[:60]}'; known grades: {', '.join(known)}")


def own_rates(
    case: PmiCase,
    p: Parameters,
    d: dt.date,
    t: Trace,
    warnings: list[str],
) -> list[Own]:
    """Each infirmity's own rate with its L125-9 additions, added arithmetically before the
    chain (old L15: "s'ajoute arithmétiquement au pourcentage … correspondant")."""
    privileged = set(p.at("fr.privileged_disease_contexts", d))
    amputation = Decimal(p.get("fr.amputation_without_prosthesis_addition", d, 0))
    cap = Decimal(p.at("fr.rate_cap", d))
    ref = (
        p.ref("fr.amputation_without_prosthesis_addition", d)
        if "fr.amputation_without_prosthesis_addition" in p.params
        else p.ref("fr.majoration_step", d)
    )
    infs = case.infirmities
    hosts = [i for i, inf in enumerate(infs) if inf.addition != "arithmetic"]
    principal = max(hosts, key=lambda i: (infs[i].rate, -i))
    attached: dict[int, list[Infirmity]] = {i: [] for i in hosts}
    last = None
    for i, inf in enumerate(infs):
        if inf.addition == "arithmetic":
            attached[last if last is not None else principal].append(inf)
        else:
            last = i
    out = []
    for i in hosts:
        inf = infs[i]
        rate = inf.rate
        parts: list[Msg] = []
        if inf.amputation_without_prosthesis and amputation:
            rate += amputation
            parts.append(Msg("+{rate} (amputation allowing no prosthesis)", rate=_fmt(amputation)))
        if inf.arithmetic_addition:
            rate += inf.arithmetic_addition
            parts.append(Msg("+{rate} (arithmetic addition)", rate=_fmt(inf.arithmetic_addition)))
        for extra in attached[i]:
            rate += extra.rate
            parts.append(Msg("+{rate} ('{label}')", rate=_fmt(extra.rate), label=extra.label))
        if parts:
            if rate > cap:
                warnings.append(
                    f"'{inf.label}': own rate {_fmt(rate)} % with its additions "
                    f"is counted at {_fmt(cap)} %"
                )
            shown = min(rate, cap)
            t.add(
                ref,
                _fmt(shown),
                "'{label}': {rate} % {additions} = {shown} % — added to its "
                "own rate before the chain (L125-9)",
                label=inf.label,
                rate=_fmt(inf.rate),
                additions=Join(" ", parts),
                shown=_fmt(shown),
            )
        out.append(
            Own(
                inf.label,
                min(rate, cap),
                inf.cause,
                inf.context,
                inf.third_person,
                inf.cause == "injury" or inf.context in privileged,
            )
        )
    return out


# ---------------------------------------------------------------- computation


@dataclass
class GlobalRate:
    raw: Decimal
    rate: int
    degrees: int
    beyond: bool  # L125-10: one infirmity at 100 % and others giving degrees


def global_rate_of(items: list[Own], p: Parameters, d: dt.date, t: Trace) -> GlobalRate:
    chain = sorted(items, key=lambda i: -i.rate)
    trigger = Decimal(p.at("fr.majoration_trigger", d))
    step = Decimal(p.at("fr.majoration_step", d))
    cap = Decimal(p.at("fr.rate_cap", d))
    degrees = 0
    beyond = False
    if chain[0].rate >= cap:
        raw, degrees = _beyond_hundred(chain, p, d, t)
        beyond = len(chain) > 1
    else:
        raw = _remaining_validity(chain, trigger, step, cap, p.ref("fr.majoration_step", d), t)
    rstep = Decimal(p.at("fr.rounding_step", d))
    mode = str(p.at("fr.rounding_mode", d))
    rate = round_rate(raw, rstep, mode, cap)
    t.add(
        p.ref("fr.rounding_step", d),
        rate,
        "{raw} % rounded to the {step}-point step ({mode}), capped at {cap} %: {rate} %",
        raw=_fmt(raw),
        step=_fmt(rstep),
        mode=mode,
        cap=_fmt(cap),
        rate=rate,
    )
    return GlobalRate(raw, rate, degrees, beyond)


def _reaches(g: GlobalRate, threshold: Decimal, p: Parameters, d: dt.date) -> tuple[bool, Decimal]:
    compared = g.raw if p.at("fr.threshold_compares_raw_rate", d) else Decimal(g.rate)
    return compared >= threshold, compared


def _labels(items: list[Own]) -> Join:
    """The infirmities' labels, each quoted as the language quotes."""
    return Join(", ", [Msg("'{label}'", label=i.label) for i in items])


def _threshold_step(
    t: Trace, ref: str, threshold: Decimal, compared: Decimal, ok: bool, why: Msg
) -> None:
    if ok:
        t.add(
            ref,
            ok,
            "Threshold for {case}: {threshold} %; the rate of {rate} % reaches it",
            case=why,
            threshold=_fmt(threshold),
            rate=_fmt(compared),
        )
    else:
        t.add(
            ref,
            ok,
            "Threshold for {case}: {threshold} %; the rate of {rate} % does not reach it",
            case=why,
            threshold=_fmt(threshold),
            rate=_fmt(compared),
        )


WHY_INJURY = Msg("injuries (or disease in war, captivity or external operations)")
WHY_SINGLE = Msg("a single disease")
WHY_MULTIPLE = Msg("several diseases")
WHY_MIXED = Msg("diseases added to the injuries")


def compute_pmi(case: PmiCase, params: Parameters) -> PmiResult:
    """The French PMI of one case under `params` (the law's files, a frozen snapshot or a
    reform overlay: the caller loads it, see `parameters.default_set`)."""
    p = given(params, "fr")
    d = case.date
    t = Trace()
    warnings: list[str] = []
    point_value = Decimal(in_force(p, "fr.point_value", d, field="date"))
    check_grade(case.grade, p, d)

    owns = own_rates(case, p, d, t, warnings)
    floor = Decimal(p.at("fr.infirmity_floor", d))
    counted: list[Own] = []
    for own in owns:
        if own.rate < floor:
            t.add(
                p.ref("fr.infirmity_floor", d),
                _fmt(own.rate),
                "'{label}' ({rate} %) is not counted: below {floor} %",
                label=own.label,
                rate=_fmt(own.rate),
                floor=_fmt(floor),
            )
        else:
            counted.append(own)

    if not counted:
        return PmiResult(
            False,
            "no infirmity reaches the minimum rate per infirmity",
            Decimal(0),
            0,
            0,
            Decimal(0),
            point_value,
            Decimal("0.00"),
            floor,
            t,
            warnings,
            p.digest,
        )

    privileged = [o for o in counted if o.privileged]
    ordinary = [o for o in counted if not o.privileged]
    left_out: list[Own] = []
    if not ordinary:
        name, why = "fr.threshold_injury", WHY_INJURY
    elif not privileged:
        name, why = (
            ("fr.threshold_disease_single", WHY_SINGLE)
            if len(ordinary) == 1
            else ("fr.threshold_disease_multiple", WHY_MULTIPLE)
        )
    else:
        rule = str(p.get("fr.ordinary_diseases_added_when", d, "mixed"))
        only_diseases = all(o.cause == "disease" for o in privileged)
        name = (
            "fr.threshold_disease_multiple"
            if only_diseases and rule == "disease_multiple"
            else "fr.threshold_mixed"
        )
        why = WHY_MULTIPLE if name == "fr.threshold_disease_multiple" else WHY_MIXED
    threshold = Decimal(p.at(name, d))
    g = global_rate_of(counted, p, d, t)
    eligible, compared = _reaches(g, threshold, p, d)
    _threshold_step(t, p.ref(name, d), threshold, compared, eligible, why)
    retained = counted
    if not eligible and ordinary and privileged:
        # L121-5 1° and 2° are separate heads (CE 30 June 2023 n° 467854): the injuries and
        # the war/OPEX/captivity diseases keep their own right; the ordinary diseases are
        # left out.
        left_out = ordinary
        retained = privileged
        ref_heads = (
            p.ref("fr.ordinary_diseases_added_when", d)
            if "fr.ordinary_diseases_added_when" in p.params
            else p.ref(name, d)
        )
        t.add(
            ref_heads,
            [o.label for o in left_out],
            "The peacetime diseases {labels} are not added: with them the rate is {rate} % "
            "< {threshold} % (L121-5 2°). The pension is computed on the injuries and war, "
            "OPEX or captivity diseases alone (L121-5 1°, L121-6)",
            labels=_labels(left_out),
            rate=_fmt(compared),
            threshold=_fmt(threshold),
        )
        name, why = "fr.threshold_injury", WHY_INJURY
        threshold = Decimal(p.at(name, d))
        g = global_rate_of(privileged, p, d, t)
        eligible, compared = _reaches(g, threshold, p, d)
        _threshold_step(t, p.ref(name, d), threshold, compared, eligible, why)
    left_labels = [o.label for o in left_out]
    if not eligible:
        return PmiResult(
            False,
            f"global rate {_fmt(compared)} % is below the threshold of "
            f"{_fmt(threshold)} % for {render(why, 'en')}",
            g.raw,
            g.rate,
            g.degrees,
            Decimal(0),
            point_value,
            Decimal("0.00"),
            threshold,
            t,
            warnings,
            p.digest,
            left_labels,
        )

    points, n_children = _points(case, retained, g, p, t, warnings)
    amount = (points * point_value).quantize(CENT, rounding=ROUND_HALF_UP)
    entry = p["fr.point_value"].entry_at(d)
    if entry.uncertain:
        warnings.append(
            f"point value {_fmt(point_value)} EUR in force from {entry.start} is "
            f"uncertain: {entry.uncertain}"
        )
    t.add(
        p.ref("fr.point_value", d),
        float(amount),
        "Annual amount: {points} points × €{point_value} = €{amount}",
        points=_fmt(points),
        point_value=_fmt(point_value),
        amount=amount,
    )
    return PmiResult(
        True,
        None,
        g.raw,
        g.rate,
        g.degrees,
        points,
        point_value,
        amount,
        threshold,
        t,
        warnings,
        p.digest,
        left_labels,
        n_children,
    )


def _remaining_validity(
    chain: list[Own], trigger: Decimal, step: Decimal, cap: Decimal, ref: str, t: Trace
) -> Decimal:
    principal = chain[0]
    raw = principal.rate
    remaining = HUNDRED - raw
    majorations = principal.rate >= trigger
    t.add(
        ref,
        _fmt(raw),
        "The principal infirmity '{label}' counts in full: {rate} %",
        label=principal.label,
        rate=_fmt(raw),
    )
    if len(chain) > 1 and majorations:
        t.add(
            ref,
            majorations,
            "Principal ≥ {trigger} %: the next ones are raised by 5, 10, 15… points",
            trigger=_fmt(trigger),
        )
    elif len(chain) > 1:
        t.add(
            ref, majorations, "Principal < {trigger} %: no rank majoration", trigger=_fmt(trigger)
        )
    for rank, inf in enumerate(chain[1:], start=2):
        raised = min(inf.rate + step * (rank - 1), cap) if majorations else inf.rate
        part = raised * remaining / HUNDRED
        raw += part
        t.add(
            ref,
            _fmt(raw),
            "Rank {rank}: '{label}' {rate} % → {raised} % of the remaining "
            "validity {remaining} % = {part}; total {total} %",
            rank=rank,
            label=inf.label,
            rate=_fmt(inf.rate),
            raised=_fmt(raised),
            remaining=_fmt(remaining),
            part=_fmt(part),
            total=_fmt(raw),
        )
        remaining -= part
    return raw


def _beyond_hundred(
    chain: list[Own],
    p: Parameters,
    d: dt.date,
    t: Trace,
) -> tuple[Decimal, int]:
    """L125-10: one infirmity at 100 %; the others give degrees of 10 %."""
    ref = p.ref("fr.degree_points", d)
    step = Decimal(p.at("fr.majoration_step", d))
    size = Decimal(p.at("fr.degree_size", d))
    cap_deg = Decimal(p.at("fr.degree_majoration_cap", d))
    extra = chain[1:]
    with_majoration = len(extra) >= 2
    t.add(
        ref,
        100,
        "'{label}' is 100 %: the other infirmities give degrees (L125-10)",
        label=chain[0].label,
    )
    total = Decimal(0)
    for k, inf in enumerate(extra, start=1):
        maj = step * k if with_majoration else Decimal(0)
        if total >= cap_deg * size:
            maj = min(maj, inf.rate)
        total += inf.rate + maj
        t.add(
            ref,
            _fmt(total),
            "'{label}' {rate} % + majoration {majoration} → total {total} %",
            label=inf.label,
            rate=_fmt(inf.rate),
            majoration=_fmt(maj),
            total=_fmt(total),
        )
    mode = str(p.at("fr.degree_rounding", d))
    degrees = int(
        (total / size).quantize(
            Decimal(1), rounding=ROUND_FLOOR if mode == "down" else ROUND_CEILING
        )
    )
    if extra:
        t.add(
            ref,
            degrees,
            "{total} % ÷ {size} = {degrees} degrees ({mode})",
            total=_fmt(total),
            size=_fmt(size),
            degrees=degrees,
            mode=mode,
        )
    return HUNDRED, degrees


def _table(value: dict[Any, Any], rate: int) -> Decimal | None:
    v = value.get(rate)
    return None if v is None else Decimal(v)


def soldier_points(p: Parameters, d: dt.date, rate: int) -> Decimal:
    v = _table(p.at("fr.soldier_principal_points", d), rate)
    if v is None:
        raise InputError("global_rate", f"no R125-2 row for {rate} %")
    return v


def band_points(bands: dict[Any, Any], value: Decimal) -> Decimal:
    """Points of the highest band whose start is at most `value` (0 below the first band)."""
    found = Decimal(0)
    for start in sorted(bands, key=lambda k: Decimal(k)):
        if value >= Decimal(start):
            found = Decimal(bands[start])
    return found


def count_children(case: PmiCase, p: Parameters, d: dt.date, t: Trace) -> int:
    """Children qualifying at the date: from their birth dates when given (age limit a
    parameter), else the number given."""
    if case.children_birth_dates is None:
        return case.children
    limit = int(p.get("fr.child_age_limit", d, 18))
    ref = (
        p.ref("fr.child_age_limit", d)
        if "fr.child_age_limit" in p.params
        else p.ref("fr.child_fraction", d)
    )
    counted = 0
    for k, born in enumerate(case.children_birth_dates, start=1):
        age = d.year - born.year - ((d.month, d.day) < (born.month, born.day))
        ok = born <= d and age < limit
        counted += ok
        if born > d:
            status = Msg("not yet born")
        elif ok:
            status = Msg("{age} years < {limit}: counted", age=age, limit=limit)
        else:
            status = Msg("{age} years ≥ {limit}: not counted", age=age, limit=limit)
        t.add(
            ref,
            ok,
            "Child {number} (born {born}): {status}",
            number=k,
            born=born.isoformat(),
            status=status,
        )
    return counted


def _principal_points(
    case: PmiCase,
    rate: int,
    p: Parameters,
    d: dt.date,
    t: Trace,
) -> Decimal:
    principal = soldier_points(p, d, rate)
    ref = p.ref("fr.soldier_principal_points", d)
    t.add(
        ref,
        float(principal),
        "Principal pension at the soldier rate for {rate} %: {points} points (R125-2)",
        rate=rate,
        points=_fmt(principal),
    )
    if case.grade == "soldier":
        return principal
    if not case.left_service:
        t.add(
            ref,
            case.grade,
            "Grade '{grade}', still in active service: the soldier rate "
            "applies to every grade (R125-2)",
            grade=case.grade,
        )
        return principal
    grade_pts = _table(p.at("fr.grade_principal_points", d).get(case.grade, {}), rate)
    if grade_pts is None:
        raise InputError(
            "grade",
            f"the grade table of '{case.grade}' at {rate} % (CPMIVG "
            "Annexe 1) is not loaded: a pension after leaving the "
            "service cannot be priced for this grade",
        )
    t.add(
        p.ref("fr.grade_principal_points", d),
        float(grade_pts),
        "Left the service: rate of the grade '{grade}' at {rate} %: {points} points",
        grade=case.grade,
        rate=rate,
        points=_fmt(grade_pts),
    )
    return grade_pts


def _points(
    case: PmiCase, retained: list[Own], g: GlobalRate, p: Parameters, t: Trace, warnings: list[str]
) -> tuple[Decimal, int]:
    d = case.date
    rate, degrees = g.rate, g.degrees
    ref = p.ref("fr.soldier_principal_points", d)
    principal = _principal_points(case, rate, p, d, t)
    total = principal
    deg_pts = Decimal(0)
    # Grands invalides allowances n° 1–5 bis: not cumulative, the most favourable is paid.
    allowance = Decimal(0)
    allowance_name = ""
    gi_param = (
        "fr.grand_invalide_points_with_gm" if case.grand_mutile else "fr.grand_invalide_points"
    )
    gi = _table(p.at(gi_param, d), rate)
    if gi is not None:
        allowance, allowance_name = gi, {85: "1", 90: "2", 95: "3", 100: "4"}[rate]
    if degrees > 0:
        per_degree = Decimal(p.at("fr.degree_points", d))
        deg_pts = per_degree * degrees
        total += deg_pts
        t.add(
            p.ref("fr.degree_points", d),
            float(deg_pts),
            "{degrees} degrees × {per_degree} = {points} points",
            degrees=degrees,
            per_degree=_fmt(per_degree),
            points=_fmt(deg_pts),
        )
        a5 = Decimal(p.at("fr.allocation_5_base", d)) + Decimal(
            p.at("fr.allocation_5_per_degree", d)
        ) * max(degrees - 1, 0)
        if a5 > allowance:
            allowance, allowance_name = a5, "5"
    # Third person (L133-1): a quarter of the pension, the whole pension when two infirmities
    # would each alone give the right (al. 2).
    alone = [o for o in retained if o.third_person]
    asked = case.third_person or bool(alone)
    third = asked and rate >= int(p.at("fr.third_person_min_rate", d))
    if asked and not third:
        warnings.append(
            "third-person majoration needs a global rate of "
            f"{_fmt(Decimal(p.at('fr.third_person_min_rate', d)))} % "
            "(uncertain minimum, review row 38)"
        )
    if third:
        two = len(alone) >= 2 and "fr.third_person_two_infirmities_fraction" in p.params
        fname = "fr.third_person_two_infirmities_fraction" if two else "fr.third_person_fraction"
        fraction = Decimal(p.at(fname, d))
        base_kind = str(p.get("fr.third_person_base", d, "principal"))
        base = principal + (deg_pts if base_kind == "principal_and_degrees" else 0)
        maj = base * fraction
        total += maj
        why = (
            Msg(
                "two infirmities ({labels}) would each alone require a third person: the "
                "whole pension",
                labels=_labels(alone),
            )
            if two
            else Msg("a quarter of the pension")
        )
        t.add(
            p.ref(fname, d),
            float(maj),
            "Third-person majoration (L133-1), {why}: {base} × {fraction} = {points} points",
            why=why,
            base=_fmt(base),
            fraction=_fmt(fraction),
            points=_fmt(maj),
        )
        a5bis = Decimal(p.at("fr.allocation_5bis", d))
        if a5bis > allowance:
            allowance, allowance_name = a5bis, "5 bis"
    if allowance:
        total += allowance
        t.add(
            p.ref("fr.grand_invalide_points", d),
            float(allowance),
            "Grand invalide allowance n° {number}: {points} points (n° 1 to 5 bis not "
            "cumulative, the most favourable)",
            number=allowance_name,
            points=_fmt(allowance),
        )
    # Allocation n° 6 (old L32): L125-10 and L133-1 together; cumulates with n° 5 bis.
    if third and degrees > 0 and "fr.allocation_6_per_degree" in p.params:
        if len(alone) >= 2:
            extra = p.at("fr.allocation_6_extra_per_degree_beyond", d)
            beyond = max(degrees - int(extra["from_degree"]), 0)
            a6 = (
                Decimal(p.at("fr.allocation_6_two_infirmities", d))
                + Decimal(extra["points"]) * beyond
            )
            how = f"1 250 + {_fmt(Decimal(extra['points']))} × {beyond}"
        else:
            per = Decimal(p.at("fr.allocation_6_per_degree", d))
            a6 = per * degrees
            how = f"{_fmt(per)} × {degrees}"
        total += a6
        t.add(
            p.ref("fr.allocation_6_per_degree", d),
            float(a6),
            "Allocation n° 6 (degrees beyond 100 % and third person, cumulates with 5 bis): "
            "{how} = {points} points",
            how=how,
            points=_fmt(a6),
        )
    # Allocation n° 4 bis (old L34, R131-2 I): 95/100 % for several infirmities, the most
    # serious ≥ 85 %, without L125-10 or L133-1; by the arithmetic sum of the rates.
    if (
        "fr.allocation_4bis_points" in p.params
        and not third
        and degrees == 0
        and not g.beyond
        and len(retained) >= 2
        and rate >= int(p.at("fr.allocation_4bis_min_rate", d))
        and max(o.rate for o in retained) >= Decimal(p.at("fr.allocation_4bis_min_principal", d))
    ):
        rstep = Decimal(p.at("fr.rounding_step", d))
        total_rates = sum((o.rate for o in retained), Decimal(0))
        summed = (total_rates / rstep).quantize(Decimal(1), rounding=ROUND_CEILING) * rstep
        a4bis = band_points(p.at("fr.allocation_4bis_points", d), summed)
        t.add(
            p.ref("fr.allocation_4bis_points", d),
            float(a4bis),
            "Allocation n° 4 bis: arithmetic sum of the rates {sum} % → {rounded} %: "
            "{points} points (cumulates with n° 3/4)",
            sum=_fmt(total_rates),
            rounded=_fmt(summed),
            points=_fmt(a4bis),
        )
        total += a4bis
    if case.grand_mutile:
        gm = _table(p.at("fr.grand_mutile_points", d), rate)
        if gm is None:
            warnings.append("grand mutilé allowance needs a global rate of at least 85 %")
        else:
            total += gm
            t.add(
                p.ref("fr.grand_mutile_points", d),
                float(gm),
                "Grand mutilé allowance (R132-1): {points} points",
                points=_fmt(gm),
            )
    n_children = count_children(case, p, d, t)
    if n_children:
        if rate <= int(p.at("fr.child_max_rate", d)):
            child = soldier_points(p, d, rate) * Decimal(p.at("fr.child_fraction", d))
            add = child * n_children
            total += add
            t.add(
                p.ref("fr.child_fraction", d),
                float(add),
                "Children majoration (D134-1): {children} × {per_child} = {points} points",
                children=n_children,
                per_child=_fmt(child),
                points=_fmt(add),
            )
        else:
            t.add(p.ref("fr.child_max_rate", d), 0, "No children majoration at this rate")
    t.add(ref, float(total), "Total: {points} points", points=_fmt(total))
    return total, n_children


def compute_pmi_json(data: Any, params: Parameters) -> dict[str, Any]:
    return compute_pmi(parse_pmi_case(data), params).as_dict()
