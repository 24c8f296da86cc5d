"""Claim pages. Thin: parse with a form, call a service or selector, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import access_person_by_id
from vetbridge.core.exceptions import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from vetbridge.core.views import permission_required_page, signed_in_user

from . import selectors, services
from .forms import (
    AdmissibilityForm,
    AssignForm,
    ClaimFileForm,
    DecideForm,
    DocumentForm,
    ExpertiseForm,
    FicheForm,
    InfirmityFormSet,
    NotifyForm,
    QueueFilterForm,
    TransitionForm,
)
from .kinds import KINDS, kinds_where
from .letters import decision_letter_pdf, infirmity_flags, situation_lines
from .models import Claim, ClaimState

PAGE_SIZE = 25


@permission_required_page(Capability.CLAIMS_VIEW)
def claim_list(request: HttpRequest) -> HttpResponse:
    """The case worker's queue, or a veteran's own claims: same list, scoped."""
    user = signed_in_user(request)
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    sort, descending = selectors.queue_sort(request.GET)
    page = Paginator(
        selectors.claim_queue(user=user, filters=filters, sort=sort, descending=descending),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for claim in page:
        claim.days_in_state = selectors.days_in_state(claim)  # type: ignore[attr-defined]
        claim.deadline = selectors.deadline_of(claim, today)  # type: ignore[attr-defined]
        may_take = services.may_act_on(user, claim) and claim.assigned_to_id != user.pk
        claim.may_take = may_take  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    base = request.GET.copy()
    for key in ("page", "sort", "dir"):
        base.pop(key, None)
    headers = []
    for key, label in (
        ("reference", _("Reference")),
        ("claimant", _("Claimant")),
        ("kind", _("Kind of claim")),
        ("state", _("State")),
        ("days", _("Days in this state")),
        ("filed", _("Filed on")),
        ("deadline", _("Deadline")),
        ("assigned", _("Assigned to")),
    ):
        active = key == sort
        link = base.copy()
        link["sort"] = key
        if active and not descending:
            link["dir"] = "desc"
        headers.append(
            {
                "key": key,
                "label": label,
                "url": "?" + link.urlencode(),
                "aria_sort": ("descending" if descending else "ascending") if active else "none",
            }
        )
    return render(
        request,
        "reparation/claim_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "headers": headers,
            "today": today,
        },
    )


@require_POST
@permission_required_page(Capability.CLAIMS_VIEW)
def claim_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the claim, give it to a colleague or release it (409 when it changed since)."""
    user = signed_in_user(request)
    form = AssignForm(request.POST)
    if form.is_valid():
        value = form.cleaned_data["assigned_to"]
        assignee = user.pk if value == "me" else int(value) if value else None
        try:
            services.claim_assign(
                actor=user,
                claim_id=pk,
                assignee_id=assignee,
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            form.add_service_error(exc)
            return _render_detail(request, pk, status=exc.status_code, assign_form=form)
        except (NotFoundError, PermissionDeniedError):
            raise
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Assignment recorded."))
            nxt = request.POST.get("next", "")
            if nxt.startswith("/") and not nxt.startswith("//"):
                return redirect(nxt)
            return redirect("reparation:detail", pk=pk)
    return _render_detail(request, pk, status=400, assign_form=form)


def _revisable(person_id: int) -> list[tuple[int, str]]:
    return [
        (c.pk, str(c))
        for c in Claim.objects.filter(
            person_id=person_id,
            kind__in=kinds_where(revisable=True),
            state__in=[ClaimState.GRANTED, ClaimState.APPEAL_DECIDED],
        )
    ]


@permission_required_page(Capability.CLAIMS_FILE)
def claim_file(request: HttpRequest, person_id: int) -> HttpResponse:
    user = signed_in_user(request)
    person = access_person_by_id(user, person_id, Capability.CLAIMS_FILE)
    source = request.POST if request.method == "POST" else request.GET
    kind = str(source.get("kind", ""))
    form = ClaimFileForm(
        request.POST or None, request.FILES or None, revisable=_revisable(person.pk), kind=kind
    )
    if request.method == "POST" and form.claim_kind is None:
        form.is_valid()  # the type itself is missing or unknown: say so on its field
    elif request.method == "POST" and form.is_valid():
        try:
            # One transaction: a refused document must not leave a filed claim behind (the
            # claimant would file again and get two).
            with transaction.atomic():
                claim = services.claim_file(actor=user, person_id=person.pk, filing=form.filing())
                upload = form.cleaned_data.get("document")
                if upload:
                    services.document_add(
                        actor=user, claim_id=claim.pk, name=upload.name, content=upload.read()
                    )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("The claim has been filed. Its reference is %(ref)s.") % {"ref": claim.reference},
            )
            return redirect("reparation:detail", pk=claim.pk)
    spec = KINDS.get(form.claim_kind or "")
    return render(
        request,
        "reparation/claim_form.html",
        {
            "form": form,
            "person": person,
            "expected": spec.documents if spec else None,
            "kind_label": spec.label if spec else None,
        },
        status=400 if form.errors else 200,
    )


