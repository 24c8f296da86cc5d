"""The `vetbridge` command.

This module keeps the entry point, `demo` and `manage`; every app registers its own
subcommands from its `cli.py` (`register_commands(subparsers)`), found in the order of
`INSTALLED_APPS`; the pure `rules` package adds `vetbridge rules …` from `rules/cli.py`.
Subcommands that need the database set Django up lazily; `vetbridge rules …` never imports
Django, so the rules engine can run anywhere.
"""

from __future__ import annotations

import argparse
import contextvars
import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from vetbridge.config.installed_apps import PROJECT_APPS
from vetbridge.core.cli import setup_django


def _cmd_demo(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DEBUG and not args.force:
        print(
            "Refusing to load demo accounts with DEBUG off (production?). Use --force.",
            file=sys.stderr,
        )
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


def _cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetbridge.config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vetbridge manage", *args.args])
    return 0


def app_command_modules(apps: Sequence[str] = PROJECT_APPS) -> list[ModuleType]:
    """The `cli` module of each app that has one, in the order of `INSTALLED_APPS`.

    Found without importing Django: the module must define `register_commands(subparsers)`
    and import Django only inside its commands.
    """
    modules = []
    for app in apps:
        if importlib.util.find_spec(f"{app}.cli") is None:
            continue
        module = importlib.import_module(f"{app}.cli")
        if not callable(getattr(module, "register_commands", None)):
            raise TypeError(f"{app}.cli has no register_commands(subparsers)")
        modules.append(module)
    return modules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vetbridge", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="create the database and load demo data and accounts")
    demo.add_argument("--force", action="store_true", help="allow with DEBUG off")
    demo.set_defaults(func=_cmd_demo)

    for module in app_command_modules():
        module.register_commands(sub)

    from vetbridge.rules.cli import add_rules_parser

    add_rules_parser(sub)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=_cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # A command marks its audit entries as coming from the command line (a context variable);
    # running it in a copy of the context undoes that when it returns, so a caller in the same
    # process (a test, a task calling a command) keeps its own origin.
    return int(contextvars.copy_context().run(args.func, args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
