"""Explanation traces: every computed right carries the steps that produced it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Step:
    text: dict[str, str]  # {"uk": …, "fr": …, "en": …}
    reference: str
    value: Any

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["value"] = _jsonable(self.value)
        return d


def _jsonable(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


class Trace:
    def __init__(self) -> None:
        self.steps: list[Step] = []

    def add(self, reference: str, value: Any, *, uk: str, fr: str, en: str) -> None:
        self.steps.append(Step({"uk": uk, "fr": fr, "en": en}, reference, value))

    def as_list(self) -> list[dict[str, Any]]:
        return [s.as_dict() for s in self.steps]
