"""Free text people write and others read, stored with the language it was written in.

A model declares its texts and their language columns::

    text = models.TextField(...)
    text_language = text_language_field()
    written_texts: ClassVar[tuple[str, ...]] = ("text",)  # each with its `<name>_language`

One language column per text (`<text>_language`), as texts of one record are often written
by different people at different times (a claim's statement and its assessor's notes, a meeting's
agenda and its minutes). The language is filled by the service that writes the text, from the author (`author_language`:
the actor's `language`, else the active request language), never from a form: the column is
`editable=False`. `model_update` stamps it for a text that changes; a service that creates a row
passes `**languages_for(Model, actor, text=...)`. An empty column (rows written before, system
imports) shows no `lang` and no mark. Displayed by `{% written_text obj.text obj.text_language %}`
(core/templatetags/vb_written.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def text_language_field() -> models.CharField[str, str]:
    return models.CharField(_("language of the text"), max_length=8, blank=True, editable=False)


def known_language(code: str | None) -> str:
    """`code` reduced to one of the site's languages ("fr-fr" → "fr"), else ""."""
    short = (code or "").lower()[:2]
    return short if short in {c for c, _name in settings.LANGUAGES} else ""


def author_language(actor: Any) -> str:
    """The language the actor writes in: their profile's, else the active request language.
    No actor (a system job): unknown ("")."""
    if actor is None:
        return ""
    return known_language(getattr(actor, "language", "")) or known_language(
        translation.get_language()
    )


def language_column(name: str) -> str:
    return f"{name}_language"


def written_texts(instance_or_model: Any) -> tuple[str, ...]:
    return tuple(getattr(instance_or_model, "written_texts", ()) or ())


def languages_for(model: Any, actor: Any, **texts: Any) -> dict[str, str]:
    """{language column: the author's language, or "" for an empty text} for the texts given."""
    declared = written_texts(model)
    language = author_language(actor)
    return {
        language_column(name): (language if str(value or "").strip() else "")
        for name, value in texts.items()
        if name in declared
    }


def stamp_languages(instance: models.Model, actor: Any, names: Any) -> list[str]:
    """Set the language column of each written text among `names` (the texts that changed) on
    `instance`: the author's language, or "" for a text emptied. Returns the columns set."""
    declared = written_texts(instance)
    language = author_language(actor)
    out: list[str] = []
    for name in names:
        if name not in declared:
            continue
        column = language_column(name)
        setattr(instance, column, language if str(getattr(instance, name) or "").strip() else "")
        out.append(column)
    return out
