"""The seams between apps (issue #15): a domain app never imports another domain app's
models; it reads through that app's published selectors, indicators or home panels, and
writes through its services.

The shared kernel — `core` (regions, progress, shared helpers), `accounts` (users, roles,
audit) and `people` (the registry every record refers to) — may be imported by every app.
docs/decisions/0002-seams-between-apps.md says why.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "vetbridge"
KERNEL = {"core", "accounts", "people"}
APPS = sorted(p.name for p in SRC.iterdir() if (p / "apps.py").exists())


def _model_imports(path: Path) -> set[str]:
    """The apps whose `models` module this file imports."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) >= 3 and parts[0] == "vetbridge" and parts[2] == "models":
                out.add(parts[1])
    return out


def test_no_domain_app_imports_another_domain_apps_models():
    offences = []
    for app in APPS:
        for path in (SRC / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for other in _model_imports(path) - KERNEL - {app}:
                offences.append(f"{path.relative_to(SRC)} imports vetbridge.{other}.models")
    assert not offences, "read through selectors, write through services:\n" + "\n".join(
        sorted(offences))


def test_the_check_sees_an_offence():
    sample = SRC / "care" / "services.py"
    assert "people" in _model_imports(sample)  # the kernel import is seen (and allowed)
