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
    from vetbridge.people.importer import people_import

    return _run_import(args, people_import)


def _cmd_memorial_import(args: argparse.Namespace) -> int:
    _setup_django()
    from vetbridge.memorial.services import memorial_import

    return _run_import(args, memorial_import)


def _run_import(args: argparse.Namespace, importer: Any) -> int:
    """Shared by the registry and memorial imports: progress bar, line report, exit code."""
    from tqdm import tqdm

    from vetbridge.core.exceptions import ApplicationError

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    bar = tqdm(total=max(data.count(b"\n") - 1, 0), unit="rows", file=sys.stderr,
               disable=args.json or not sys.stderr.isatty(), desc="import")
    try:
        # The upload limit of the web form does not apply to an operator's file.
        report = importer(actor=None, data=data, keep_valid=args.keep_valid,
                          source=path.name, progress=lambda n: _update(bar, n),
                          link=not args.no_link, max_bytes=sys.maxsize)
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
              f"{report.rejected_rows} rejected ({report.error_count} errors): {state}")
    if report.rejected and not report.committed:
        return 1
    return 0


def _cmd_people_search(args: argparse.Namespace) -> int:
    """Search the whole registry (an operator's tool: no user scope)."""
    _setup_django()
    from vetbridge.people import name_index
    from vetbridge.people.models import Person
    from vetbridge.people.selectors import NOTICES

    born = None
    if args.born:
        try:
            born = name_index.Born.parse(args.born)
        except ValueError:
            print(f"error: --born: not a year (YYYY) or a date (YYYY-MM-DD): {args.born}",
                  file=sys.stderr)
            return 2
    region_id = None
    if args.region:
        from vetbridge.core.models import Region

        region_id = Region.objects.filter(code=args.region.upper()).values_list(
            "pk", flat=True).first()
        if region_id is None:
            print(f"error: --region: unknown region code {args.region}", file=sys.stderr)
            return 2
    text = " ".join(x for x in (args.query, args.patronymic) if x)
    response = name_index.search(text, limit=args.limit, born=born, region_id=region_id)
    people = Person.objects.prefetch_related("names").in_bulk([r.id for r in response.results])
    hits = [(r, people[r.id]) for r in response.results if r.id in people]
    if args.json:
        print(json.dumps([{"external_id": p.external_id, "id": r.id,
                           "display_name": p.display_name(), "score": r.score,
                           "birth_date": p.birth_date.isoformat() if p.birth_date else None,
                           "reasons": r.reasons} for r, p in hits],
                         ensure_ascii=False, indent=2))
    else:
        for notice in response.notices:
            print(f"note: {NOTICES.get(notice, notice)}", file=sys.stderr)
        for r, p in hits:
            why = "; ".join(f"{x['query']}→{x.get('matched') or '-'} ({x['how']})"
                            for x in r.reasons)
            print(f"{r.score:.3f}  #{r.id:<7} {p.external_id or '':<14} "
                  f"{p.birth_date.isoformat() if p.birth_date else '-':<10} "
                  f"{p.display_name()}  [{why}]")
    return 0


def _cmd_people_repair_merges(args: argparse.Namespace) -> int:
    """Move rows left on records absorbed by a merge made before every app declared what a
    person owns; `--dry-run` only lists them."""
    _setup_django()
    from vetbridge.people.duplicates import repair_merges

    stranded = repair_merges(actor=None, dry_run=args.dry_run)
    found: list[dict[str, Any]] = [{"merge": s.merge.pk, "survivor": s.merge.survivor_id,
              "absorbed": s.merge.absorbed_id, "rows": s.rows} for s in stranded]
    if args.json:
        print(json.dumps({"dry_run": args.dry_run, "merges": found}, ensure_ascii=False,
                         indent=2))
    else:
        for f in found:
            what = ", ".join(f"{len(ids)} {label}" for label, ids in f["rows"].items())
            print(f"merge {f['merge']} ({f['absorbed']} → {f['survivor']}): {what}")
        verb = "would move" if args.dry_run else "moved"
        print(f"{len(found)} merges {verb} rows left behind.")
    return 0


