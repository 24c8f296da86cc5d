"""What a person owns, as each app declares it: which rows follow a person when two registry
records are merged, and which stay where they are (and why).

Every model with a foreign key to `people.Person` is declared by its own app, in its
`AppConfig.person_rows`; `tests/people/test_ownership.py` walks every such key in the project
and fails on one that no app declared. The merge (`people.duplicates.person_merge`) moves the
rows declared MOVE, and its undo moves exactly those rows back.

This module imports no model, so that `apps.py` files may import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.apps import apps


class Policy(StrEnum):
    MOVE = "move"  # the rows belong to the person: they follow the survivor of a merge
    MERGE = "merge"  # moved by the merge itself with rules of their own (spellings, family links)
    KEEP = "keep"  # the rows describe the record, not the person (queue pairs, merges, index)


@dataclass(frozen=True)
class PersonRows:
    model: str  # "app_label.ModelName"
    field: str  # the foreign key to Person
    policy: Policy
    reason: str = ""

    def model_class(self) -> Any:
        return apps.get_model(self.model)


def declarations() -> list[PersonRows]:
    """Every declaration of every installed app, in app order."""
    out: list[PersonRows] = []
    for config in apps.get_app_configs():
        out.extend(getattr(config, "person_rows", ()))
    return out


def movable() -> list[tuple[Any, str]]:
    """(model, field) of the rows that follow a person through a merge."""
    return [(d.model_class(), d.field) for d in declarations() if d.policy == Policy.MOVE]


def movable_by_label() -> dict[str, tuple[Any, str]]:
    return {model._meta.label_lower: (model, field) for model, field in movable()}
