"""`{% ltext obj.title %}`: a stored text in the reader's language, with its `lang`, and a
notice when it exists only in another language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from vetbridge.cooperation.texts import localized

register = template.Library()


@register.simple_tag
def ltext(texts: dict[str, Any] | None) -> SafeString:
    value = localized(texts)
    if not value.text:
        return format_html("{}", "—")
    if not value.fallback:
        return format_html('<span lang="{}">{}</span>', value.language, value.text)
    return format_html(
        '<span lang="{}">{}</span> <span class="badge lang-notice">{}</span>',
        value.language,
        value.text,
        value.notice,
    )


@register.filter
def ltext_plain(texts: dict[str, Any] | None) -> str:
    return localized(texts).text
