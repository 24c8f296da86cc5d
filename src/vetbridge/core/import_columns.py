"""What an import page tells its reader about each CSV column (required or not, meaning,
accepted values, an example), and the template file built from the same description, so the
page, the template and the importer cannot drift apart (tests import the template)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

Allowed = Callable[[], list[tuple[str, str]]]


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    meaning: Any  # a lazy translation
    example: str
    accepted: Any = ""  # what the cell may hold, in words (lazy translation)
    allowed: Allowed | None = None  # the closed list of codes, [(code, meaning)]

    def allowed_values(self) -> list[tuple[str, str]]:
        return self.allowed() if self.allowed else []


DATE_FORMATS = _("a date as YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY")
ENCODING_NOTE = _(
    "UTF-8 text; comma, semicolon or tab between columns; the first line "
    "names the columns (any order)."
)


def region_codes() -> list[tuple[str, str]]:
    from vetbridge.core.models import Region

    return [(r.code, r.localized_name()) for r in Region.objects.order_by("country", "code")]


def template_csv(columns: Sequence[Column]) -> bytes:
    """The header and one example row, UTF-8 with a byte order mark (spreadsheets then open
    Cyrillic correctly; the importers drop it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    writer.writerow([c.example for c in columns])
    return ("\ufeff" + out.getvalue()).encode()
