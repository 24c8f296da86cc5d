"""`vetbridge backup` and `vetbridge restore`, and what every app's `cli.py` shares.

An app's `cli.py` defines `register_commands(subparsers)`; `vetbridge.cli` calls it in the
order of `INSTALLED_APPS` (docs/decisions/0006-app-commands-and-import-contracts.md). Building
the parser must not import Django: a command sets Django up itself (`setup_django()`) when it
runs, so `vetbridge rules …` and `vetbridge --help` stay free of it.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def setup_django() -> None:
    """Set Django up for a command, its audit entries marked as coming from the command line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetbridge.config.settings.dev")
    import django

    django.setup()
    from vetbridge.core.request_context import Origin, set_origin

    set_origin(Origin(channel="cli", user_agent=f"vetbridge-cli ({getpass.getuser()})"))


def progress_bar(bar: Any) -> Callable[[int], None]:
    """A `progress(n)` callback for a service, advancing a tqdm bar by n."""
    return lambda n: bar.update(n)


def run_import(args: argparse.Namespace, importer: Any) -> int:
    """Shared by the registry and memorial imports: progress bar, line report, exit code."""
    from tqdm import tqdm

    from vetbridge.core.exceptions import ApplicationError

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    bar = tqdm(
        total=max(data.count(b"\n") - 1, 0),
        unit="rows",
        file=sys.stderr,
        disable=args.json or not sys.stderr.isatty(),
        desc="import",
    )
    try:
        # The upload limit of the web form does not apply to an operator's file.
        report = importer(
            actor=None,
            data=data,
            keep_valid=args.keep_valid,
            source=path.name,
            progress=progress_bar(bar),
            link=not args.no_link,
            max_bytes=sys.maxsize,
        )
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
        print(
            f"{report.total_rows} rows read, {report.imported} imported, "
            f"{report.rejected_rows} rejected ({report.error_count} errors): {state}"
        )
    if report.rejected and not report.committed:
        return 1
    return 0


def add_import_arguments(parser: argparse.ArgumentParser, *, columns: str) -> None:
    """The options common to every CSV import command."""
    parser.add_argument("file", help=columns)
    parser.add_argument(
        "--keep-valid", action="store_true", help="write the valid rows even if others are rejected"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--no-link",
        action="store_true",
        help="skip the linkage job after the import (run scan-duplicates later)",
    )


# ---------------------------------------------------------------- backup and restore


def _cmd_backup(args: argparse.Namespace) -> int:
    """One archive: the database (SQLite backup API or pg_dump) and the private media."""
    setup_django()
    from vetbridge.core.backup import BackupError, create_backup

    try:
        path = create_backup(Path(args.output))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    """Verify an archive, rebuild it in a temporary place, then swap it in (or change nothing)."""
    setup_django()
    from django.db import connection

    from vetbridge.core.backup import BackupError, restore_backup

    if not args.yes and sys.stdin.isatty():
        answer = input(
            f"Replace the database {connection.settings_dict['NAME']} and the media "
            f"files with {args.archive}? Type 'restore' to go on: "
        )
        if answer.strip() != "restore":
            print("Nothing was changed.", file=sys.stderr)
            return 1
    try:
        manifest = restore_backup(Path(args.archive))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("Nothing was changed.", file=sys.stderr)
        return 2
    print(
        f"Restored the backup of {manifest['created_at']}: "
        f"{sum(manifest['table_counts'].values())} rows in {len(manifest['table_counts'])} "
        f"tables, {len(manifest['media'])} files. Run `vetbridge manage migrate` if this "
        "version has newer migrations."
    )
    return 0


def register_commands(sub: Any) -> None:
    backup = sub.add_parser(
        "backup", help="back up the database and the private media files into one verified archive"
    )
    backup.add_argument(
        "--output",
        default=os.environ.get("VETBRIDGE_BACKUP_DIR", "var/backups"),
        metavar="DIR",
        help="directory of the archive (default: var/backups)",
    )
    backup.set_defaults(func=_cmd_backup)
    restore = sub.add_parser(
        "restore",
        help="restore an archive made by `vetbridge backup` (refuses a corrupt or mismatched one)",
    )
    restore.add_argument("archive", metavar="ARCHIVE")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(func=_cmd_restore)
