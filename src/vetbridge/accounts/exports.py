"""Export of the audit log with the page's filters (administrators)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from vetbridge.core.exports import bounded, export_response
from vetbridge.core.views import permission_required_page, signed_in_user

from .forms import AuditFilterForm
from .roles import Capability
from .selectors import audit_log_list


@permission_required_page(Capability.AUDIT_VIEW)
def audit_export(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = bounded(audit_log_list(filters=filters).order_by("-at", "-pk"))
    rows: list[list[Any]] = [
        [
            e.at,
            e.actor_username,
            e.get_action_display(),
            e.object_type,
            e.object_id,
            e.person_id or "",
            e.summary,
            e.channel,
            e.ip or "",
        ]
        for e in entries
    ]
    header = [
        _("When"),
        _("Who"),
        _("Action"),
        _("Object"),
        _("Identifier"),
        _("Person"),
        _("Summary"),
        _("Channel"),
        _("Address"),
    ]
    return export_response(
        request=request,
        user=user,
        what="audit.log",
        header=header,
        rows=rows,
        filters=filters,
        title=_("Audit log"),
    )