def _cmd_names_reindex(args: argparse.Namespace) -> int:
    _setup_django()
    from tqdm import tqdm

    from vetbridge.people import name_index
    from vetbridge.people.models import Person

    total = Person.objects.filter(merged_into__isnull=True).count()
    with tqdm(total=total, unit="people", file=sys.stderr, desc="reindex",
              disable=not sys.stderr.isatty()) as bar:
        n = name_index.reindex_all(progress=lambda k: _update(bar, k))
    print(f"{n} people indexed.")
    return 0


def _cmd_names_scan(args: argparse.Namespace) -> int:
    """The batch linkage job: blocking, Fellegi–Sunter scoring, the review queue."""
    _setup_django()
    from vetbridge.people.linkage import scan_duplicates

    result = scan_duplicates(threshold=args.threshold, em=args.em)
    if args.json:
        print(json.dumps({"people": result.people, "compared": result.compared,
                          "found": result.found, "queued": result.queued,
                          "seconds": round(result.seconds, 2), "prior": result.model.prior,
                          "m": result.model.m, "u": result.model.u}, ensure_ascii=False,
                         indent=2))
    else:
        print(f"{result.people} people, {result.compared} candidate pairs compared, "
              f"{result.found} above {args.threshold}: {result.queued} new suspected "
              f"duplicates queued for review ({result.seconds:.1f} s).")
    return 0


def _cmd_claims_replay(args: argparse.Namespace) -> int:
    """Recompute every stored decision from its frozen inputs and parameter snapshot."""
    _setup_django()
    from vetbridge.reparation.models import Decision
    from vetbridge.reparation.services import replay_all

    total = Decision.objects.count()
    differing = replay_all()
    if args.json:
        print(json.dumps({"decisions": total, "differing": differing}, ensure_ascii=False,
                         indent=2))
    else:
        for d in differing:
            print(f"DIFFERS: decision {d['decision']} ({d['claim']})", file=sys.stderr)
        print(f"{total} decisions replayed, {len(differing)} differ.")
    return 1 if differing else 0


