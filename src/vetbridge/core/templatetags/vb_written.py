"""`{% written_text obj.text obj.text_language %}`: a text someone wrote, inside an element with
its `lang` (screen readers switch voice) and, when it differs from the reader's language, a
visible mark "(written in Ukrainian)". No language stored (older rows): the text alone.
`lines=True` keeps the text's line breaks (`linebreaksbr`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from vetbridge.core.written import known_language

register = template.Library()


def written_in(language: str) -> str:
    """The mark, in the reader's language, naming the language a text was written in."""
    marks = {
        "uk": _("(written in Ukrainian)"),
        "fr": _("(written in French)"),
        "en": _("(written in English)"),
    }
    return marks.get(language, "")


@register.simple_tag
def written_text(text: Any, language: Any = "", lines: bool = False) -> SafeString:
    value = str(text or "")
    body = linebreaksbr(value, autoescape=True) if lines else conditional_escape(value)
    code = known_language(str(language or ""))
    if not value or not code:
        return format_html("{}", body)
    if code == known_language(translation.get_language()):
        return format_html('<span lang="{}">{}</span>', code, body)
    return format_html(
        '<span lang="{}">{}</span> <small class="written-in">{}</small>',
        code,
        body,
        written_in(code),
    )
