"""CSV and XLSX exports of what a page shows, audited.

A page's export is built from the same selector as the page (so from the reader's scope,
with small cells already hidden in aggregates) and written here. Every export leaves one
audit row naming what was exported, in which format, how many rows, with which filters.
Exports are bounded (`VETBRIDGE_EXPORT_MAX_ROWS`): beyond that the reader is asked to narrow
the filters rather than the server reading a whole table.

CSV is UTF-8 with a byte-order mark and `;` as separator where the reader's language writes
decimals with a comma (fr, uk), so that spreadsheet programs open it correctly; XLSX keeps
numbers and dates typed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.models import AuditAction, User

from .exceptions import ApplicationError

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def max_rows() -> int:
    return int(getattr(settings, "VETBRIDGE_EXPORT_MAX_ROWS", 50_000))


def export_format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        raise ApplicationError(_("Unknown export format: choose CSV or XLSX."))
    return fmt


def bounded(rows: Any, limit: int | None = None) -> list[Any]:
    """The rows of a queryset or list, refused when there are more than the limit."""
    limit = limit or max_rows()
    taken = list(rows[: limit + 1])
    if len(taken) > limit:
        raise ApplicationError(
            _("More than %(n)s rows: narrow the filters before exporting.") % {"n": limit}
        )
    return taken


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def _csv_text(value: Any) -> str:
    value = _cell(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    # A cell starting with = + - @ is a formula to a spreadsheet: neutralise it.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _xlsx_value(value: Any) -> Any:
    value = _cell(value)
    if not isinstance(value, int | float | dt.date | str):
        value = str(value)  # lazy translations, decimals, enums
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value
    return value


def write(header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, title: str) -> bytes:
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=title[:31] or "export")
        sheet.append([str(h) for h in header])
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    delimiter = ";" if (get_language() or "en")[:2] in ("fr", "uk") else ","
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def export_response(
    *,
    request: HttpRequest,
    user: User,
    what: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    filters: dict[str, Any] | None = None,
    title: str = "",
) -> HttpResponse:
    """Write the rows in the requested format, audit the export, answer with the file."""
    fmt = export_format(request)
    body = write(header, rows, fmt, title or what)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type=what,
        summary=what,
        changes={
            "format": fmt,
            "rows": len(rows),
            "filters": {k: str(v) for k, v in (filters or {}).items() if v not in (None, "", [])},
        },
    )
    stamp = timezone.localdate().isoformat()
    name = f"vetbridge-{what.replace('.', '-')}-{stamp}.{fmt}"
    response = HttpResponse(
        body, content_type=XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