def _cmd_claims_revalue(args: argparse.Namespace) -> int:
    """Recompute every French pension in payment at the point value in force on --date."""
    _setup_django()
    from tqdm import tqdm

    from vetbridge.core.exceptions import ApplicationError
    from vetbridge.reparation.revaluation import revalue

    with tqdm(total=100, unit="%", file=sys.stderr, desc="revalue",
              disable=not sys.stderr.isatty()) as bar:
        def progress(percent: int, _step: str) -> None:
            bar.update(max(0, percent - bar.n))

        try:
            report = revalue(on=args.date, dry_run=args.dry_run, progress=progress)
        except ApplicationError as exc:
            field, messages = next(iter(exc.fields.items())) if exc.fields else ("", [exc.message])
            error = {"field": field, "message": str(messages[0])}
            print(json.dumps({"error": error}, ensure_ascii=False) if args.json
                  else f"{field}: {error['message']}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        verb = "would be revalued (dry run)" if report.dry_run else "revalued"
        print(f"{report.in_payment} pensions in payment on {report.date.isoformat()}, "
              f"{report.revalued} {verb} at {report.point_value} EUR a point "
              f"({report.changed} changed, {report.already} already revalued), "
              f"{report.notified} notices; digest {report.digest}.")
    return 0


# ---------------------------------------------------------------- backup and restore

def _cmd_backup(args: argparse.Namespace) -> int:
    """One archive: the database (SQLite backup API or pg_dump) and the private media."""
    _setup_django()
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
    _setup_django()
    from django.db import connection

    from vetbridge.core.backup import BackupError, restore_backup

    if not args.yes and sys.stdin.isatty():
        answer = input(f"Replace the database {connection.settings_dict['NAME']} and the media "
                       f"files with {args.archive}? Type 'restore' to go on: ")
        if answer.strip() != "restore":
            print("Nothing was changed.", file=sys.stderr)
            return 1
    try:
        manifest = restore_backup(Path(args.archive))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("Nothing was changed.", file=sys.stderr)
        return 2
    print(f"Restored the backup of {manifest['created_at']}: "
          f"{sum(manifest['table_counts'].values())} rows in {len(manifest['table_counts'])} "
          f"tables, {len(manifest['media'])} files. Run `vetbridge manage migrate` if this "
          "version has newer migrations.")
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
    imp.add_argument("--no-link", action="store_true",
                     help="skip the linkage job after the import (run scan-duplicates later)")
    imp.set_defaults(func=_cmd_people_import)
    search = people_sub.add_parser("search", help="find people by name in any script")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--born", default="", help="birth year YYYY or date YYYY-MM-DD")
    search.add_argument("--region", default="", help="region code of residence, e.g. UA-46")
    search.add_argument("--patronymic", default="")
    search.add_argument("--json", action="store_true",
                        help='print [{"external_id", "display_name", "score", "reasons"}]')
    search.set_defaults(func=_cmd_people_search)
    repair = people_sub.add_parser(
        "repair-merges", help="move rows (claims, care, referrals…) that stayed on records "
                              "absorbed by a merge; audited")
    repair.add_argument("--dry-run", action="store_true", help="list them, move nothing")
    repair.add_argument("--json", action="store_true")
    repair.set_defaults(func=_cmd_people_repair_merges)

    names = sub.add_parser("names", help="the cross-script name index")
    names_sub = names.add_subparsers(dest="names_command", required=True)
    reindex = names_sub.add_parser("reindex", help="rebuild the name index from all spellings")
    reindex.set_defaults(func=_cmd_names_reindex)
    scan = names_sub.add_parser("scan-duplicates",
                                help="batch linkage: queue suspected duplicates for review")
    scan.add_argument("--threshold", type=float, default=0.5,
                      help="probability of being one person from which a pair is queued")
    scan.add_argument("--em", action="store_true",
                      help="learn m by expectation-maximisation instead of the priors")
    scan.add_argument("--json", action="store_true")
    scan.set_defaults(func=_cmd_names_scan)

    memorial = sub.add_parser("memorial", help="the memorial of the fallen")
    memorial_sub = memorial.add_subparsers(dest="memorial_command", required=True)
    mimp = memorial_sub.add_parser("import", help="import a list of the fallen (CSV)")
    mimp.add_argument("file", help="CSV: external_id,surname,given_name,death_date[,patronymic,"
                                   "surname_en,given_name_en,surname_fr,given_name_fr,"
                                   "birth_year,birth_region,death_place,unit,rank,"
                                   "burial_place,circumstances,sources]")
    mimp.add_argument("--keep-valid", action="store_true",
                      help="write the valid rows even if others are rejected")
    mimp.add_argument("--json", action="store_true", help="print the report as JSON")
    mimp.add_argument("--no-link", action="store_true",
                      help="skip the linkage job after the import (run scan-duplicates later)")
    mimp.set_defaults(func=_cmd_memorial_import)

    claims = sub.add_parser("claims", help="reparation claims")
    claims_sub = claims.add_subparsers(dest="claims_command", required=True)
    replay = claims_sub.add_parser("replay", help="recompute every decision; exit 1 if any "
                                                  "differs from what was decided")
    replay.add_argument("--json", action="store_true")
    replay.set_defaults(func=_cmd_claims_replay)
    revalue = claims_sub.add_parser(
        "revalue", help="recompute every French pension in payment at the point value in "
                        "force on --date; idempotent, one audit entry per run")
    revalue.add_argument("--date", required=True, help="YYYY-MM-DD")
    revalue.add_argument("--dry-run", action="store_true", help="compute, write nothing")
    revalue.add_argument("--json", action="store_true")
    revalue.set_defaults(func=_cmd_claims_revalue)

    backup = sub.add_parser("backup", help="back up the database and the private media "
                                           "files into one verified archive")
    backup.add_argument("--output", default=os.environ.get("VETBRIDGE_BACKUP_DIR", "var/backups"),
                        metavar="DIR", help="directory of the archive (default: var/backups)")
    backup.set_defaults(func=_cmd_backup)
    restore = sub.add_parser("restore", help="restore an archive made by `vetbridge backup` "
                                             "(refuses a corrupt or mismatched one)")
    restore.add_argument("archive", metavar="ARCHIVE")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(func=_cmd_restore)

    from vetbridge.rules.cli import add_rules_parser

    add_rules_parser(sub)

    from vetbridge.policylab.cli import add_policylab_parser

    add_policylab_parser(sub)

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