def _render_detail(request: HttpRequest, pk: int, status: int = 200, **forms: Any) -> HttpResponse:
    user = signed_in_user(request)
    claim, medical = services.claim_open(actor=user, claim_id=pk)
    ctx: dict[str, Any] = {
        "claim": claim,
        "medical": medical,
        "events": selectors.claim_history(claim),
        "decisions": selectors.decisions_of(claim),
        "revaluation": selectors.latest_revaluation(claim),
        "next_step": selectors.next_step(claim),
        "silence": selectors.appeal_silence(claim),
        "transitions": selectors.available_transitions(user, claim),
        "can_add_document": user.can(Capability.CLAIMS_FILE) or user.can(Capability.CLAIMS_ASSESS),
        "document_form": DocumentForm(),
        "children_dates": [dt.date.fromisoformat(d) for d in claim.children_birth_dates or []],
        "todo": selectors.todo_for(user, claim),
        "tracker": None if user.is_staff_role else selectors.step_tracker(claim),
    }
    if services.may_act_on(user, claim):
        ctx["assign_form"] = AssignForm(initial={"version": claim.version})
        ctx["colleagues"] = services.assignable_staff(claim)
    if medical:
        # What each decision was computed on, as frozen (not the claim's current state).
        ctx["decisions"] = list(ctx["decisions"])
        for d in ctx["decisions"]:
            d.situation = situation_lines(d.inputs)
            d.flags = [
                (x["label"], infirmity_flags(x))
                for x in d.inputs.get("infirmities") or []
                if infirmity_flags(x)
            ]
        ctx["infirmities"] = claim.infirmities.all()
        ctx["documents"] = claim.documents.all()
        ctx["preview"] = services.preview(claim)
    if user.can(Capability.CLAIMS_ASSESS) and claim.state in services.MEDICAL_STATES_EDITABLE:
        ctx["infirmity_formset"] = InfirmityFormSet(
            prefix="inf",
            initial=[
                {
                    "label": x.label,
                    "icd10": x.icd10,
                    "rate": x.rate,
                    "cause": x.cause,
                    "context": x.context,
                    "addition": x.addition,
                    "grouping": x.grouping,
                    "incurable": x.incurable,
                    "third_person": x.third_person,
                    "amputation_without_prosthesis": x.amputation_without_prosthesis,
                    "arithmetic_addition": x.arithmetic_addition or None,
                }
                for x in claim.infirmities.all()
            ],
        )
        ctx["fiche_form"] = FicheForm(
            initial={
                "medical_notes": claim.medical_notes,
                **{k: getattr(claim, k) for k in FicheForm.SITUATION},
            }
        )
    if user.can(Capability.CLAIMS_DECIDE) and claim.state in (
        ClaimState.READY_FOR_DECISION,
        ClaimState.APPEALED,
    ):
        ctx["decide_form"] = DecideForm(initial={"version": claim.version})
    if user.can(Capability.CLAIMS_DECIDE):
        ctx["can_notify"] = True
        ctx["notify_form"] = NotifyForm()
        if claim.state == ClaimState.APPEALED:
            if claim.appeal_late is not False:
                ctx["admissibility_form"] = AdmissibilityForm(
                    prefix="adm", initial={"version": claim.version}
                )
            if claim.spec.procedure.appeal_expertise:
                ctx["expertise_form"] = ExpertiseForm(
                    prefix="exp",
                    initial={
                        "version": claim.version,
                        "started_on": claim.expertise_started_on,
                        "ended_on": claim.expertise_ended_on,
                    },
                )
    ctx.update(forms)
    return render(request, "reparation/claim_detail.html", ctx, status=status)


