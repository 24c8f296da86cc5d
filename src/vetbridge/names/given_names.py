"""Curated given-name equivalents (Oleksandr / Aleksandr / Alexandre / Sasha)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from .skeleton import skeleton
from .text import fold
from .translit import SYSTEMS, transliterate


@lru_cache(maxsize=1)
def equivalence_groups() -> dict[str, frozenset[str]]:
    """Group id → skeletons of every form of the name."""
    data = yaml.safe_load(
        resources.files(__package__).joinpath("data/given_names.yaml").read_text(encoding="utf-8")
    )
    groups: dict[str, frozenset[str]] = {}
    for group_id, forms in data["groups"].items():
        spellings = set()
        for form in forms:
            spellings.add(form)
            if any("\u0400" <= ch <= "\u052f" for ch in form):
                spellings.update(transliterate(form, system) for system in SYSTEMS)
        groups[group_id] = frozenset(
            filter(None, (skeleton(fold(s).replace("'", "")) for s in spellings))
        )
    return groups


@lru_cache(maxsize=1)
def _by_skeleton() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for group_id, skels in equivalence_groups().items():
        for skel in skels:
            out.setdefault(skel, set()).add(group_id)
    return {k: frozenset(v) for k, v in out.items()}


def groups_of(skel: str) -> frozenset[str]:
    return _by_skeleton().get(skel, frozenset())


def equivalents(skel: str) -> frozenset[str]:
    """Every skeleton equivalent to `skel` as a given name (itself included when known)."""
    out: set[str] = set()
    for group_id in groups_of(skel):
        out |= equivalence_groups()[group_id]
    return frozenset(out)
