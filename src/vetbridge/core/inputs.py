"""One input gate: the rules every typed, posted or imported value passes, wherever it enters.

Text
    No control character (Unicode category Cc: NUL, ESC, BEL, DEL, C1 controls) and no line
    or paragraph separator, in any text. A multi-line field (a model `TextField`, a form
    `Textarea`, or a name in `EXTRA_MULTILINE`) accepts new lines and tabs (LF, CR, TAB);
    every other field refuses them. PostgreSQL cannot store NUL at all: refusing it here turns
    a server error into a field error on both databases.

    Where it is applied (each names the field in its error):
    - model fields: `install_model_validators()` (called by `CoreConfig.ready`) gives every
      `CharField` and `TextField` of the project's apps the validator, so `full_clean()` refuses;
    - forms: `core.forms.ServiceErrorsMixin` checks every text field of the form;
    - the API and every query string: `core.middleware.InputGateMiddleware` checks JSON bodies
      (field path as in the schema errors: `names.0.surname`) and query parameters;
    - importers: `row_text_errors()` on each CSV row.

Dates
    `check_date()`: a date is plausible from `EARLIEST_DATE` to today (events that happened:
    births, statuses, consents, injuries, claim dates, deaths), or to today plus
    `VETBRIDGE_FUTURE_HORIZON_DAYS` for planned dates (appointments, follow-ups, the end of a
    status); never before the person's birth when the person's birth date is known.

Pages
    A page past the end (any number, e.g. 99999999999999999999) is an empty page in the API
    (numbers above `MAX_PAGE` are not sent to the database); pages use `Paginator.get_page`.

Nulls
    `nulls_as_empty()`: in a partial update, null for an optional text means empty; null for a
    field that cannot hold it is refused with 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from .exceptions import ApplicationError

# Field names that are multi-line in the API without being a model TextField (long free text
# reduced or kept as typed by their service).
EXTRA_MULTILINE = frozenset(
    {"message", "note", "notes", "description", "consent_text", "grievances"}
)
EARLIEST_DATE = dt.date(1900, 1, 1)
MAX_PAGE = 10**6


# Unicode category Cc is exactly U+0000–U+001F and U+007F–U+009F; with the line and paragraph
# separators. One compiled search per value (see bench/input_gate.py for its cost).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAKS = re.compile("[\n\r\t]")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` is refused (translated), or None when it passes the gate."""
    if _CONTROL.search(value):
        return _("Control characters (such as NUL or ESC) are not allowed.")
    if not multiline and _LINE_BREAKS.search(value):
        return _("Line breaks and tabs are not allowed in this field.")
    return None


