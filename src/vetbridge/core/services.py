"""The two helpers every app's services share: typed inputs and one way to update a record.

Typed inputs
    A service takes keyword arguments or one small frozen dataclass (`PersonInput`,
    `AppointmentInput`, `ReferralInput`, …), never a `dict`. The adapters build it at the
    boundary: a form from its `cleaned_data`, an API endpoint from its ninja schema, a test
    or a command directly, each through `input_from(InputClass, mapping)`. `input_from` parses
    what a mapping may carry as text (ISO dates and date-times, integers, booleans, lists)
    into the annotated types and names the field in the reader's language when it cannot;
    business rules (a plausible date, a known partner, a surname after trimming) stay in the
    service, which names the field the same way.

One update
    `model_update(instance=…, fields=…, actor=…)` (HackSoft's `model_update`, with the
    project's audit): sets only the fields whose value changes, runs `full_clean()`, saves
    with `update_fields` (plus `updated_at` when the model has one), and writes ONE audit row
    `{"fields": {name: [old, new]}}` — the shape `accounts.describe` tells as a sentence.
    Nothing changed: no validation, no save, no audit row. Invalid: `ApplicationError`
    naming each field (a `prefix` may be put before the names), the instance's values
    restored, nothing saved. With `expected_version` (optimistic locking) the write is one
    `UPDATE … WHERE version = expected` that bumps the version, and a stale version is a
    `ConflictError`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .exceptions import ApplicationError, ConflictError
from .written import language_column, stamp_languages, written_texts

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


class Unset:
    """The value of a field a partial update leaves as it is (`PersonChanges`): distinct
    from None, which empties a nullable field."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET = Unset()

# ---------------------------------------------------------------- typed inputs


def _optional(hint: Any) -> tuple[Any, bool]:
    """(the type inside `X | None`, whether None is allowed)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        every = [a for a in typing.get_args(hint) if a is not Unset]
        args = [a for a in every if a is not type(None)]
        allows_none = len(args) < len(every)
        return (args[0] if len(args) == 1 else hint), allows_none
    return hint, hint is Any


def _coerce(name: str, hint: Any, value: Any) -> Any:
    if value is UNSET:
        return value
    inner, allows_none = _optional(hint)
    if value is None or (value == "" and inner is not str):
        if allows_none:
            return None
        if inner is str:
            return ""
        raise _field(name, _("This field is required."))
    origin = typing.get_origin(inner)
    try:
        if inner is str:
            return value if isinstance(value, str) else str(value)
        if inner is bool:
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "on", "yes")
            return bool(value)
        if inner is int:
            if isinstance(value, bool):
                raise ValueError(value)
            return int(str(value).strip()) if not isinstance(value, int) else value
        if inner is dt.datetime:
            if isinstance(value, dt.datetime):
                return value
            parsed = dt.datetime.fromisoformat(str(value))
            return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
        if inner is dt.date:
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            return dt.date.fromisoformat(str(value))
        if origin is tuple:
            if isinstance(value, str | bytes | Mapping):
                raise TypeError(value)
            item = (typing.get_args(inner) or (Any,))[0]
            return tuple(_coerce(name, item, v) for v in value)
    except (TypeError, ValueError):
        message = {
            dt.date: _("Enter a valid date."),
            dt.datetime: _("Enter a date and time."),
            int: _("Enter a whole number."),
        }.get(inner, _("Enter a valid value."))
        raise _field(name, message) from None
    return value  # dicts, decimals, bytes, model instances: as given


@functools.cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    """The dataclass's resolved annotations (evaluated once per class: strings under
    `from __future__ import annotations`)."""
    return typing.get_type_hints(cls)


def input_from(cls: type[T], data: Mapping[str, Any], **overrides: Any) -> T:
    """An instance of the dataclass `cls` from `data` (form `cleaned_data`, a schema's
    `dict()`, a test's literal) and `overrides`: the dataclass's fields only, each parsed to
    its annotated type; a missing or empty key takes the field's default (`UNSET` in a
    partial update); a missing required one is refused naming the field."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    hints = _hints(cls)
    source = {**data, **overrides}
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if f.name in source:
            raw = source[f.name]
            inner, allows_none = _optional(hints[f.name])
            if (
                not required
                and not allows_none
                and (raw is None or (raw == "" and inner is not str))
            ):
                continue  # left empty: the field's default
            values[f.name] = _coerce(f.name, hints[f.name], raw)
        elif required:
            raise _field(f.name, _("This field is required."))
    return cls(**values)


def _field(name: str, message: str) -> ApplicationError:
    return ApplicationError(_("Some fields are not valid."), fields={name: [message]})


# ---------------------------------------------------------------- errors


