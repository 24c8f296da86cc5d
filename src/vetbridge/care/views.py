"""Care pages: the caseload, one timeline per veteran with its forms, the PDF summary."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetbridge.accounts.roles import Capability
from vetbridge.core.exceptions import ApplicationError
from vetbridge.core.services import input_from
from vetbridge.core.views import permission_required_page, signed_in_user

from . import services, whodas
from .forms import FORMS
from .models import GoalStatus
from .summary import care_summary_pdf


@permission_required_page(Capability.REFERRALS_MANAGE)
def caseload(request: HttpRequest) -> HttpResponse:
    return render(
        request, "care/caseload.html", {"rows": services.caseload(user=signed_in_user(request))}
    )


def _chart(series: list[Any]) -> dict[str, Any] | None:
    """WHODAS scores over time as SVG points (the table below it is the accessible twin)."""
    if not series:
        return None
    width, height, pad = 480, 160, 24
    n = len(series)
    points = []
    for i, a in enumerate(series):
        x = pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)
        y = height - pad - (height - 2 * pad) * (a.score / whodas.MAX_SCORE)
        # SVG coordinates are text with a dot whatever the reader's language: a localised
        # "24,0" would break the drawing in uk and fr.
        points.append({"x": f"{x:.1f}", "y": f"{y:.1f}", "a": a})
    return {
        "width": width,
        "height": height,
        "points": points,
        "path": " ".join(f"{p['x']},{p['y']}" for p in points),
    }


def _own_language(person: Any) -> tuple[str, str] | None:
    """(code, name) of the veteran's language when it is not the reader's: the summary can
    then also be printed in it."""
    own = person.preferred_language or "uk"
    if own == (translation.get_language() or "uk")[:2]:
        return None
    return own, str(dict(settings.LANGUAGES).get(own, own))


def _render(request: HttpRequest, person_id: int, status: int = 200, **bound: Any) -> HttpResponse:
    user = signed_in_user(request)
    person = services.care_open(actor=user, person_id=person_id)
    series = services.whodas_series(person)
    for a in series:  # the WHO manual's own sum (12–60) beside the 0–48 recoding
        a.who_sum = whodas.who_sum(a.score or 0)  # type: ignore[attr-defined]
    can_edit = user.can(Capability.CARE_EDIT)
    forms = (
        {key: bound.get(key) or cls(prefix=key) for key, cls in FORMS.items()} if can_edit else {}
    )
    return render(
        request,
        "care/file.html",
        {
            "person": person,
            "timeline": services.timeline(user=user, person=person),
            "goals": person.goals.all(),
            "series": series,
            "chart": _chart(series),
            "followups": services.followups_of(person),
            "forms": forms,
            "can_edit": can_edit,
            "appointments": services.appointments_open(person),
            "now": timezone.now(),
            "can_refer": user.can(Capability.REFERRALS_MANAGE),
            "goal_statuses": GoalStatus.choices,
            "own_language": _own_language(person),
        },
        status=status,
    )


@permission_required_page(Capability.CARE_VIEW)
def care_file(request: HttpRequest, person_id: int) -> HttpResponse:
    return _render(request, person_id)


# Each form's service and the typed input built from its cleaned data.
ADDERS: dict[str, tuple[Any, type[Any]]] = {
    "injury": (services.injury_add, services.InjuryInput),
    "episode": (services.episode_add, services.EpisodeInput),
    "goal": (services.goal_add, services.GoalInput),
    "ua_functioning": (services.ua_functioning_add, services.UaFunctioningInput),
    "appointment": (services.appointment_add, services.AppointmentInput),
    "followup": (services.followup_add, services.FollowUpInput),
    "note": (services.note_add, services.NoteInput),
}


@require_POST
@permission_required_page(Capability.CARE_EDIT)
def add(request: HttpRequest, person_id: int, kind: str) -> HttpResponse:
    if kind not in FORMS:
        raise ApplicationError(_("Unknown step."))
    form = FORMS[kind](request.POST, prefix=kind)
    if form.is_valid():
        try:
            if kind == "whodas":
                data = dict(form.cleaned_data)
                services.whodas_add(
                    actor=signed_in_user(request),
                    person_id=person_id,
                    assessed_on=data.pop("assessed_on"),
                    answers=data,
                )
            else:
                service, input_class = ADDERS[kind]
                service(
                    actor=signed_in_user(request),
                    person_id=person_id,
                    data=input_from(input_class, form.cleaned_data),
                )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("care:file", person_id=person_id)
    return _render(request, person_id, status=400, **{kind: form})


@require_POST
@permission_required_page(Capability.CARE_EDIT)
def goal_status(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = services.goal_set_status(
        actor=signed_in_user(request), goal_id=goal_id, status=str(request.POST.get("status", ""))
    )
    messages.success(request, _("Saved."))
    return redirect("care:file", person_id=goal.person_id)


@require_POST
@permission_required_page(Capability.CARE_EDIT)
def appointment_status(request: HttpRequest, appointment_id: int) -> HttpResponse:
    item = services.appointment_set_status(
        actor=signed_in_user(request),
        appointment_id=appointment_id,
        status=str(request.POST.get("status", "")),
    )
    messages.success(request, _("Saved."))
    return redirect("care:file", person_id=item.person_id)


@require_POST
@permission_required_page(Capability.CARE_EDIT)
def followup_done(request: HttpRequest, followup_id: int) -> HttpResponse:
    item = services.followup_done(actor=signed_in_user(request), followup_id=followup_id)
    messages.success(request, _("Saved."))
    return redirect("care:file", person_id=item.person_id)


@require_POST
@permission_required_page(Capability.REFERRALS_MANAGE)
def become_contact(request: HttpRequest, person_id: int) -> HttpResponse:
    services.contact_set(actor=signed_in_user(request), person_id=person_id)
    messages.success(request, _("You are now this person's contact person."))
    return redirect("care:file", person_id=person_id)


@permission_required_page(Capability.CARE_VIEW)
def summary(request: HttpRequest, person_id: int) -> HttpResponse:
    """The care summary PDF in the reader's language, or in the one asked (`?lang=fr`)."""
    user = signed_in_user(request)
    person = services.care_open(actor=user, person_id=person_id)
    # The reader's language; `?lang=` prints it in another one (the veteran's, to hand over).
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = (translation.get_language() or "uk")[:2]
    response = HttpResponse(
        care_summary_pdf(user=user, person=person, language=language),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="care-summary-{person.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
