"""The seams between apps (issue #15): a domain app never imports another domain app's
models; it reads through that app's published selectors, indicators or home panels, and
writes through its services.

The shared kernel — `core` (regions, progress, shared helpers), `accounts` (users, roles,
audit) and `people` (the registry every record refers to) — may be imported by every app.
docs/decisions/0002-seams-between-apps.md says why.

The same rule is an import-linter contract (`[tool.importlinter]` in pyproject.toml, run by
`make lint`) next to the pure-core and layer contracts; the tests below keep the two in step,
so an app added later is covered by both (docs/decisions/0006-app-commands-and-import-contracts.md).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "vetbridge"
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
        sorted(offences)
    )


def test_the_check_sees_an_offence():
    sample = SRC / "care" / "services.py"
    assert "people" in _model_imports(sample)  # the kernel import is seen (and allowed)


def _contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}
    return contracts[contract_id]


def test_the_import_contract_forbids_the_models_of_every_app_outside_the_kernel():
    """import-linter only knows the modules it is given: every app with models outside the
    kernel must be listed, or its models would be open to all."""
    with_models = {
        app for app in APPS if (SRC / app / "models.py").exists() or (SRC / app / "models").is_dir()
    }
    contract = _contract("app-models")
    assert contract["source_modules"] == ["vetbridge.*"]
    assert sorted(contract["forbidden_modules"]) == sorted(
        f"vetbridge.{app}.models" for app in with_models - KERNEL
    )


def test_the_pure_cores_are_forbidden_django_and_the_rest_of_vetbridge():
    contract = _contract("pure-cores")
    assert set(contract["source_modules"]) == {"vetbridge.rules", "vetbridge.names"}
    assert {"django", "vetbridge.*"} <= set(contract["forbidden_modules"])


def test_every_module_sits_in_a_layer():
    """A module outside every layer escapes the layer contract: a new app or module must be
    placed (above the apps it reads, below those that read it)."""
    layered = [
        m.strip()
        for layer in _contract("layers")["layers"]
        for m in layer.replace("|", ":").split(":")
    ]
    unplaced = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = ["vetbridge", *path.relative_to(SRC).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        module = ".".join(parts)
        # The root package and the API package's own files import nothing of the project.
        if module in {"vetbridge", "vetbridge.api", "vetbridge.api.apps"}:
            continue
        if not any(module == m or module.startswith(m + ".") for m in layered):
            unplaced.append(module)
    assert not unplaced, "place these modules in the layers contract: " + ", ".join(
        sorted(unplaced)
    )
