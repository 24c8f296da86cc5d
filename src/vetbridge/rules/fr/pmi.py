"""French military invalidity pension (PMI, CPMIVG): one case, computed exactly.

Steps: per-infirmity floor → eligibility threshold (L121-4 to L121-6) → global rate by the
remaining-validity rule with rank majorations (L125-8) and arithmetic additions (L125-9) →
rounding up to the 5-point step (L125-3) → degrees beyond 100 % (L125-10) → index points
(R125-2, R131-1, R132-1, L133-1, D134-1) → amount = points × point value in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ..errors import InputError
from ..explain import Trace
from ..inputs import in_force, parse_date
from ..parameters import Parameters
from ..version import RULES_VERSION

CAUSES = ("injury", "disease")
CONTEXTS = ("peace", "war", "opex", "captivity")
ADDITIONS = ("chain", "arithmetic")
MAX_RATE_DECIMALS = 2
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Infirmity:
    label: str
    rate: Decimal
    cause: str = "injury"
    context: str = "peace"
    addition: str = "chain"  # "arithmetic": L125-9 exceptions, added outside the chain


@dataclass(frozen=True)
class PmiCase:
    date: dt.date
    infirmities: tuple[Infirmity, ...]
    grade: str = "soldier"
    third_person: bool = False
    children: int = 0
    grand_mutile: bool = False


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


def parse_pmi_case(data: Any) -> PmiCase:
    """Validate the JSON case of `vetbridge rules fr-pmi`; errors name the field."""
    if not isinstance(data, dict):
        raise InputError("$", "the case must be a JSON object")
    known = {"date", "grade", "infirmities", "third_person", "children", "grand_mutile"}
    for key in data:
        if key not in known:
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
            if key not in ("label", "rate", "cause", "context", "addition"):
                raise InputError(f"{where}.{key}", "unknown field")
        if "rate" not in inf:
            raise InputError(f"{where}.rate", "required")
        rate = _decimal(inf["rate"], f"{where}.rate")
        if rate <= 0 or rate > HUNDRED:
            raise InputError(f"{where}.rate", "must be greater than 0 and at most 100")
        if -rate.as_tuple().exponent > MAX_RATE_DECIMALS:  # type: ignore[operator]
            raise InputError(f"{where}.rate", f"at most {MAX_RATE_DECIMALS} decimals")
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
        parsed.append(Infirmity(label, rate, cause, context, addition))
    third = data.get("third_person", False)
    if not isinstance(third, bool):
        raise InputError("third_person", "must be true or false")
    gm = data.get("grand_mutile", False)
    if not isinstance(gm, bool):
        raise InputError("grand_mutile", "must be true or false")
    children = data.get("children", 0)
    if isinstance(children, bool) or not isinstance(children, int) or not 0 <= children <= 30:
        raise InputError("children", "must be a whole number from 0 to 30")
    return PmiCase(date, tuple(parsed), grade, third, children, gm)


# ---------------------------------------------------------------- helpers

def _fmt(d: Decimal) -> str:
    text = format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def round_rate(raw: Decimal, step: Decimal, mode: str, cap: Decimal) -> int:
    rounding = {"up": ROUND_CEILING, "down": ROUND_FLOOR, "nearest": ROUND_HALF_UP}[mode]
    stepped = (raw / step).quantize(Decimal(1), rounding=rounding) * step
    return int(min(stepped, cap))


def threshold_for(infs: list[Infirmity], p: Parameters, date: dt.date,
                  ) -> tuple[Decimal, str, dict[str, str]]:
    privileged = set(p.at("fr.privileged_disease_contexts", date))
    injuryish = [i for i in infs if i.cause == "injury" or i.context in privileged]
    ordinary = [i for i in infs if i.cause == "disease" and i.context not in privileged]
    if not ordinary:
        name = "fr.threshold_injury"
        why = {"uk": "поранення (або хвороба на війні, в полоні чи в OPEX)",
               "fr": "blessures (ou maladie en guerre, captivité ou OPEX)",
               "en": "injuries (or disease in war, captivity or external operations)"}
    elif not injuryish:
        name = "fr.threshold_disease_single" if len(ordinary) == 1 else \
            "fr.threshold_disease_multiple"
        why = ({"uk": "одна хвороба", "fr": "une seule maladie", "en": "a single disease"}
               if len(ordinary) == 1 else
               {"uk": "кілька хвороб", "fr": "plusieurs maladies", "en": "several diseases"})
    else:
        name = "fr.threshold_mixed"
        why = {"uk": "хвороби разом із пораненнями", "fr": "maladies et blessures",
               "en": "diseases together with injuries"}
    return Decimal(p.at(name, date)), p.ref(name, date), why


# ---------------------------------------------------------------- computation

def compute_pmi(case: PmiCase, params: Parameters | None = None) -> PmiResult:
    p = params or Parameters.load("fr")
    d = case.date
    t = Trace()
    warnings: list[str] = []
    point_value = Decimal(in_force(
        p, "fr.point_value", d, field="date",
        message="no PMI point value is known for this date "
                f"(series starts {p['fr.point_value'].values[0].start})"))

    floor = Decimal(p.at("fr.infirmity_floor", d))
    counted: list[Infirmity] = []
    for inf in case.infirmities:
        if inf.rate < floor:
            t.add(p.ref("fr.infirmity_floor", d), _fmt(inf.rate),
                  uk=f"«{inf.label}» ({_fmt(inf.rate)} %) не враховується: нижче {_fmt(floor)} %",
                  fr=f"« {inf.label} » ({_fmt(inf.rate)} %) n'est pas retenue : "
                     f"moins de {_fmt(floor)} %",
                  en=f"'{inf.label}' ({_fmt(inf.rate)} %) is not counted: below {_fmt(floor)} %")
        else:
            counted.append(inf)

    if not counted:
        return PmiResult(False, "no infirmity reaches the minimum rate per infirmity",
                         Decimal(0), 0, 0, Decimal(0), point_value, Decimal("0.00"),
                         floor, t, warnings, p.digest)

    chain = sorted((i for i in counted if i.addition == "chain"), key=lambda i: -i.rate)
    arithmetic = [i for i in counted if i.addition == "arithmetic"]
    trigger = Decimal(p.at("fr.majoration_trigger", d))
    step = Decimal(p.at("fr.majoration_step", d))
    cap = Decimal(p.at("fr.rate_cap", d))
    ref_l125_8 = p.ref("fr.majoration_step", d)
    degrees = 0
    raw = Decimal(0)

    if chain and chain[0].rate >= cap:
        raw, degrees = _beyond_hundred(chain, arithmetic, p, d, t)
    else:
        raw = _remaining_validity(chain, trigger, step, cap, ref_l125_8, t)
        raw = _add_arithmetic(raw, arithmetic, ref_l125_8, t)

    rstep = Decimal(p.at("fr.rounding_step", d))
    mode = str(p.at("fr.rounding_mode", d))
    global_rate = round_rate(raw, rstep, mode, cap)
    t.add(p.ref("fr.rounding_step", d), global_rate,
          uk=f"Округлення {_fmt(raw)} % до кроку {_fmt(rstep)} ({mode}), не більше "
             f"{_fmt(cap)} %: {global_rate} %",
          fr=f"Arrondi de {_fmt(raw)} % au pas de {_fmt(rstep)} ({mode}), plafonné à "
             f"{_fmt(cap)} % : {global_rate} %",
          en=f"{_fmt(raw)} % rounded to the {_fmt(rstep)}-point step ({mode}), capped at "
             f"{_fmt(cap)} %: {global_rate} %")

    threshold, ref_thr, why = threshold_for(counted, p, d)
    compared = raw if p.at("fr.threshold_compares_raw_rate", d) else Decimal(global_rate)
    eligible = compared >= threshold
    t.add(ref_thr, eligible,
          uk=f"Поріг для випадку «{why['uk']}»: {_fmt(threshold)} %; ставка {_fmt(compared)} % "
             + ("досягає порогу" if eligible else "не досягає порогу"),
          fr=f"Seuil pour « {why['fr']} » : {_fmt(threshold)} % ; taux de {_fmt(compared)} % "
             + ("atteint" if eligible else "non atteint"),
          en=f"Threshold for {why['en']}: {_fmt(threshold)} %; the rate of {_fmt(compared)} % "
             + ("reaches it" if eligible else "does not reach it"))
    if not eligible:
        return PmiResult(False, f"global rate {_fmt(compared)} % is below the threshold of "
                                f"{_fmt(threshold)} % for {why['en']}",
                         raw, global_rate, degrees, Decimal(0), point_value, Decimal("0.00"),
                         threshold, t, warnings, p.digest)

    points = _points(case, global_rate, degrees, p, t, warnings)
    amount = (points * point_value).quantize(CENT, rounding=ROUND_HALF_UP)
    t.add(p.ref("fr.point_value", d), float(amount),
          uk=f"Сума на рік: {_fmt(points)} балів × {_fmt(point_value)} € = {amount} €",
          fr=f"Montant annuel : {_fmt(points)} points × {_fmt(point_value)} € = {amount} €",
          en=f"Annual amount: {_fmt(points)} points × €{_fmt(point_value)} = €{amount}")
    return PmiResult(True, None, raw, global_rate, degrees, points, point_value, amount,
                     threshold, t, warnings, p.digest)


def _add_arithmetic(total: Decimal, arithmetic: list[Infirmity], ref: str, t: Trace,
                    ) -> Decimal:
    """L125-9 exceptions: these rates are added as they are, outside the validity chain."""
    for inf in arithmetic:
        total += inf.rate
        t.add(ref, _fmt(total),
              uk=f"«{inf.label}» додається арифметично (L125-9): +{_fmt(inf.rate)} → "
                 f"{_fmt(total)} %",
              fr=f"« {inf.label} » s'ajoute arithmétiquement (L125-9) : "
                 f"+{_fmt(inf.rate)} → {_fmt(total)} %",
              en=f"'{inf.label}' is added arithmetically (L125-9): +{_fmt(inf.rate)} → "
                 f"{_fmt(total)} %")
    return total


def _remaining_validity(chain: list[Infirmity], trigger: Decimal, step: Decimal, cap: Decimal,
                        ref: str, t: Trace) -> Decimal:
    if not chain:
        return Decimal(0)
    principal = chain[0]
    raw = principal.rate
    remaining = HUNDRED - raw
    majorations = principal.rate >= trigger
    t.add(ref, _fmt(raw),
          uk=f"Основна інвалідність «{principal.label}» враховується повністю: {_fmt(raw)} %",
          fr=f"L'infirmité principale « {principal.label} » compte en entier : {_fmt(raw)} %",
          en=f"The principal infirmity '{principal.label}' counts in full: {_fmt(raw)} %")
    if len(chain) > 1:
        t.add(ref, majorations,
              uk=("Основна ≥ " if majorations else "Основна < ") + f"{_fmt(trigger)} %: "
                 + ("наступні підвищуються на 5, 10, 15… пунктів" if majorations
                    else "без підвищень за рангом"),
              fr=("Principale ≥ " if majorations else "Principale < ") + f"{_fmt(trigger)} % : "
                 + ("les suivantes sont majorées de 5, 10, 15… points" if majorations
                    else "pas de majoration de rang"),
              en=("Principal ≥ " if majorations else "Principal < ") + f"{_fmt(trigger)} %: "
                 + ("the next ones are raised by 5, 10, 15… points" if majorations
                    else "no rank majoration"))
    for rank, inf in enumerate(chain[1:], start=2):
        raised = min(inf.rate + step * (rank - 1), cap) if majorations else inf.rate
        part = raised * remaining / HUNDRED
        raw += part
        t.add(ref, _fmt(raw),
              uk=f"Ранг {rank}: «{inf.label}» {_fmt(inf.rate)} % → {_fmt(raised)} % від "
                 f"залишкової працездатності {_fmt(remaining)} % = {_fmt(part)}; разом "
                 f"{_fmt(raw)} %",
              fr=f"Rang {rank} : « {inf.label} » {_fmt(inf.rate)} % → {_fmt(raised)} % de la "
                 f"validité restante {_fmt(remaining)} % = {_fmt(part)} ; total {_fmt(raw)} %",
              en=f"Rank {rank}: '{inf.label}' {_fmt(inf.rate)} % → {_fmt(raised)} % of the "
                 f"remaining validity {_fmt(remaining)} % = {_fmt(part)}; total {_fmt(raw)} %")
        remaining -= part
    return raw


def _beyond_hundred(chain: list[Infirmity], arithmetic: list[Infirmity], p: Parameters,
                    d: dt.date, t: Trace) -> tuple[Decimal, int]:
    """L125-10: one infirmity at 100 %; the others give degrees of 10 %."""
    ref = p.ref("fr.degree_points", d)
    step = Decimal(p.at("fr.majoration_step", d))
    size = Decimal(p.at("fr.degree_size", d))
    cap_deg = Decimal(p.at("fr.degree_majoration_cap", d))
    extra = chain[1:]
    with_majoration = len(extra) >= 2
    t.add(ref, 100,
          uk=f"«{chain[0].label}» — 100 %: інші інвалідності дають ступені (L125-10)",
          fr=f"« {chain[0].label} » à 100 % : les autres infirmités donnent des degrés (L125-10)",
          en=f"'{chain[0].label}' is 100 %: the other infirmities give degrees (L125-10)")
    total = Decimal(0)
    for k, inf in enumerate(extra, start=1):
        maj = step * k if with_majoration else Decimal(0)
        if total >= cap_deg * size:
            maj = min(maj, inf.rate)
        total += inf.rate + maj
        t.add(ref, _fmt(total),
              uk=f"«{inf.label}» {_fmt(inf.rate)} % + підвищення {_fmt(maj)} → разом "
                 f"{_fmt(total)} %",
              fr=f"« {inf.label} » {_fmt(inf.rate)} % + majoration {_fmt(maj)} → total "
                 f"{_fmt(total)} %",
              en=f"'{inf.label}' {_fmt(inf.rate)} % + majoration {_fmt(maj)} → total "
                 f"{_fmt(total)} %")
    total = _add_arithmetic(total, arithmetic, p.ref("fr.majoration_step", d), t)
    mode = str(p.at("fr.degree_rounding", d))
    degrees = int((total / size).quantize(Decimal(1),
                                          rounding=ROUND_FLOOR if mode == "down" else ROUND_CEILING))
    t.add(ref, degrees,
          uk=f"{_fmt(total)} % ÷ {_fmt(size)} = {degrees} ступенів ({mode})",
          fr=f"{_fmt(total)} % ÷ {_fmt(size)} = {degrees} degrés ({mode})",
          en=f"{_fmt(total)} % ÷ {_fmt(size)} = {degrees} degrees ({mode})")
    return HUNDRED, degrees


def _table(value: dict[Any, Any], rate: int) -> Decimal | None:
    v = value.get(rate)
    return None if v is None else Decimal(v)


def soldier_points(p: Parameters, d: dt.date, rate: int) -> Decimal:
    v = _table(p.at("fr.soldier_principal_points", d), rate)
    if v is None:
        raise InputError("global_rate", f"no R125-2 row for {rate} %")
    return v


def _points(case: PmiCase, rate: int, degrees: int, p: Parameters, t: Trace,
            warnings: list[str]) -> Decimal:
    d = case.date
    principal = soldier_points(p, d, rate)
    ref = p.ref("fr.soldier_principal_points", d)
    t.add(ref, float(principal),
          uk=f"Основна пенсія за ставкою солдата при {rate} %: {_fmt(principal)} балів (R125-2)",
          fr=f"Pension principale au taux du soldat à {rate} % : {_fmt(principal)} points "
             "(R125-2)",
          en=f"Principal pension at the soldier rate for {rate} %: {_fmt(principal)} points "
             "(R125-2)")
    if case.grade != "soldier":
        grades = p.at("fr.grade_principal_points", d)
        grade_pts = _table(grades.get(case.grade, {}), rate)
        if grade_pts is None:
            msg = (f"grade table for '{case.grade}' at {rate} % is not known (CPMIVG Annexe 1 "
                   "not retrieved): computed at the soldier rate")
            warnings.append(msg)
            t.add(p.ref("fr.grade_principal_points", d), None,
                  uk=f"Таблиця звання «{case.grade}» для {rate} % невідома: застосовано "
                     "ставку солдата",
                  fr=f"Barème du grade « {case.grade} » à {rate} % inconnu : taux du soldat "
                     "appliqué",
                  en=msg)
        else:
            principal = grade_pts
            t.add(p.ref("fr.grade_principal_points", d), float(principal),
                  uk=f"Ставка звання «{case.grade}»: {_fmt(principal)} балів",
                  fr=f"Taux du grade « {case.grade} » : {_fmt(principal)} points",
                  en=f"Rate of the grade '{case.grade}': {_fmt(principal)} points")
    total = principal
    # Grands invalides allowances n° 1–5 bis: not cumulative, the most favourable is paid.
    allowance = Decimal(0)
    allowance_name = ""
    gi_param = "fr.grand_invalide_points_with_gm" if case.grand_mutile else \
        "fr.grand_invalide_points"
    gi = _table(p.at(gi_param, d), rate)
    if gi is not None:
        allowance, allowance_name = gi, {85: "1", 90: "2", 95: "3", 100: "4"}[rate]
    if degrees > 0:
        per_degree = Decimal(p.at("fr.degree_points", d))
        deg_pts = per_degree * degrees
        total += deg_pts
        t.add(p.ref("fr.degree_points", d), float(deg_pts),
              uk=f"{degrees} ступенів × {_fmt(per_degree)} = {_fmt(deg_pts)} балів",
              fr=f"{degrees} degrés × {_fmt(per_degree)} = {_fmt(deg_pts)} points",
              en=f"{degrees} degrees × {_fmt(per_degree)} = {_fmt(deg_pts)} points")
        a5 = Decimal(p.at("fr.allocation_5_base", d)) + \
            Decimal(p.at("fr.allocation_5_per_degree", d)) * max(degrees - 1, 0)
        if a5 > allowance:
            allowance, allowance_name = a5, "5"
    third = case.third_person and rate >= int(p.at("fr.third_person_min_rate", d))
    if case.third_person and not third:
        warnings.append("third-person majoration needs a higher global rate")
    if third:
        maj = (principal * Decimal(p.at("fr.third_person_fraction", d)))
        total += maj
        t.add(p.ref("fr.third_person_fraction", d), float(maj),
              uk=f"Надбавка за сторонній догляд (L133-1): {_fmt(maj)} балів",
              fr=f"Majoration tierce personne (L133-1) : {_fmt(maj)} points",
              en=f"Third-person majoration (L133-1): {_fmt(maj)} points")
        a5bis = Decimal(p.at("fr.allocation_5bis", d))
        if a5bis > allowance:
            allowance, allowance_name = a5bis, "5 bis"
    if allowance:
        total += allowance
        t.add(p.ref("fr.grand_invalide_points", d), float(allowance),
              uk=f"Допомога тяжким інвалідам № {allowance_name}: {_fmt(allowance)} балів "
                 "(не поєднуються, найвигідніша)",
              fr=f"Allocation grand invalide n° {allowance_name} : {_fmt(allowance)} points "
                 "(non cumulables, la plus favorable)",
              en=f"Grand invalide allowance n° {allowance_name}: {_fmt(allowance)} points "
                 "(not cumulative, the most favourable)")
    if case.grand_mutile:
        gm = _table(p.at("fr.grand_mutile_points", d), rate)
        if gm is None:
            warnings.append("grand mutilé allowance needs a global rate of at least 85 %")
        else:
            total += gm
            t.add(p.ref("fr.grand_mutile_points", d), float(gm),
                  uk=f"Допомога тяжко покаліченим (R132-1): {_fmt(gm)} балів",
                  fr=f"Allocation grand mutilé (R132-1) : {_fmt(gm)} points",
                  en=f"Grand mutilé allowance (R132-1): {_fmt(gm)} points")
    if case.children:
        if rate <= int(p.at("fr.child_max_rate", d)):
            child = soldier_points(p, d, rate) * Decimal(p.at("fr.child_fraction", d))
            add = child * case.children
            total += add
            t.add(p.ref("fr.child_fraction", d), float(add),
                  uk=f"Надбавка на дітей (D134-1): {case.children} × {_fmt(child)} = "
                     f"{_fmt(add)} балів",
                  fr=f"Majoration pour enfants (D134-1) : {case.children} × {_fmt(child)} = "
                     f"{_fmt(add)} points",
                  en=f"Children majoration (D134-1): {case.children} × {_fmt(child)} = "
                     f"{_fmt(add)} points")
        else:
            t.add(p.ref("fr.child_max_rate", d), 0,
                  uk="Надбавка на дітей не призначається при цій ставці",
                  fr="Pas de majoration pour enfants à ce taux",
                  en="No children majoration at this rate")
    t.add(ref, float(total), uk=f"Разом: {_fmt(total)} балів", fr=f"Total : {_fmt(total)} points",
          en=f"Total: {_fmt(total)} points")
    return total


def compute_pmi_json(data: Any, params: Parameters | None = None) -> dict[str, Any]:
    return compute_pmi(parse_pmi_case(data), params).as_dict()