@permission_required_page(Capability.CLAIMS_VIEW)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, pk)


@require_POST
@permission_required_page(Capability.CLAIMS_VIEW)
def claim_transition(request: HttpRequest, pk: int) -> HttpResponse:
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.claim_transition(
                actor=signed_in_user(request),
                claim_id=pk,
                name=form.cleaned_data["name"],
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.full_text())
        else:
            messages.success(request, _("Done: the claimant and the contact person are notified."))
    else:
        messages.error(request, _("The form was incomplete; nothing was changed."))
    return redirect("reparation:detail", pk=pk)


@require_POST
@permission_required_page(Capability.CLAIMS_ASSESS)
def claim_infirmities(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessor's fiche. On any error every field comes back as typed, notes included."""
    formset = InfirmityFormSet(request.POST, prefix="inf")
    fiche = FicheForm(request.POST)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    formset_ok, fiche_ok = formset.is_valid(), fiche.is_valid()
    if formset_ok and fiche_ok:
        rows = [
            services.InfirmityRow.from_data(f.cleaned_data)
            for f in formset.forms
            if f.cleaned_data and f.cleaned_data.get("label")
        ]
        try:
            services.infirmities_set(
                actor=signed_in_user(request),
                claim_id=pk,
                expected_version=version,
                rows=rows,
                medical_notes=fiche.cleaned_data["medical_notes"],
                # Only a form that showed the situation may change it (unticked boxes
                # are absent from a post: absence alone must not erase a need).
                situation=fiche.situation() if request.POST.get("situation_shown") else None,
            )
        except ApplicationError as exc:
            _place_fiche_error(exc, formset, fiche)
        else:
            messages.success(request, _("Infirmities saved."))
            return redirect("reparation:detail", pk=pk)
    return _render_detail(request, pk, status=400, infirmity_formset=formset, fiche_form=fiche)


def _place_fiche_error(exc: ApplicationError, formset: Any, fiche: FicheForm) -> None:
    """A service refusal goes next to the field it names ("infirmities.2.rate" → row 3's
    rate), else above the form."""
    placed = False
    for name, reasons in exc.fields.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "infirmities" and parts[1].isdigit():
            rows = [f for f in formset.forms if f.cleaned_data and f.cleaned_data.get("label")]
            index = int(parts[1])
            if index < len(rows) and parts[2] in rows[index].fields:
                for reason in reasons:
                    rows[index].add_error(parts[2], reason)
                placed = True
        elif name in fiche.fields:
            for reason in reasons:
                fiche.add_error(name, reason)
            placed = True
    if not placed or not exc.fields:
        formset._non_form_errors = formset.error_class([exc.full_text()])


def _submit(
    request: HttpRequest,
    claim_id: int,
    form: Any,
    form_name: str,
    call: Callable[[dict[str, Any]], object],
    done: str,
    **context: Any,
) -> HttpResponse:
    """One officer's form on the claim page: the service is called with the form's cleaned
    data; its refusal is shown on the form (the page again, 400), success redirects."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, done)
            return redirect("reparation:detail", pk=claim_id)
    return _render_detail(request, claim_id, status=400, **{form_name: form}, **context)


@require_POST
@permission_required_page(Capability.CLAIMS_DECIDE)
def decision_notify(request: HttpRequest, decision_id: int) -> HttpResponse:
    """The officer records the day the decision was notified; the deadline runs from it."""
    user = signed_in_user(request)
    claim_id = (
        services.claims_for(user, Capability.CLAIMS_DECIDE)
        .filter(decisions__pk=decision_id)
        .values_list("pk", flat=True)
        .first()
    )
    if claim_id is None:
        raise NotFoundError(_("No such decision, or not within your access."))
    return _submit(
        request,
        claim_id,
        NotifyForm(request.POST),
        "notify_form",
        lambda d: services.decision_notify(
            actor=user, decision_id=decision_id, notified_on=d["notified_on"], by_post=d["by_post"]
        ),
        _("Notification date recorded; the deadline is set."),
        notify_decision=decision_id,
    )


@require_POST
@permission_required_page(Capability.CLAIMS_DECIDE)
def claim_admissibility(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(
        request,
        pk,
        AdmissibilityForm(request.POST, prefix="adm"),
        "admissibility_form",
        lambda d: services.appeal_admissibility(
            actor=signed_in_user(request),
            claim_id=pk,
            expected_version=d["version"],
            admissible=d["admissible"],
            note=d["note"],
        ),
        _("Admissibility recorded."),
    )


@require_POST
@permission_required_page(Capability.CLAIMS_DECIDE)
def claim_expertise(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(
        request,
        pk,
        ExpertiseForm(request.POST, prefix="exp"),
        "expertise_form",
        lambda d: services.appeal_expertise(
            actor=signed_in_user(request),
            claim_id=pk,
            expected_version=d["version"],
            started_on=d["started_on"],
            ended_on=d["ended_on"],
        ),
        _("Medical expertise recorded."),
    )


@require_POST
@permission_required_page(Capability.CLAIMS_DECIDE)
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(
        request,
        pk,
        DecideForm(request.POST),
        "decide_form",
        lambda d: services.claim_decide(
            actor=signed_in_user(request),
            claim_id=pk,
            expected_version=d["version"],
            grant=d["grant"],
            reason=d["reason"],
        ),
        _("Decision recorded; the letter is ready."),
    )


@require_POST
@permission_required_page(Capability.CLAIMS_VIEW)
def claim_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_add(
                actor=signed_in_user(request),
                claim_id=pk,
                name=upload.name,
                content=upload.read(),
                description=form.cleaned_data["description"],
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Document added."))
            return redirect("reparation:detail", pk=pk)
    return _render_detail(request, pk, status=400, document_form=form)


@permission_required_page(Capability.CLAIMS_MEDICAL)
def document_download(request: HttpRequest, doc_id: int) -> HttpResponseBase:
    doc = services.document_open(actor=signed_in_user(request), document_id=doc_id)
    response = FileResponse(
        doc.file.open("rb"),
        content_type=doc.content_type,
        as_attachment=True,
        filename=doc.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required_page(Capability.CLAIMS_MEDICAL)
def decision_letter(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = services.decision_open(actor=signed_in_user(request), decision_id=decision_id)
    response = HttpResponse(decision_letter_pdf(decision), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{decision.claim.reference}-{decision.pk}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required_page(Capability.STATS_VIEW)
def claim_stats(request: HttpRequest) -> HttpResponse:
    from .stats_charts import claim_charts

    stats = selectors.claims_stats(user=signed_in_user(request))
    return render(request, "reparation/stats.html", {"stats": stats, "charts": claim_charts(stats)})


@permission_required_page(Capability.CLAIMS_VIEW)
def notifications(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    items = list(services.notifications_for(user)[:100])
    if request.method == "POST":
        services.notifications_mark_read(user)
        return redirect("reparation:notifications")
    return render(request, "reparation/notifications.html", {"items": items})


# ---------------------------------------------------------------- revaluation (officers)


@permission_required_page(Capability.CLAIMS_DECIDE)
def revaluation(request: HttpRequest) -> HttpResponse:
    """Start the revaluation of the pensions in payment at a date; past revaluations."""
    from . import revaluation as reval

    user = signed_in_user(request)
    errors: dict[str, list[str]] = {}
    value = ""
    if request.method == "POST":
        value = request.POST.get("date", "")
        try:
            job = reval.revaluation_start(actor=user, on=value)
        except ApplicationError as exc:
            errors = exc.fields or {"date": [exc.message]}
        else:
            messages.success(request, _("The revaluation has started."))
            return redirect("reparation:revaluation_job", job_id=job.pk)
    return render(
        request,
        "reparation/revaluation.html",
        {
            "runs": reval.revaluation_runs(),
            "jobs": reval.revaluation_jobs()[:10],
            "errors": errors,
            "value": value,
        },
        status=400 if errors else 200,
    )


@permission_required_page(Capability.CLAIMS_DECIDE)
def revaluation_job(request: HttpRequest, job_id: int) -> HttpResponse:
    from . import revaluation as reval

    job = reval.revaluation_job(job_id)
    return render(
        request,
        "reparation/revaluation_job.html",
        {"job": job, "progress": job, "runs": reval.revaluation_runs()},
    )


@permission_required_page(Capability.CLAIMS_DECIDE)
def revaluation_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """htmx polls this every second while the task runs; then the page reloads."""
    from . import revaluation as reval

    job = reval.revaluation_job(job_id)
    response = render(
        request, "reparation/_revaluation_progress.html", {"job": job, "progress": job}
    )
    if job.finished:
        response["HX-Refresh"] = "true"
    return response
