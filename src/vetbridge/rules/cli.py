"""`vetbridge rules …`: JSON on stdin, JSON on stdout; exit 2 with a JSON error on bad input.

Never imports Django: the rules engine is a plain Python library.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from .errors import InputError
from .parameters import ParameterError


def _run_json(compute: Callable[[Any], dict[str, Any]]) -> int:
    raw = sys.stdin.read()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        print(json.dumps({"error": {"field": "$", "message": f"not valid JSON: {exc.msg} "
                                                             f"(line {exc.lineno})"}}))
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

    return _run_json(compute_pmi_json)


def _fr_survivor(args: argparse.Namespace) -> int:
    from .fr.survivor import compute_survivor_json

    return _run_json(compute_survivor_json)


def _ua_assistance(args: argparse.Namespace) -> int:
    from .ua.assistance import ua_assistance_json

    return _run_json(ua_assistance_json)


def _ua_annual(args: argparse.Namespace) -> int:
    from .ua.assistance import annual_payment_json

    return _run_json(annual_payment_json)


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
                date = (dt.date.fromisoformat(args.date) if args.date
                        else dt.datetime.now(ZoneInfo("Europe/Paris")).date())
            extra = {k: cols[k] for k in OPTIONAL_COLUMNS if k in cols}
            result = compute_pmi_batch(cols["person_id"], cols["rate"], cols["cause"],
                                       cols["context"], date, None, **extra)
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
    print(json.dumps({"persons": n, "eligible": int(result.eligible.sum()),
                      "seconds": round(elapsed, 3), "output": args.output}))
    return 0


def add_rules_parser(sub: Any) -> None:
    rules = sub.add_parser("rules", help="reparation rights calculators (JSON in, JSON out)")
    rsub = rules.add_subparsers(dest="rules_command", required=True)
    rsub.add_parser("fr-pmi", help="French military invalidity pension, one case as JSON on "
                                   "stdin").set_defaults(func=_fr_pmi)
    batch = rsub.add_parser("fr-pmi-batch", help="French PMI over a population: CSV or Parquet "
                                                 "(one row per infirmity) to CSV or Parquet")
    batch.add_argument("input", metavar="IN")
    batch.add_argument("output", metavar="OUT")
    batch.add_argument("--date", help="date of computation when IN has no date column "
                                      "(default: today)")
    batch.set_defaults(func=_fr_pmi_batch)
    rsub.add_parser("fr-survivor", help="French survivor pension (soldier rate)") \
        .set_defaults(func=_fr_survivor)
    rsub.add_parser("ua-assistance", help="Ukrainian one-time assistance on death or "
                                          "disability").set_defaults(func=_ua_assistance)
    rsub.add_parser("ua-annual", help="Ukrainian annual payment by status") \
        .set_defaults(func=_ua_annual)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vetbridge")
    sub = parser.add_subparsers(dest="command", required=True)
    add_rules_parser(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))
