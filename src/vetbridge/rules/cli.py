"""`vetbridge rules …`: JSON on stdin, JSON on stdout; exit 2 with a JSON error on bad input.

Never imports Django: the rules engine is a plain Python library. An edge of the rules: the
law's parameter sets are loaded here (`parameters.default_set`) and handed to the calculators.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from .errors import InputError
from .parameters import ParameterError, default_set, default_sets


def _run_json(compute: Callable[[Any], dict[str, Any]]) -> int:
    raw = sys.stdin.read()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        print(
            json.dumps(
                {
                    "error": {
                        "field": "$",
                        "message": f"not valid JSON: {exc.msg} (line {exc.lineno})",
                    }
                }
            )
        )
        return 2
    try:
        result = compute(data)
    except InputError as exc:
        print(json.dumps({"error": exc.as_dict()}, ensure_ascii=False))
        return 2
    except ParameterError as exc:
        print(json.dumps({"error": {"field": "date", "message": str(exc)}}, ensure_ascii=False))
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _fr_pmi(args: argparse.Namespace) -> int:
    from .fr.pmi import compute_pmi_json

    return _run_json(lambda data: compute_pmi_json(data, default_set("fr")))


def _fr_survivor(args: argparse.Namespace) -> int:
    from .fr.survivor import compute_survivor_json

    return _run_json(lambda data: compute_survivor_json(data, default_set("fr")))


def _ua_assistance(args: argparse.Namespace) -> int:
    from .ua.assistance import ua_assistance_json

    return _run_json(lambda data: ua_assistance_json(data, default_set("ua")))


def _ua_annual(args: argparse.Namespace) -> int:
    from .ua.assistance import annual_payment_json

    return _run_json(lambda data: annual_payment_json(data, default_set("ua")))


def _fr_pmi_batch(args: argparse.Namespace) -> int:
    import datetime as dt
    import time
    from zoneinfo import ZoneInfo

    from tqdm import tqdm

    from .batch import OPTIONAL_COLUMNS, compute_pmi_batch, read_table, write_table

    show = sys.stderr.isatty()
    with tqdm(total=3, desc="fr-pmi-batch", disable=not show, file=sys.stderr) as bar:
        try:
            bar.set_postfix_str("reading")
            cols = read_table(args.input)
            bar.update()
            bar.set_postfix_str("computing")
            start = time.perf_counter()
            date: Any = cols.get("date")
            if date is None:
                date = (
                    dt.date.fromisoformat(args.date)
                    if args.date
                    else dt.datetime.now(ZoneInfo("Europe/Paris")).date()
                )
            extra = {k: cols[k] for k in OPTIONAL_COLUMNS if k in cols}
            result = compute_pmi_batch(
                cols["person_id"],
                cols["rate"],
                cols["cause"],
                cols["context"],
                date,
                default_set("fr"),
                **extra,
            )
            elapsed = time.perf_counter() - start
            bar.update()
            bar.set_postfix_str("writing")
            write_table(result, args.output)
            bar.update()
        except InputError as exc:
            print(json.dumps({"error": exc.as_dict()}, ensure_ascii=False))
            return 2
        except (OSError, ValueError) as exc:
            print(json.dumps({"error": {"field": "IN", "message": str(exc)[:500]}}))
            return 2
    n = len(result.person_id)
    print(
        json.dumps(
            {
                "persons": n,
                "eligible": int(result.eligible.sum()),
                "seconds": round(elapsed, 3),
                "output": args.output,
            }
        )
    )
    return 0


def _simulate(args: argparse.Namespace) -> int:
    import datetime as dt

    from .reform import load_reform
    from .simulate import parse_population_spec, read_population, simulate, synthetic_population

    def fail(field: str, message: str) -> int:
        print(json.dumps({"error": {"field": field, "message": message}}, ensure_ascii=False))
        return 2

    if not args.date:
        return fail("date", "required: the date of the law applied, as YYYY-MM-DD")
    try:
        date = dt.date.fromisoformat(args.date)
    except ValueError:
        return fail("date", f"'{args.date[:40]}' is not a date as YYYY-MM-DD")
    try:
        reform = load_reform(args.reform) if args.reform else None
        if args.population.startswith("synthetic:"):
            pop = synthetic_population(*parse_population_spec(args.population))
        else:
            pop = read_population(args.population)
        result = simulate(pop, date, reform, base=default_sets())
    except InputError as exc:
        print(json.dumps({"error": exc.as_dict()}, ensure_ascii=False))
        return 2
    except ParameterError as exc:
        return fail("date", str(exc))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(simulation_text(result))
    return 0


def simulation_text(result: dict[str, Any]) -> str:
    """The plain-text summary of a simulation: totals, then one line per rate band."""
    b, r = result["baseline"], result["reform"]
    name = result["reform_info"]["name"] if result["reform_info"] else "(no reform)"
    lines = [
        f"population           {result['population']['description']} ({result['persons']} persons)",
        f"date                 {result['date']}",
        f"reform               {name}",
        f"baseline.total_eur   {b['total_eur']:.2f}",
        f"baseline.beneficiaries {b['beneficiaries']}",
        f"reform.total_eur     {r['total_eur']:.2f}",
        f"reform.beneficiaries {r['beneficiaries']}",
        f"change_eur           {result['change_eur']:.2f}",
        f"gained               {result['gained']}",
        f"lost                 {result['lost']}",
        f"winners              {result['winners']['count']} "
        f"(+{result['winners']['total_eur']:.2f} EUR)",
        f"losers               {result['losers']['count']} "
        f"(-{result['losers']['total_eur']:.2f} EUR)",
        "",
        f"{'band':<8}{'persons':>10}{'base.benef':>12}{'base.total_eur':>18}"
        f"{'ref.benef':>12}{'ref.total_eur':>18}{'ref.avg_eur':>14}",
    ]
    for row in result["by_band"]:
        lines.append(
            f"{row['key']:<8}{row['persons']:>10}{row['baseline_beneficiaries']:>12}"
            f"{row['baseline_total_eur']:>18.2f}{row['reform_beneficiaries']:>12}"
            f"{row['reform_total_eur']:>18.2f}{row['reform_average_eur']:>14.2f}"
        )
    return "\n".join(lines)


def add_rules_parser(sub: Any) -> None:
    rules = sub.add_parser("rules", help="reparation rights calculators (JSON in, JSON out)")
    rsub = rules.add_subparsers(dest="rules_command", required=True)
    rsub.add_parser(
        "fr-pmi", help="French military invalidity pension, one case as JSON on stdin"
    ).set_defaults(func=_fr_pmi)
    batch = rsub.add_parser(
        "fr-pmi-batch",
        help="French PMI over a population: CSV or Parquet "
        "(one row per infirmity) to CSV or Parquet",
    )
    batch.add_argument("input", metavar="IN")
    batch.add_argument("output", metavar="OUT")
    batch.add_argument(
        "--date", help="date of computation when IN has no date column (default: today)"
    )
    batch.set_defaults(func=_fr_pmi_batch)
    rsub.add_parser("fr-survivor", help="French survivor pension (soldier rate)").set_defaults(
        func=_fr_survivor
    )
    rsub.add_parser(
        "ua-assistance", help="Ukrainian one-time assistance on death or disability"
    ).set_defaults(func=_ua_assistance)
    sim = rsub.add_parser(
        "simulate",
        help="a population under the law at a date and under a reform: costs, beneficiaries, bands",
    )
    sim.add_argument(
        "population",
        metavar="POPULATION",
        help="CSV or Parquet with the columns of fr-pmi-batch, or synthetic:N[:seed]",
    )
    sim.add_argument("--date", help="date of the law applied (YYYY-MM-DD), required")
    sim.add_argument("--reform", help="reform YAML (see rules/reforms/)")
    sim.add_argument("--json", action="store_true", help="full results as JSON")
    sim.set_defaults(func=_simulate)
    rsub.add_parser("ua-annual", help="Ukrainian annual payment by status").set_defaults(
        func=_ua_annual
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vetbridge")
    sub = parser.add_subparsers(dest="command", required=True)
    add_rules_parser(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))
