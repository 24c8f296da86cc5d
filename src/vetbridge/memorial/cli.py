"""`vetbridge memorial …`: the memorial's commands (registered by `vetbridge.cli` through
`register_commands`)."""

from __future__ import annotations

import argparse
from typing import Any

from vetbridge.core.cli import add_import_arguments, run_import, setup_django


def _cmd_memorial_import(args: argparse.Namespace) -> int:
    setup_django()
    from vetbridge.memorial.services import memorial_import

    return run_import(args, memorial_import)


def register_commands(sub: Any) -> None:
    memorial = sub.add_parser("memorial", help="the memorial of the fallen")
    memorial_sub = memorial.add_subparsers(dest="memorial_command", required=True)
    mimp = memorial_sub.add_parser("import", help="import a list of the fallen (CSV)")
    add_import_arguments(
        mimp,
        columns="CSV: external_id,surname,given_name,death_date"
        "[,patronymic,surname_en,given_name_en,surname_fr,"
        "given_name_fr,birth_year,birth_region,death_place,"
        "unit,rank,burial_place,circumstances,sources]",
    )
    mimp.set_defaults(func=_cmd_memorial_import)