def validation_error(exc: ValidationError, prefix: str = "") -> ApplicationError:
    """Django's `ValidationError` as the error contract's `ApplicationError`, each message
    on the field it names (with `prefix`, e.g. "names.1.")."""
    fields: dict[str, list[str]] = {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            key = "__all__" if name == "__all__" else f"{prefix}{name}"
            fields[key] = list(errors)
    else:
        fields["__all__"] = list(exc.messages)
    return ApplicationError(_("Some fields are not valid."), fields=fields)


def full_clean(
    obj: models.Model,
    *,
    prefix: str = "",
    exclude: Iterable[str] | None = None,
) -> None:
    """`obj.full_clean()` raising the error contract's `ApplicationError`."""
    try:
        obj.full_clean(exclude=list(exclude) if exclude is not None else None)
    except ValidationError as exc:
        raise validation_error(exc, prefix) from exc


# ---------------------------------------------------------------- one update


def _as_mapping(fields: Mapping[str, Any] | Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(fields) and not isinstance(fields, type):
        return {
            f.name: getattr(fields, f.name)
            for f in dataclasses.fields(fields)
            if getattr(fields, f.name) is not UNSET
        }
    if isinstance(fields, Mapping):
        return {k: v for k, v in fields.items() if v is not UNSET}
    raise TypeError("model_update takes a mapping or a dataclass instance")


def field_values(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """{field name: stored value} (a related record's id): a snapshot to compare or log."""
    out: dict[str, Any] = {}
    for name in names:
        field = instance._meta.get_field(name)
        out[field.name] = getattr(instance, field.attname)  # type: ignore[union-attr]
    return out


def _person_id(instance: models.Model) -> int | None:
    if instance._meta.label_lower == "people.person":
        return int(instance.pk)
    value = getattr(instance, "person_id", None)
    return int(value) if value is not None else None


def model_update(
    *,
    instance: M,
    fields: Mapping[str, Any] | Any,
    actor: Any,
    audit_action: str = "update",
    summary: str | None = None,
    person_id: int | None = None,
    audit_extra: Mapping[str, Any] | None = None,
    audit: bool = True,
    expected_version: int | None = None,
    conflict_message: str = "",
    prefix: str = "",
    clean_exclude: Iterable[str] | None = None,
    check: Callable[[M], None] | None = None,
    redact: Iterable[str] = (),
) -> tuple[M, list[str]]:
    """Update `instance` with `fields` ({model field name or attname: value}, or a dataclass
    whose fields are model fields) and audit the difference. Returns the instance and the
    names of the fields that changed (empty: nothing written). Call inside the service's
    transaction.

    - `summary`: the audit row's summary (data, not prose); by default the changed names.
    - `audit_extra`: more keys stored beside `"fields"` in the audit row's changes.
    - `audit=False`: the caller writes its own row (a bulk job's single entry).
    - `expected_version`: optimistic locking on the model's `version` field (see module).
    - `check(instance)`: a business rule on the updated values, run after `full_clean`; it
      refuses by raising `ApplicationError` (the values are restored as for an invalid one).
    - `redact`: fields whose change is audited as ["…", "…"] (long or private free text).
    """
    from vetbridge.accounts.audit import audit_record, diff_fields

    opts = instance._meta
    wanted = _as_mapping(fields)
    if expected_version is not None and getattr(instance, "version", None) != expected_version:
        raise ConflictError(conflict_message or _default_conflict())
    before: dict[str, Any] = {}  # attname: value, to restore on a validation error
    old_values: dict[str, Any] = {}
    new_values: dict[str, Any] = {}
    for key, value in wanted.items():
        field = opts.get_field(key)
        if not isinstance(field, models.Field) or not field.concrete or field.many_to_many:
            raise TypeError(f"{opts.label}.{key} is not a field model_update can set")
        old = getattr(instance, field.attname)
        new = value.pk if field.is_relation and isinstance(value, models.Model) else value
        if old == new:
            continue
        before[field.attname] = old
        if field.is_relation and isinstance(value, models.Model):
            setattr(instance, field.name, value)
        else:
            setattr(instance, field.attname, value)
        old_values[field.name], new_values[field.name] = old, new
    diff = diff_fields(old_values, new_values)
    if not diff:
        return instance, []
    try:
        full_clean(instance, prefix=prefix, exclude=clean_exclude)
        if check is not None:
            check(instance)
    except ApplicationError:
        for attname, old in before.items():
            setattr(instance, attname, old)  # a foreign key's cached record is let go too
        raise
    changed = list(diff)
    for name in redact:
        if name in diff:
            diff[name] = ["…", "…"]
    written = list(changed)
    # A written text that changed takes its author's language (core/written.py).
    previous = {
        language_column(n): getattr(instance, language_column(n))
        for n in changed
        if n in written_texts(instance)
    }
    for column in stamp_languages(instance, actor, changed):
        before.setdefault(column, previous[column])
        written.append(column)
    if "updated_at" not in wanted and _has_field(opts, "updated_at"):
        instance.updated_at = timezone.now()  # type: ignore[attr-defined]
        written.append("updated_at")
    if expected_version is not None:
        attnames = [getattr(opts.get_field(name), "attname", name) for name in written]
        values = {attname: getattr(instance, attname) for attname in attnames}
        rows = (
            type(instance)
            ._default_manager.filter(pk=instance.pk, version=expected_version)
            .update(version=expected_version + 1, **values)
        )
        if rows != 1:
            for attname, old in before.items():
                setattr(instance, attname, old)
            raise ConflictError(conflict_message or _default_conflict())
        instance.version = expected_version + 1  # type: ignore[attr-defined]
    else:
        instance.save(update_fields=written)
    if audit:
        audit_record(
            actor=actor,
            action=audit_action,
            obj=instance,
            person_id=person_id if person_id is not None else _person_id(instance),
            summary=", ".join(changed) if summary is None else summary,
            changes={"fields": diff, **(audit_extra or {})},
        )
    return instance, changed


def _has_field(opts: Any, name: str) -> bool:
    try:
        opts.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _default_conflict() -> str:
    return _(
        "Someone else changed this record since you opened it. Reload the page to see "
        "their change, then apply yours again."
    )
