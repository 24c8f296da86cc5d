"""The `vetbridge` command is assembled from each app's `cli.py` (issue #15, point 2):
`vetbridge/cli.py` keeps the entry point, `demo` and `manage`, and registers the apps'
commands in the order of INSTALLED_APPS, without importing Django."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest
from django.conf import settings

from vetbridge.cli import app_command_modules, build_parser, main
from vetbridge.config.installed_apps import PROJECT_APPS

# Every command of the command line, its owner and its arguments: a command that changes
# name, loses an option or moves to another app fails here.
COMMANDS = {
    ("demo",): ("vetbridge.cli", ["--force"]),
    ("backup",): ("vetbridge.core.cli", ["--output"]),
    ("restore",): ("vetbridge.core.cli", ["--yes", "archive"]),
    ("people", "import"): ("vetbridge.people.cli", ["--json", "--keep-valid", "--no-link", "file"]),
    ("people", "search"): (
        "vetbridge.people.cli",
        ["--born", "--json", "--limit", "--patronymic", "--region", "query"],
    ),
    ("people", "repair-merges"): ("vetbridge.people.cli", ["--dry-run", "--json"]),
    ("names", "reindex"): ("vetbridge.people.cli", []),
    ("names", "scan-duplicates"): ("vetbridge.people.cli", ["--em", "--json", "--threshold"]),
    ("claims", "replay"): ("vetbridge.reparation.cli", ["--json"]),
    ("claims", "revalue"): ("vetbridge.reparation.cli", ["--date", "--dry-run", "--json"]),
    ("memorial", "import"): (
        "vetbridge.memorial.cli",
        ["--json", "--keep-valid", "--no-link", "file"],
    ),
    ("policylab", "replay"): ("vetbridge.policylab.cli", ["--json", "run_id"]),
    ("rules", "fr-pmi"): ("vetbridge.rules.cli", []),
    ("rules", "fr-pmi-batch"): ("vetbridge.rules.cli", ["--date", "input", "output"]),
    ("rules", "fr-survivor"): ("vetbridge.rules.cli", []),
    ("rules", "ua-assistance"): ("vetbridge.rules.cli", []),
    ("rules", "ua-annual"): ("vetbridge.rules.cli", []),
    ("rules", "simulate"): ("vetbridge.rules.cli", ["--date", "--json", "--reform", "population"]),
    ("manage",): ("vetbridge.cli", ["args"]),
}


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command path, module of its function, its options and positionals) of every leaf."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        args = sorted(
            opt
            for a in parser._actions
            if not isinstance(a, argparse._HelpAction)
            for opt in ([max(a.option_strings, key=len)] if a.option_strings else [a.dest])
        )
        yield path, parser.get_default("func").__module__, args
        return
    for name, child in subs[0].choices.items():
        yield from _leaves(child, (*path, name))


def test_every_command_keeps_its_name_options_and_owner():
    found = {path: (module, args) for path, module, args in _leaves(build_parser())}
    assert found == {path: (module, sorted(args)) for path, (module, args) in COMMANDS.items()}


def test_apps_register_their_commands_in_the_order_of_installed_apps():
    apps = [m.__name__.removesuffix(".cli") for m in app_command_modules()]
    assert apps == [
        "vetbridge.core",
        "vetbridge.people",
        "vetbridge.reparation",
        "vetbridge.memorial",
        "vetbridge.policylab",
    ]
    installed = [a for a in settings.INSTALLED_APPS if a.startswith("vetbridge.")]
    assert installed == list(PROJECT_APPS)  # the settings and the command line read one list
    top = list(build_parser()._subparsers._group_actions[0].choices)
    assert top == [
        "demo",
        "backup",
        "restore",
        "people",
        "names",
        "claims",
        "memorial",
        "policylab",
        "rules",
        "manage",
    ]


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in {path[0] for path in COMMANDS}:
        assert f"\n    {command} " in out, command


def test_an_app_cli_without_register_commands_is_refused(tmp_path, monkeypatch):
    package = tmp_path / "vb_fake_app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text("def add_parser(sub):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(TypeError, match="vb_fake_app.cli has no register_commands"):
        app_command_modules(["vetbridge.core", "vb_fake_app"])
    assert [m.__name__ for m in app_command_modules(["vetbridge.accounts"])] == []


def test_building_the_command_line_imports_no_django():
    code = (
        "import sys; from vetbridge.cli import build_parser; build_parser(); "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


@pytest.mark.django_db
def test_a_command_run_in_process_leaves_the_callers_audit_origin_alone(tmp_path):
    """A command marks its own audit entries as coming from the command line; once it returns,
    the caller (a test, a task) is back to its own origin, so its entries are not mislabelled."""
    from vetbridge.core.request_context import current_origin

    before = current_origin()
    assert main(["names", "reindex"]) == 0
    assert current_origin() == before
