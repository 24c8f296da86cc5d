"""`vetbridge claims …`: the reparation claims' commands (registered by `vetbridge.cli`
through `register_commands`)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vetbridge.core.cli import setup_django


def _cmd_claims_replay(args: argparse.Namespace) -> int:
    """Recompute every stored decision from its frozen inputs and parameter snapshot."""
    setup_django()
    from vetbridge.reparation.models import Decision
    from vetbridge.reparation.services import replay_all

    total = Decision.objects.count()
    differing = replay_all()
    if args.json:
        print(
            json.dumps({"decisions": total, "differing": differing}, ensure_ascii=False, indent=2)
        )
    else:
        for d in differing:
            print(f"DIFFERS: decision {d['decision']} ({d['claim']})", file=sys.stderr)
        print(f"{total} decisions replayed, {len(differing)} differ.")
    return 1 if differing else 0


def _cmd_claims_revalue(args: argparse.Namespace) -> int:
    """Recompute every French pension in payment at the point value in force on --date."""
    setup_django()
    from tqdm import tqdm

    from vetbridge.core.exceptions import ApplicationError
    from vetbridge.reparation.revaluation import revalue

    with tqdm(
        total=100, unit="%", file=sys.stderr, desc="revalue", disable=not sys.stderr.isatty()
    ) as bar:

        def progress(percent: int, _step: str) -> None:
            bar.update(max(0, percent - bar.n))

        try:
            report = revalue(on=args.date, dry_run=args.dry_run, progress=progress)
        except ApplicationError as exc:
            field, messages = next(iter(exc.fields.items())) if exc.fields else ("", [exc.message])
            error = {"field": field, "message": str(messages[0])}
            print(
                json.dumps({"error": error}, ensure_ascii=False)
                if args.json
                else f"{field}: {error['message']}",
                file=sys.stderr,
            )
            return 2
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        verb = "would be revalued (dry run)" if report.dry_run else "revalued"
        print(
            f"{report.in_payment} pensions in payment on {report.date.isoformat()}, "
            f"{report.revalued} {verb} at {report.point_value} EUR a point "
            f"({report.changed} changed, {report.already} already revalued), "
            f"{report.notified} notices; digest {report.digest}."
        )
    return 0


def register_commands(sub: Any) -> None:
    claims = sub.add_parser("claims", help="reparation claims")
    claims_sub = claims.add_subparsers(dest="claims_command", required=True)
    replay = claims_sub.add_parser(
        "replay", help="recompute every decision; exit 1 if any differs from what was decided"
    )
    replay.add_argument("--json", action="store_true")
    replay.set_defaults(func=_cmd_claims_replay)
    revalue = claims_sub.add_parser(
        "revalue",
        help="recompute every French pension in payment at the point value in "
        "force on --date; idempotent, one audit entry per run",
    )
    revalue.add_argument("--date", required=True, help="YYYY-MM-DD")
    revalue.add_argument("--dry-run", action="store_true", help="compute, write nothing")
    revalue.add_argument("--json", action="store_true")
    revalue.set_defaults(func=_cmd_claims_revalue)
