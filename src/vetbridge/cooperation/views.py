"""Pages of the cooperation: the public page, the roadmap, actions, stakeholders, meetings,
indicators with their charts, exports and the quarterly report. Thin: parse, call a service
or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.models import AuditAction
from vetbridge.accounts.roles import Capability
from vetbridge.core.exceptions import ApplicationError
from vetbridge.core.indicators import TOTAL
from vetbridge.core.views import error_page, permission_required_page, signed_in_user

from . import charts, report, selectors, services
from .forms import (
    ActionForm,
    ContactForm,
    DecisionForm,
    DependencyForm,
    EvidenceForm,
    IndicatorForm,
    MeetingForm,
    MilestoneForm,
    MinutesForm,
    OrganisationForm,
    RefreshForm,
    RiskForm,
    StatusForm,
    TargetForm,
    ValueForm,
    texts_of,
)
from .models import ActionStatus, Axis, Indicator
from .texts import reader_language

VIEW, EDIT = Capability.COOPERATION_VIEW, Capability.COOPERATION_EDIT


# ------------------------------------------------------------------------------ public


def public_page(request: HttpRequest) -> HttpResponse:
    """No login: the public actions and their progress, the public indicators' totals."""
    actions = list(selectors.public_actions())
    by_axis = [(axis, [a for a in actions if a.axis_id == axis.pk]) for axis in Axis.objects.all()]
    indicators = []
    for indicator in Indicator.objects.filter(is_public=True).prefetch_related("targets"):
        rows = selectors.series(None, indicator)
        if rows:
            indicators.append({"indicator": indicator, "chart": charts.time_chart(indicator, rows)})
    return render(
        request,
        "cooperation/public.html",
        {
            "by_axis": by_axis,
            "indicators": indicators,
            "total": len(actions),
            "done": sum(1 for a in actions if a.status == ActionStatus.DONE),
        },
    )


# ----------------------------------------------------------------------------- roadmap


