"""The form renderer: Django's, with its commonest widgets written in Python.

Django renders each widget through templates: a `<select>` is one template, plus one
included template per `<option>`, plus the attributes' template for each. On the registry's
search form (a region list of 41 entries and three other lists) that is about a quarter of
the page's CPU. `QuickRenderer` produces the same characters for the templates below
(`tests/core/test_form_renderer.py` compares both renderers) and leaves every other
template to Django.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_W = "django/forms/widgets/"
# Escaping as in the templates (`stringformat` keeps a safe string safe): a safe string as
# it is, anything else escaped (`conditional_escape`).


def _attrs(attrs: dict[str, Any]) -> str:
    """attrs.html: ` name="value"` each, a True value bare, a False one left out."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _option(option: dict[str, Any]) -> str:
    return (
        f'<option value="{conditional_escape(option["value"])}"'
        f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
    )


def _select(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _W + "select_option.html":
                raise _Fallback
            parts.append("\n  " + _option(option) + "\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _textarea(widget: dict[str, Any]) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{value}</textarea>\n"
    )


class _Fallback(Exception):
    """A case the Python version does not cover: Django's template renders it."""


_INPUTS = (
    "text",
    "email",
    "number",
    "url",
    "password",
    "hidden",
    "date",
    "datetime",
    "time",
    "search",
    "tel",
    "checkbox",
)
QUICK: dict[str, Callable[[dict[str, Any]], str]] = {
    **{f"{_W}{name}.html": _input for name in _INPUTS},
    _W + "input.html": _input,
    _W + "select.html": _select,
    _W + "select_option.html": _option,
    _W + "textarea.html": _textarea,
}


class QuickRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        quick = QUICK.get(template_name)
        if quick is not None and "widget" in context:
            try:
                # Stripped like Django's renderer strips a template's output.
                return mark_safe(quick(context["widget"]).strip())  # noqa: S308 (values escaped)
            except _Fallback:
                pass
        return SafeString(super().render(template_name, context, request))
