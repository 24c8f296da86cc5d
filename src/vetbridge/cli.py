"""The `vetbridge` command.

Subcommands that need the database set Django up lazily; `vetbridge rules …` never imports
Django, so the rules engine can run anywhere.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetbridge.config.settings.dev")
    import django

    django.setup()
    from vetbridge.core.request_context import Origin, set_origin

    set_origin(Origin(channel="cli", user_agent=f"vetbridge-cli ({getpass.getuser()})"))


def _cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DEBUG and not args.force:
        print("Refusing to load demo accounts with DEBUG off (production?). Use --force.",
              file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0, interactive=False)
    from vetbridge.people.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo

    counts = load_demo()
    print(f"Demo data ready: {counts['people']} people, {counts['accounts']} accounts.")
    print(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for acc in DEMO_ACCOUNTS:
        region = f", region {acc.region}" if acc.region else ""
        print(f"  {acc.username:<16} {acc.role}{region}")
    return 0


def _update(bar: Any, n: int) -> None:
    bar.update(n)


def _cmd_people_import(args: argparse.Namespace) -> int:
    _setup_django()
    from tqdm import tqdm

    from vetbridge.core.exceptions import ApplicationError
    from vetbridge.people.importer import people_import

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    bar = tqdm(total=max(data.count(b"\n") - 1, 0), unit="rows", file=sys.stderr,
               disable=args.json or not sys.stderr.isatty(), desc="import")
    try:
        report = people_import(actor=None, data=data, keep_valid=args.keep_valid,
                               source=path.name, progress=lambda n: _update(bar, n))
    except ApplicationError as exc:
        bar.close()
        if args.json:
            print(json.dumps({"error": exc.message}, ensure_ascii=False))
        else:
            print(f"error: {exc.message}", file=sys.stderr)
        return 2
    bar.close()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for err in report.rejected:
            field = f" [{err.field}]" if err.field else ""
            print(f"line {err.line}{field}: {err.reason}", file=sys.stderr)
        state = "committed" if report.committed else "NOTHING WRITTEN (use --keep-valid)"
        print(f"{report.total_rows} rows read, {report.imported} imported, "
              f"{len(report.rejected)} rejected: {state}")
    if report.rejected and not report.committed:
        return 1
    return 0


def _cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetbridge.config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vetbridge manage", *args.args])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vetbridge", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="create the database and load demo data and accounts")
    demo.add_argument("--force", action="store_true", help="allow with DEBUG off")
    demo.set_defaults(func=_cmd_demo)

    people = sub.add_parser("people", help="registry of people")
    people_sub = people.add_subparsers(dest="people_command", required=True)
    imp = people_sub.add_parser("import", help="import people from a CSV file")
    imp.add_argument("file", help="CSV: external_id,surname,given_name,patronymic,"
                                  "birth_date,sex,status")
    imp.add_argument("--keep-valid", action="store_true",
                     help="write the valid rows even if others are rejected")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    imp.set_defaults(func=_cmd_people_import)

    from vetbridge.rules.cli import add_rules_parser

    add_rules_parser(sub)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=_cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