@permission_required_page(VIEW)
def roadmap(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    axis, status = request.GET.get("axis", ""), request.GET.get("status", "")
    return render(
        request,
        "cooperation/roadmap.html",
        {
            "by_axis": selectors.roadmap(user, axis=axis, status=status),
            "axes": Axis.objects.all(),
            "statuses": ActionStatus.choices,
            "axis": axis,
            "status": status,
            "can_edit": user.can(EDIT),
        },
    )


def _action_input(cleaned: dict[str, Any]) -> services.ActionInput:
    return services.ActionInput(
        axis_id=cleaned["axis"].pk,
        objective_id=cleaned["objective"].pk if cleaned.get("objective") else None,
        title=texts_of(cleaned, "title"),
        description=texts_of(cleaned, "description"),
        lead_fr_id=cleaned["lead_fr"].pk if cleaned.get("lead_fr") else None,
        lead_ua_id=cleaned["lead_ua"].pk if cleaned.get("lead_ua") else None,
        partner_ids=tuple(p.pk for p in cleaned.get("partners") or ()),
        start_on=cleaned.get("start_on"),
        due_on=cleaned.get("due_on"),
        progress=cleaned.get("progress") or 0,
        is_public=bool(cleaned.get("is_public")),
        internal_note=cleaned.get("internal_note") or "",
    )


@permission_required_page(EDIT)
def action_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    initial = {"axis": request.GET.get("axis")} if request.GET.get("axis") else None
    form = ActionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(actor=user, data=_action_input(form.cleaned_data))
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Action %(ref)s created.") % {"ref": action.reference})
            return redirect("cooperation:action", pk=action.pk)
    return render(
        request,
        "cooperation/action_form.html",
        {"form": form, "action": None},
        status=400 if form.errors else 200,
    )


@permission_required_page(EDIT)
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    action = selectors.action_get(user, pk)
    initial: dict[str, Any] = {
        "axis": action.axis_id,
        "objective": action.objective_id,
        "lead_fr": action.lead_fr_id,
        "lead_ua": action.lead_ua_id,
        "partners": [p.pk for p in action.partners.all()],
        "start_on": action.start_on,
        "due_on": action.due_on,
        "progress": action.progress,
        "is_public": action.is_public,
        "internal_note": action.internal_note,
        "version": action.version,
    }
    for prefix in ("title", "description"):
        for code, text in (getattr(action, prefix) or {}).items():
            initial[f"{prefix}_{code}"] = text
    form = ActionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                actor=user,
                action_id=pk,
                expected_version=form.cleaned_data.get("version") or 0,
                data=_action_input(form.cleaned_data),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
            status = exc.status_code
        else:
            messages.success(request, _("Action %(ref)s saved.") % {"ref": action.reference})
            return redirect("cooperation:action", pk=pk)
    if form.errors and status == 200:
        status = 400
    return render(
        request, "cooperation/action_form.html", {"form": form, "action": action}, status=status
    )


def _render_action(
    request: HttpRequest, pk: int, *, status: int = 200, error: str = "", **forms: Any
) -> HttpResponse:
    user = signed_in_user(request)
    action = selectors.action_get(user, pk)
    ctx: dict[str, Any] = {
        "action": action,
        "history": selectors.action_history(action),
        "error": error,
        "can_edit": user.can(EDIT),
        "status_form": forms.get("status_form")
        or StatusForm(
            initial={
                "status": action.status,
                "progress": action.progress,
                "version": action.version,
            }
        ),
        "dependency_form": forms.get("dependency_form") or DependencyForm(),
        "milestone_form": forms.get("milestone_form") or MilestoneForm(),
        "risk_form": forms.get("risk_form") or RiskForm(),
        "evidence_form": EvidenceForm(),
    }
    return render(request, "cooperation/action_detail.html", ctx, status=status)


@permission_required_page(VIEW)
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_action(request, pk)


def _post(
    request: HttpRequest, pk: int, form: Any, call: Any, form_name: str, done: str
) -> HttpResponse:
    """Validate a small form of the action page, call the service, redirect or re-render."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ApplicationError as exc:
            form.add_service_error(exc)
            return _render_action(
                request, pk, status=exc.status_code, error=exc.full_text(), **{form_name: form}
            )
        messages.success(request, done)
        return redirect("cooperation:action", pk=pk)
    return _render_action(
        request, pk, status=400, error=_("Please correct the errors below."), **{form_name: form}
    )


@require_POST
@permission_required_page(EDIT)
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    return _post(
        request,
        pk,
        StatusForm(request.POST),
        lambda c: services.action_set_status(
            actor=user,
            action_id=pk,
            expected_version=c["version"],
            status=c["status"],
            note=c.get("note") or "",
            progress=c.get("progress"),
        ),
        "status_form",
        _("Status updated."),
    )


@require_POST
@permission_required_page(EDIT)
def action_dependency(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    return _post(
        request,
        pk,
        DependencyForm(request.POST),
        lambda c: services.dependency_add(actor=user, action_id=pk, depends_on_id=c["depends_on"]),
        "dependency_form",
        _("Dependency added."),
    )


@require_POST
@permission_required_page(EDIT)
def action_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    return _post(
        request,
        pk,
        MilestoneForm(request.POST),
        lambda c: services.milestone_add(
            actor=user, action_id=pk, title=texts_of(c, "title"), due_on=c["due_on"]
        ),
        "milestone_form",
        _("Milestone added."),
    )


@require_POST
@permission_required_page(EDIT)
def action_risk(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    return _post(
        request,
        pk,
        RiskForm(request.POST),
        lambda c: services.risk_add(
            actor=user,
            action_id=pk,
            data=services.RiskInput(
                description=texts_of(c, "description"),
                likelihood=c["likelihood"],
                impact=c["impact"],
                mitigation=c.get("mitigation") or "",
                owner_id=c["owner"].pk if c.get("owner") else None,
            ),
        ),
        "risk_form",
        _("Risk added."),
    )


@require_POST
@permission_required_page(EDIT)
def evidence_add(request: HttpRequest, milestone_id: int) -> HttpResponse:
    user = signed_in_user(request)
    from .models import Milestone

    milestone = Milestone.objects.filter(pk=milestone_id).first()
    if milestone is None:
        return error_page(request, 404, _("No such milestone."))
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_action(
            request, milestone.action_id, status=400, error=_("Choose a file to upload.")
        )
    upload = form.cleaned_data["file"]
    try:
        services.evidence_add(
            actor=user, milestone_id=milestone_id, name=upload.name, content=upload.read()
        )
    except ApplicationError as exc:
        return _render_action(
            request, milestone.action_id, status=exc.status_code, error=exc.full_text()
        )
    messages.success(request, _("Evidence added."))
    return redirect("cooperation:action", pk=milestone.action_id)


@require_POST
@permission_required_page(EDIT)
def milestone_reached(request: HttpRequest, milestone_id: int) -> HttpResponse:
    import datetime as dt

    from django.utils import timezone

    user = signed_in_user(request)
    try:
        day = dt.date.fromisoformat(request.POST.get("done_on") or str(timezone.localdate()))
    except ValueError:
        day = timezone.localdate()
    milestone = services.milestone_reach(actor=user, milestone_id=milestone_id, done_on=day)
    messages.success(request, _("Milestone reached."))
    return redirect("cooperation:action", pk=milestone.action_id)


@permission_required_page(VIEW)
def evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponseBase:
    evidence = services.evidence_open(actor=signed_in_user(request), evidence_id=evidence_id)
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=True,
        filename=evidence.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# ------------------------------------------------------------------------ stakeholders


@permission_required_page(VIEW)
def stakeholders(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = OrganisationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not user.can(EDIT):
            return error_page(request, 403, _("Your role does not allow this action."))
        if form.is_valid():
            try:
                services.organisation_create(actor=user, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Organisation added."))
                return redirect("cooperation:stakeholders")
        status = 400
    country = request.GET.get("country", "")
    return render(
        request,
        "cooperation/stakeholders.html",
        {
            "organisations": selectors.stakeholders(user, country=country),
            "form": form,
            "contact_form": ContactForm(),
            "can_edit": user.can(EDIT),
            "country": country,
        },
        status=status,
    )


@require_POST
@permission_required_page(EDIT)
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_add(
                actor=user, organisation_id=pk, data=services.ContactInput(**form.cleaned_data)
            )
        except ApplicationError as exc:
            messages.error(request, exc.full_text())
        else:
            messages.success(request, _("Contact added."))
    else:
        messages.error(
            request,
            " ".join(
                f"{form.fields[k].label}: {' '.join(map(str, v))}" for k, v in form.errors.items()
            ),
        )
    return redirect("cooperation:stakeholders")


# ---------------------------------------------------------------------------- meetings


@permission_required_page(VIEW)
def meetings(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "cooperation/meetings.html",
        {"meetings": selectors.meetings_for(user), "can_edit": user.can(EDIT)},
    )


@permission_required_page(EDIT)
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=user,
                data=services.MeetingInput(
                    kind=c["kind"],
                    title=texts_of(c, "title"),
                    held_on=c["held_on"],
                    place=c.get("place") or "",
                    agenda=c.get("agenda") or "",
                    participants=c.get("participants") or "",
                    minutes=c.get("minutes") or "",
                    organisation_ids=tuple(o.pk for o in c.get("organisations") or ()),
                ),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect("cooperation:meeting", pk=meeting.pk)
    return render(
        request, "cooperation/meeting_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _render_meeting(
    request: HttpRequest, pk: int, form: Any = None, status: int = 200, minutes_form: Any = None
) -> HttpResponse:
    user = signed_in_user(request)
    meeting = selectors.meeting_get(user, pk)
    return render(
        request,
        "cooperation/meeting_detail.html",
        {
            "meeting": meeting,
            "form": form or DecisionForm(),
            "can_edit": user.can(EDIT),
            "minutes_form": minutes_form
            or MinutesForm(
                initial={
                    "agenda": meeting.agenda,
                    "participants": meeting.participants,
                    "minutes": meeting.minutes,
                    "version": meeting.version,
                }
            ),
        },
        status=status,
    )


@require_POST
@permission_required_page(EDIT)
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Agenda, participants and minutes written after the meeting; 409 when stale."""
    user = signed_in_user(request)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return _render_meeting(request, pk, status=400, minutes_form=form)
    c = form.cleaned_data
    try:
        services.meeting_update(
            actor=user,
            meeting_id=pk,
            expected_version=c["version"],
            agenda=c["agenda"],
            participants=c["participants"],
            minutes=c["minutes"],
        )
    except ApplicationError as exc:
        form.add_service_error(exc)
        return _render_meeting(request, pk, status=exc.status_code, minutes_form=form)
    messages.success(request, _("Minutes saved."))
    return redirect("cooperation:meeting", pk=pk)


@permission_required_page(VIEW)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_meeting(request, pk)


@require_POST
@permission_required_page(EDIT)
def decision_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_meeting(request, pk, form, 400)
    c = form.cleaned_data
    text = texts_of(c, "text")
    new_action = None
    if c.get("new_action_axis"):
        new_action = services.ActionInput(axis_id=c["new_action_axis"].pk, title=text)
    try:
        services.decision_add(
            actor=user,
            meeting_id=pk,
            text=text,
            action_id=c.get("action"),
            new_status=c.get("new_status") or "",
            new_action=new_action,
        )
    except ApplicationError as exc:
        form.add_service_error(exc)
        return _render_meeting(request, pk, form, exc.status_code)
    messages.success(request, _("Decision recorded."))
    return redirect("cooperation:meeting", pk=pk)


# -------------------------------------------------------------------------- indicators


@permission_required_page(VIEW)
def indicators(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "cooperation/indicators.html",
        {
            "indicators": selectors.indicators_for(user),
            "can_edit": user.can(EDIT),
            "period": str(selectors.current_period()),
        },
    )


@permission_required_page(EDIT)
def indicator_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    initial = {k: request.GET[k] for k in ("axis", "action") if request.GET.get(k)}
    form = IndicatorForm(request.POST or None, initial=initial or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            indicator = services.indicator_create(
                actor=user,
                data=services.IndicatorInput(
                    code=c["code"],
                    name=texts_of(c, "name"),
                    axis_id=c["axis"].pk,
                    definition=texts_of(c, "definition"),
                    objective_id=c["objective"].pk if c.get("objective") else None,
                    action_id=c.get("action"),
                    unit=c["unit"],
                    numerator=c.get("numerator") or "",
                    denominator=c.get("denominator") or "",
                    baseline_value=c.get("baseline_value"),
                    baseline_on=c.get("baseline_on"),
                    is_public=bool(c.get("is_public")),
                ),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            if indicator.computed:
                period = selectors.current_period()
                services.indicator_refresh(
                    actor=user,
                    indicator_id=indicator.pk,
                    periods=[str(period.previous()), str(period)],
                )
            messages.success(request, _("Indicator created."))
            return redirect("cooperation:indicator", pk=indicator.pk)
    return render(
        request,
        "cooperation/indicator_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _render_indicator(
    request: HttpRequest, pk: int, *, status: int = 200, error: str = "", **forms: Any
) -> HttpResponse:
    user = signed_in_user(request)
    indicator = selectors.indicator_get(user, pk)
    rows = selectors.series(user, indicator)
    regions = report.region_names(reader_language())
    time = charts.time_chart(indicator, rows)
    periods = sorted({r.period for r in rows if r.breakdown != TOTAL})
    by_region = charts.region_chart(indicator, rows, periods[-1], regions) if periods else None
    return render(
        request,
        "cooperation/indicator_detail.html",
        {
            "indicator": indicator,
            "rows": rows,
            "error": error,
            "can_edit": user.can(EDIT),
            "time": time,
            "by_region": by_region,
            "target_form": forms.get("target_form") or TargetForm(),
            "value_form": forms.get("value_form") or ValueForm(),
            "refresh_form": forms.get("refresh_form")
            or RefreshForm(
                initial={
                    "periods": f"{selectors.current_period().previous()} {selectors.current_period()}"
                }
            ),
        },
        status=status,
    )


@permission_required_page(VIEW)
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_indicator(request, pk)


def _indicator_post(
    request: HttpRequest, pk: int, form: Any, call: Any, name: str, done: str
) -> HttpResponse:
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ApplicationError as exc:
            form.add_service_error(exc)
            return _render_indicator(
                request, pk, status=exc.status_code, error=exc.full_text(), **{name: form}
            )
        messages.success(request, done)
        return redirect("cooperation:indicator", pk=pk)
    return _render_indicator(
        request, pk, status=400, error=_("Please correct the errors below."), **{name: form}
    )


@require_POST
@permission_required_page(EDIT)
def indicator_target(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    return _indicator_post(
        request,
        pk,
        TargetForm(request.POST),
        lambda c: services.target_set(
            actor=user, indicator_id=pk, period=c["period"], value=c["value"]
        ),
        "target_form",
        _("Target saved."),
    )


@require_POST
@permission_required_page(EDIT)
def indicator_value(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    return _indicator_post(
        request,
        pk,
        ValueForm(request.POST),
        lambda c: services.value_enter(
            actor=user,
            indicator_id=pk,
            period=c["period"],
            value=c["value"],
            source=c["source"],
            breakdown=c.get("breakdown") or "",
        ),
        "value_form",
        _("Value saved."),
    )


@require_POST
@permission_required_page(EDIT)
def indicator_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    return _indicator_post(
        request,
        pk,
        RefreshForm(request.POST),
        lambda c: services.indicator_refresh(
            actor=user, indicator_id=pk, periods=c["periods"].split()
        ),
        "refresh_form",
        _("Indicator recomputed."),
    )


@permission_required_page(VIEW)
def indicators_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The indicator cells the reader may see, small cells hidden; audited."""
    user = signed_in_user(request)
    language = reader_language(get_language())
    if fmt == "csv":
        body, content_type = report.export_csv(user, language), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = report.export_xlsx(user, language)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        return error_page(request, 404, _("This page does not exist."))
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="cooperation.indicator",
        summary=f"indicators.{fmt}",
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="indicators.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required_page(VIEW)
def quarterly_report(request: HttpRequest) -> HttpResponse:
    """The quarterly report (PDF) in Ukrainian or French; built synchronously for now
    (`report.build_quarterly_report` is the function a background task can call)."""
    user = signed_in_user(request)
    period_text = request.GET.get("period") or str(selectors.current_period())
    language = request.GET.get("lang") or reader_language(get_language())
    if language not in ("uk", "fr"):
        return error_page(request, 400, _("The report exists in Ukrainian (uk) and French (fr)."))
    try:
        period = services.parse_period(period_text)
    except ApplicationError as exc:
        return error_page(request, 400, exc.full_text())
    pdf = report.build_quarterly_report(period=str(period), language=language, user_id=user.pk)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="cooperation.report",
        summary=f"{period} {language}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="roadmap-{period}-{language}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