@deconstructible
class TextGateValidator:
    """Model and form field validator for the text rule above."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if isinstance(value, str):
            problem = text_problem(value, multiline=self.multiline)
            if problem:
                raise ValidationError(problem, code="control_characters")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextGateValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash(("TextGateValidator", self.multiline))


SINGLE_LINE = TextGateValidator(multiline=False)
MULTI_LINE = TextGateValidator(multiline=True)


def check_text(field: str, value: Any, *, multiline: bool = False) -> None:
    """Raise a field error naming `field` when `value` does not pass the text gate."""
    if isinstance(value, str):
        problem = text_problem(value, multiline=multiline)
        if problem:
            raise ApplicationError(_("Some fields are not valid."), fields={field: [problem]})


_multiline_names: frozenset[str] | None = None


def multiline_names() -> frozenset[str]:
    """Names of the multi-line fields: every project TextField, and `EXTRA_MULTILINE`."""
    global _multiline_names
    if _multiline_names is None:
        from django.apps import apps
        from django.db import models

        names = {
            f.name
            for m in apps.get_models()
            if m.__module__.startswith("vetbridge.")
            for f in m._meta.get_fields()
            if isinstance(f, models.TextField)
        }
        _multiline_names = frozenset(names | EXTRA_MULTILINE)
    return _multiline_names


def data_text_errors(data: Any, path: str = "") -> dict[str, list[str]]:
    """{"names.0.surname": [reason]} for every string in a JSON-like value that is refused.
    A string is multi-line when the last named key on its path is a multi-line name."""
    errors: dict[str, list[str]] = {}

    def walk(value: Any, where: list[str], last_key: str) -> None:
        if isinstance(value, str):
            problem = text_problem(value, multiline=last_key in multiline_names())
            if problem:
                errors.setdefault(".".join(where) or "__all__", []).append(problem)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, [*where, str(key)], str(key))
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                walk(item, [*where, str(i)], last_key)

    walk(data, [path] if path else [], path)
    return errors


def row_text_errors(row: Mapping[str, Any], multiline: Iterable[str] = ()) -> dict[str, str]:
    """For an imported row: {column: reason} for each text value the gate refuses."""
    allowed = set(multiline) | set(multiline_names())
    out: dict[str, str] = {}
    for key, value in row.items():
        if isinstance(value, str):
            problem = text_problem(value, multiline=str(key) in allowed)
            if problem:
                out[str(key)] = problem
    return out


def install_model_validators() -> None:
    """Give every CharField and TextField of the project's models the text gate.

    Set as the field's default validators (not in its deconstructed arguments), so the rule
    lives here and needs no migration; `full_clean()` and model forms apply it.
    """
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        if not model.__module__.startswith("vetbridge."):
            continue
        for f in model._meta.local_fields:
            if isinstance(f, models.CharField | models.TextField) and not f.choices:
                gate = MULTI_LINE if isinstance(f, models.TextField) else SINGLE_LINE
                f.default_validators = [*type(f).default_validators, gate]
                f.__dict__.pop("validators", None)  # a cached list from before


# ---------------------------------------------------------------- dates


def future_horizon() -> dt.date:
    return timezone.localdate() + dt.timedelta(
        days=getattr(settings, "VETBRIDGE_FUTURE_HORIZON_DAYS", 5 * 366)
    )


def date_problem(
    value: dt.date,
    *,
    future: bool = False,
    not_before: dt.date | None = None,
    today: dt.date | None = None,
) -> str | None:
    """Why `value` is not a plausible date (translated), or None. `today` saves a bulk
    importer the time-zone lookup per row (it defaults to the local date)."""
    if value < EARLIEST_DATE:
        return _("The date cannot be before %(date)s.") % {"date": EARLIEST_DATE.isoformat()}
    if not future and value > (today or timezone.localdate()):
        return _("The date cannot be in the future.")
    if future and value > future_horizon():
        return _("The date cannot be after %(date)s.") % {"date": future_horizon().isoformat()}
    if not_before is not None and value < not_before:
        return _("The date cannot be before the birth date (%(date)s).") % {
            "date": not_before.isoformat()
        }
    return None


def check_date(
    field: str, value: dt.date | None, *, future: bool = False, not_before: dt.date | None = None
) -> dt.date | None:
    """Raise a field error naming `field` unless `value` is a plausible date (None passes)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    problem = date_problem(value, future=future, not_before=not_before)
    if problem:
        raise ApplicationError(_("Some fields are not valid."), fields={field: [problem]})
    return value


# ---------------------------------------------------------------- nulls


def nulls_as_empty(data: dict[str, Any], model: type[Any]) -> dict[str, Any]:
    """A partial update's explicit nulls, made what the model can hold: a nullable field
    keeps None, an optional text field becomes empty; any other null is refused (422)
    naming the field."""
    from django.db import models

    from .exceptions import UnprocessableError

    out = dict(data)
    refused: dict[str, list[str]] = {}
    for key, value in data.items():
        if value is not None:
            continue
        try:
            f = model._meta.get_field(key)
        except FieldDoesNotExist:  # not a model field: the caller's own key
            continue
        if getattr(f, "null", False):
            continue
        if isinstance(f, models.CharField | models.TextField) and f.blank and not f.choices:
            out[key] = ""
        else:
            refused[key] = [_("This field cannot be empty.")]
    if refused:
        raise UnprocessableError(_("Some fields are not valid."), fields=refused)
    return out
