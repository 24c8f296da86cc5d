"""`vetbridge people …` and `vetbridge names …`: the registry's commands (registered by
`vetbridge.cli` through `register_commands`)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vetbridge.core.cli import add_import_arguments, progress_bar, run_import, setup_django


def _cmd_people_import(args: argparse.Namespace) -> int:
    setup_django()
    from vetbridge.people.importer import people_import

    return run_import(args, people_import)


def _cmd_people_search(args: argparse.Namespace) -> int:
    """Search the whole registry (an operator's tool: no user scope)."""
    setup_django()
    from vetbridge.people import name_index
    from vetbridge.people.models import Person
    from vetbridge.people.selectors import NOTICES

    born = None
    if args.born:
        try:
            born = name_index.Born.parse(args.born)
        except ValueError:
            print(
                f"error: --born: not a year (YYYY) or a date (YYYY-MM-DD): {args.born}",
                file=sys.stderr,
            )
            return 2
    region_id = None
    if args.region:
        from vetbridge.core.models import Region

        region_id = (
            Region.objects.filter(code=args.region.upper()).values_list("pk", flat=True).first()
        )
        if region_id is None:
            print(f"error: --region: unknown region code {args.region}", file=sys.stderr)
            return 2
    text = " ".join(x for x in (args.query, args.patronymic) if x)
    response = name_index.search(text, limit=args.limit, born=born, region_id=region_id)
    people = Person.objects.prefetch_related("names").in_bulk([r.id for r in response.results])
    hits = [(r, people[r.id]) for r in response.results if r.id in people]
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "external_id": p.external_id,
                        "id": r.id,
                        "display_name": p.display_name(),
                        "score": r.score,
                        "birth_date": p.birth_date.isoformat() if p.birth_date else None,
                        "reasons": r.reasons,
                    }
                    for r, p in hits
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for notice in response.notices:
            print(f"note: {NOTICES.get(notice, notice)}", file=sys.stderr)
        for r, p in hits:
            why = "; ".join(
                f"{x['query']}→{x.get('matched') or '-'} ({x['how']})" for x in r.reasons
            )
            print(
                f"{r.score:.3f}  #{r.id:<7} {p.external_id or '':<14} "
                f"{p.birth_date.isoformat() if p.birth_date else '-':<10} "
                f"{p.display_name()}  [{why}]"
            )
    return 0


def _cmd_people_repair_merges(args: argparse.Namespace) -> int:
    """Move rows left on records absorbed by a merge made before every app declared what a
    person owns; `--dry-run` only lists them."""
    setup_django()
    from vetbridge.people.duplicates import repair_merges

    stranded = repair_merges(actor=None, dry_run=args.dry_run)
    found: list[dict[str, Any]] = [
        {
            "merge": s.merge.pk,
            "survivor": s.merge.survivor_id,
            "absorbed": s.merge.absorbed_id,
            "rows": s.rows,
        }
        for s in stranded
    ]
    if args.json:
        print(json.dumps({"dry_run": args.dry_run, "merges": found}, ensure_ascii=False, indent=2))
    else:
        for f in found:
            what = ", ".join(f"{len(ids)} {label}" for label, ids in f["rows"].items())
            print(f"merge {f['merge']} ({f['absorbed']} → {f['survivor']}): {what}")
        verb = "would move" if args.dry_run else "moved"
        print(f"{len(found)} merges {verb} rows left behind.")
    return 0


def _cmd_names_reindex(args: argparse.Namespace) -> int:
    setup_django()
    from tqdm import tqdm

    from vetbridge.people import name_index
    from vetbridge.people.models import Person

    total = Person.objects.filter(merged_into__isnull=True).count()
    with tqdm(
        total=total, unit="people", file=sys.stderr, desc="reindex", disable=not sys.stderr.isatty()
    ) as bar:
        n = name_index.reindex_all(progress=progress_bar(bar))
    print(f"{n} people indexed.")
    return 0


def _cmd_names_scan(args: argparse.Namespace) -> int:
    """The batch linkage job: blocking, Fellegi–Sunter scoring, the review queue."""
    setup_django()
    from vetbridge.people.linkage import scan_duplicates

    result = scan_duplicates(threshold=args.threshold, em=args.em)
    if args.json:
        print(
            json.dumps(
                {
                    "people": result.people,
                    "compared": result.compared,
                    "found": result.found,
                    "queued": result.queued,
                    "seconds": round(result.seconds, 2),
                    "prior": result.model.prior,
                    "m": result.model.m,
                    "u": result.model.u,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(
            f"{result.people} people, {result.compared} candidate pairs compared, "
            f"{result.found} above {args.threshold}: {result.queued} new suspected "
            f"duplicates queued for review ({result.seconds:.1f} s)."
        )
    return 0


def register_commands(sub: Any) -> None:
    people = sub.add_parser("people", help="registry of people")
    people_sub = people.add_subparsers(dest="people_command", required=True)
    imp = people_sub.add_parser("import", help="import people from a CSV file")
    add_import_arguments(
        imp, columns="CSV: external_id,surname,given_name,patronymic,birth_date,sex,status"
    )
    imp.set_defaults(func=_cmd_people_import)
    search = people_sub.add_parser("search", help="find people by name in any script")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--born", default="", help="birth year YYYY or date YYYY-MM-DD")
    search.add_argument("--region", default="", help="region code of residence, e.g. UA-46")
    search.add_argument("--patronymic", default="")
    search.add_argument(
        "--json",
        action="store_true",
        help='print [{"external_id", "display_name", "score", "reasons"}]',
    )
    search.set_defaults(func=_cmd_people_search)
    repair = people_sub.add_parser(
        "repair-merges",
        help="move rows (claims, care, referrals…) that stayed on records "
        "absorbed by a merge; audited",
    )
    repair.add_argument("--dry-run", action="store_true", help="list them, move nothing")
    repair.add_argument("--json", action="store_true")
    repair.set_defaults(func=_cmd_people_repair_merges)

    names = sub.add_parser("names", help="the cross-script name index")
    names_sub = names.add_subparsers(dest="names_command", required=True)
    reindex = names_sub.add_parser("reindex", help="rebuild the name index from all spellings")
    reindex.set_defaults(func=_cmd_names_reindex)
    scan = names_sub.add_parser(
        "scan-duplicates", help="batch linkage: queue suspected duplicates for review"
    )
    scan.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        help="probability of being one person from which a pair is queued",
    )
    scan.add_argument(
        "--em",
        action="store_true",
        help="learn m by expectation-maximisation instead of the priors",
    )
    scan.add_argument("--json", action="store_true")
    scan.set_defaults(func=_cmd_names_scan)
