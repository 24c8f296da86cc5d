"""Export of the case worker's caseload (what the caseload page shows)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from vetbridge.accounts.roles import Capability
from vetbridge.core.exports import export_response
from vetbridge.core.views import permission_required_page, signed_in_user

from .services import caseload


@permission_required_page(Capability.REFERRALS_MANAGE)
def caseload_export(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows: list[list[Any]] = []
    for r in caseload(user=user):
        rows.append(
            [
                r.person.display_name(),
                "; ".join(f"{f.due_on.isoformat()} {f.what}" for f in r.overdue),
                "; ".join(f"{f.due_on.isoformat()} {f.what}" for f in r.due_soon),
                len(r.appointments_unrecorded),
                len(r.appointments_soon),
                r.unanswered,
                r.needs_information,
                _("yes") if r.new else "",
            ]
        )
    header = [
        _("Name"),
        _("Overdue"),
        _("Due this week"),
        _("Passed appointments not recorded"),
        _("Appointments this week"),
        _("Referrals without answer"),
        _("Claims waiting for information"),
        _("New"),
    ]
    return export_response(
        request=request,
        user=user,
        what="care.caseload",
        header=header,
        rows=rows,
        title=_("My caseload"),
    )
