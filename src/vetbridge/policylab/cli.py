"""`vetbridge policylab …`: the policy lab's commands (registered by `vetbridge.cli` through
`register_commands`)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vetbridge.core.cli import setup_django


def _cmd_replay(args: argparse.Namespace) -> int:
    """Replay one stored simulation run; exit 0 when identical, 1 when not, 2 on error."""
    setup_django()
    from vetbridge.core.exceptions import ApplicationError
    from vetbridge.policylab.services import run_replay

    try:
        check = run_replay(actor=None, run_id=args.run_id)
    except ApplicationError as exc:
        print(
            json.dumps({"error": {"field": "RUN_ID", "message": exc.message}}, ensure_ascii=False)
        )
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "run": args.run_id,
                    "identical": check.identical,
                    "differences": check.differences,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for path in check.differences:
            print(f"DIFFERS: {path}", file=sys.stderr)
        print(f"run {args.run_id}: {'identical' if check.identical else 'DIFFERENT'}")
    return 0 if check.identical else 1


def register_commands(sub: Any) -> None:
    lab = sub.add_parser("policylab", help="the policy lab (reform simulations)")
    lab_sub = lab.add_subparsers(dest="policylab_command", required=True)
    replay = lab_sub.add_parser(
        "replay", help="recompute a stored simulation run from what it stored; exit 1 if it differs"
    )
    replay.add_argument("run_id", metavar="RUN_ID", type=int)
    replay.add_argument("--json", action="store_true")
    replay.set_defaults(func=_cmd_replay)
