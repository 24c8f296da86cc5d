"""Explanation traces: every computed right carries the steps that produced it.

A step's text is a message of the rules' catalogue (`catalogue.py`): an English msgid with
named placeholders, written out in Ukrainian, French and English when the step is recorded,
so a step is stored (and a decision frozen) with its three texts, `{"uk": …, "fr": …,
"en": …}`, as before the catalogues. Values given to a message are written as they are
(numbers already formatted by the formula), or are messages themselves (`Msg`, `Join`),
translated in the same language.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .catalogue import LANGUAGES, translate


class Msg:
    """A message of the catalogue and its named values."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: Any) -> None:
        self.msgid = msgid
        self.params = params

    def render(self, lang: str) -> str:
        # Plain values are formatted by str.format itself (format(v, "") is str(v)).
        values = {
            name: value.render(lang) if isinstance(value, Msg | Join) else value
            for name, value in self.params.items()
        }
        return translate(lang, self.msgid).format_map(values)

    def texts(self) -> dict[str, str]:
        return {lang: self.render(lang) for lang in LANGUAGES}

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r}, **{self.params!r})"


class Join:
    """Values (messages or text) written one after the other with a separator."""

    __slots__ = ("items", "sep")

    def __init__(self, sep: str, items: list[Any]) -> None:
        self.sep = sep
        self.items = items

    def render(self, lang: str) -> str:
        return self.sep.join(render(item, lang) for item in self.items)


def render(value: Any, lang: str) -> str:
    if isinstance(value, Msg | Join):
        return value.render(lang)
    return str(value)


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

    def add(self, reference: str, value: Any, msg: str, /, **params: Any) -> None:
        """A step: its legal reference, its value, and its text — the msgid of the rules'
        catalogue with the values of its placeholders."""
        if any(isinstance(v, Msg | Join) for v in params.values()):
            text = Msg(msg, **params).texts()
        else:  # the usual step: the same values in every language
            text = {lang: translate(lang, msg).format_map(params) for lang in LANGUAGES}
        self.steps.append(Step(text, reference, value))

    def as_list(self) -> list[dict[str, Any]]:
        return [s.as_dict() for s in self.steps]
