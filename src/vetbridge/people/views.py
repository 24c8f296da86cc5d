"""Registry pages. Thin: parse with a form, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import access_person_by_id, people_for
from vetbridge.core.exceptions import ApplicationError, NotFoundError
from vetbridge.core.services import input_from
from vetbridge.core.views import permission_required_page, signed_in_user

from . import history, import_columns, selectors, services
from .duplicates import (
    likely_duplicates,
    merges_of,
    person_merge,
    person_unmerge,
    suspect_dismiss,
    suspects_for,
)
from .forms import (
    FamilyLinkForm,
    ImportForm,
    NameForm,
    PersonCreateForm,
    PersonEditForm,
    PersonFilterForm,
    StatusForm,
)
from .import_jobs import import_job_get, import_job_start, job_report
from .models import ImportJob

PAGE_SIZE = 25
SEARCH_LIMIT = 50


@permission_required_page(Capability.PEOPLE_VIEW)
def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    ctx: dict[str, Any] = {"form": form}
    if filters.get("q"):
        search = selectors.person_search(
            user=signed_in_user(request),
            q=filters["q"],
            filters=filters,
            limit=SEARCH_LIMIT,
            born=filters.get("born"),
            patronymic=filters.get("patronymic", ""),
        )
        ctx.update(search=search, hits=search.hits)
    else:
        qs = selectors.person_list(user=signed_in_user(request), filters=filters)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        ctx.update(page=page, query=query.urlencode())
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "people/_results.html", ctx)
    return render(request, "people/person_list.html", ctx)


@permission_required_page(Capability.PEOPLE_EDIT)
def person_create(request: HttpRequest) -> HttpResponse:
    form = PersonCreateForm(request.POST or None)
    candidates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = input_from(services.PersonInput, form.cleaned_data)
        name = input_from(
            services.NameInput,
            form.cleaned_data,
            language=form.cleaned_data["name_language"],
            is_preferred=True,
            source="",
        )
        if not request.POST.get("confirm_new"):
            # Likely duplicates are shown, with their reasons, before anything is saved.
            candidates = likely_duplicates(
                user=signed_in_user(request),
                surname=name.surname,
                given_name=name.given_name,
                patronymic=name.patronymic,
                birth_date=data.birth_date,
            )
        if not candidates:
            try:
                person = services.person_create(
                    actor=signed_in_user(request), data=data, names=[name]
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The person has been registered."))
                return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "creating": True, "candidates": candidates},
    )


@permission_required_page(Capability.PEOPLE_VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, pk)


def _render_detail(
    request: HttpRequest, pk: int, *, status: int = 200, **bound_forms: Any
) -> HttpResponse:
    """The file page (an audited read); `bound_forms` replace the empty sub-forms."""
    user = signed_in_user(request)
    try:
        person, sensitive = services.person_open(actor=user, person_id=pk)
    except NotFoundError:
        # Not within reach: perhaps merged into a record that is (the scope leaves merged
        # records out, so a file that opens is never a merged one).
        survivor = selectors.merged_survivor(user=user, person_id=pk)
        if survivor is None:
            raise
        messages.info(request, _("This record was merged into another one; here it is."))
        return redirect("people:detail", pk=survivor)
    can_edit = (
        user.can(Capability.PEOPLE_EDIT)
        and people_for(user, Capability.PEOPLE_EDIT).filter(pk=pk).exists()
    )
    # The names once (the title, the table and the display name read the same list).
    prefetch_related_objects([person], "names", "region", "contact_person")
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "names": person.names.all(),
            "statuses": person.statuses.all() if sensitive else None,
            "relatives": selectors.person_relatives(user=user, person=person),
            "sensitive": sensitive,
            "can_edit": can_edit,
            # The small forms are not rendered up front: each is a link that opens it (in
            # place with htmx, as a page without); a refused plain POST shows it bound.
            "name_form": None,
            "status_form": None,
            "link_form": None,
            "merges": merges_of(user, person),
            "claims": person.claims.all() if user.can(Capability.CLAIMS_VIEW) else [],
            **bound_forms,
        },
        status=status,
    )


@permission_required_page(Capability.PEOPLE_EDIT)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    person = access_person_by_id(user, pk, Capability.PEOPLE_EDIT)
    form = PersonEditForm(
        request.POST or None, instance=person, initial={"version": person.version}
    )
    if request.method == "POST" and form.is_valid():
        data = input_from(services.PersonChanges, form.cleaned_data)
        try:
            services.person_update(
                actor=user, person_id=pk, expected_version=form.cleaned_data["version"], data=data
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("people:detail", pk=pk)
    return render(request, "people/person_form.html", {"form": form, "person": person})


def _sub_form(
    request: HttpRequest, pk: int, form_class: Any, prefix: str, template: str, save: Any
) -> HttpResponse:
    """Shared handler for the small forms on the detail page (htmx or plain POST; GET opens
    the empty form on demand).

    Invalid input: htmx gets the form back with its errors (200, since htmx does not swap
    4xx answers); a plain POST gets the whole page with the form open on its errors (400).
    """
    user = signed_in_user(request)
    person = access_person_by_id(user, pk, Capability.PEOPLE_EDIT)
    if request.method == "GET":
        return _sub_form_open(request, person, form_class(prefix=prefix), template)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            save(user, form.cleaned_data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Saved."))
            response: HttpResponse = redirect("people:detail", pk=pk)
            if request.htmx:  # type: ignore[attr-defined]
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("people:detail", args=[pk])
            return response
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, template, {"form": form, "person": person})
    return _render_detail(request, pk, status=400, **{f"{prefix}_form": form})


SUB_FORM_TITLES = {
    "people/_name_form.html": gettext_lazy("Add a spelling"),
    "people/_status_form.html": gettext_lazy("Add a status"),
    "people/_link_form.html": gettext_lazy("Link a family member"),
}


def _sub_form_open(request: HttpRequest, person: Any, form: Any, template: str) -> HttpResponse:
    """A small form of the file, empty, on demand: the fragment for htmx (it replaces the
    link that asked for it), else a page of its own. Its first field takes the focus."""
    first = next(iter(form.fields.values()), None)
    if first is not None:
        first.widget.attrs["autofocus"] = True
    ctx = {
        "form": form,
        "person": person,
        "form_template": template,
        "title": SUB_FORM_TITLES[template],
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "people/_sub_form_open.html", ctx)
    return render(request, "people/person_sub_form.html", ctx)


@require_http_methods(["GET", "POST"])
@permission_required_page(Capability.PEOPLE_EDIT)
def name_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _sub_form(
        request,
        pk,
        NameForm,
        "name",
        "people/_name_form.html",
        lambda user, data: services.person_name_add(
            actor=user, person_id=pk, data=input_from(services.NameInput, data)
        ),
    )


@require_POST
@permission_required_page(Capability.PEOPLE_EDIT)
def name_preferred(request: HttpRequest, pk: int, name_id: int) -> HttpResponse:
    services.person_name_set_preferred(actor=signed_in_user(request), person_id=pk, name_id=name_id)
    messages.success(request, _("Preferred spelling changed."))
    return redirect("people:detail", pk=pk)


@require_http_methods(["GET", "POST"])
@permission_required_page(Capability.PEOPLE_EDIT)
def status_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _sub_form(
        request,
        pk,
        StatusForm,
        "status",
        "people/_status_form.html",
        lambda user, data: services.person_status_add(
            actor=user, person_id=pk, data=input_from(services.StatusInput, data)
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required_page(Capability.PEOPLE_EDIT)
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _sub_form(
        request,
        pk,
        FamilyLinkForm,
        "link",
        "people/_link_form.html",
        lambda user, data: services.family_link_add(
            actor=user, person_id=pk, relative_id=data["relative"], kind=data["kind"]
        ),
    )


@permission_required_page(Capability.PEOPLE_VIEW)
def person_history(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    person, entries = history.person_history_open(actor=user, person_id=pk)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "people/person_history.html",
        {"person": person, "page": page, "items": history.redact(list(page), user=user)},
    )


@permission_required_page(Capability.STATS_VIEW)
def stats(request: HttpRequest) -> HttpResponse:
    from .stats_charts import registry_charts

    stats = selectors.registry_stats(user=signed_in_user(request))
    return render(request, "people/stats.html", {"stats": stats, "charts": registry_charts(stats)})


@permission_required_page(Capability.PEOPLE_IMPORT)
def import_csv(request: HttpRequest) -> HttpResponse:
    """The upload form: the file is stored and its import queued as a background task; the
    browser goes to the job's page, which follows it and then shows the report."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_start(
                actor=signed_in_user(request),
                kind="people",
                data=upload.read(),
                source=upload.name,
                keep_valid=form.cleaned_data["keep_valid"],
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("people:import_job", job_id=job.pk)
    return render(
        request,
        "people/import.html",
        {
            "form": form,
            "columns": import_columns.COLUMNS,
            "template_url": reverse("people:import_template"),
        },
        status=400 if form.errors else 200,
    )


def _job_context(job: ImportJob) -> dict[str, Any]:
    from .models import Person

    report = job_report(job)
    created = []
    if report and report.created_ids:
        created = [
            (p.display_name(), reverse("people:detail", args=[p.pk]))
            for p in Person.objects.filter(pk__in=report.created_ids[:CREATED_SHOWN])
            .prefetch_related("names")
            .order_by("pk")
        ]
    return {
        "job": job,
        "progress": job.progress,
        "report": report,
        "created": created,
        "title": _("Import people from a CSV file"),
        "progress_url": reverse("people:import_job_progress", args=[job.pk]),
        "back_url": reverse("people:import"),
    }


@permission_required_page(Capability.PEOPLE_IMPORT)
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """An import's progress while its task runs, then its report."""
    job = import_job_get(user=signed_in_user(request), kind="people", job_id=job_id)
    return render(request, "import_job.html", _job_context(job))


@permission_required_page(Capability.PEOPLE_IMPORT)
def import_job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """htmx polls this every second while the task runs; then the page reloads."""
    job = import_job_get(user=signed_in_user(request), kind="people", job_id=job_id)
    response = render(request, "_import_progress.html", _job_context(job))
    if job.progress is None or job.progress.finished:
        response["HX-Refresh"] = "true"
    return response


# The report lists (and links) at most this many of the people an import created.
CREATED_SHOWN = 200


@permission_required_page(Capability.PEOPLE_IMPORT)
def import_template(request: HttpRequest) -> HttpResponse:
    """The people import's template: the header and one example row."""
    from vetbridge.core.import_columns import template_csv

    response = HttpResponse(
        template_csv(import_columns.COLUMNS), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="vetbridge-people-template.csv"'
    return response


@permission_required_page(Capability.PEOPLE_MERGE)
def duplicate_queue(request: HttpRequest) -> HttpResponse:
    """Suspected duplicates within the user's reach, strongest first."""
    page = Paginator(suspects_for(signed_in_user(request)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "people/duplicates.html", {"page": page, "query": ""})


@require_POST
@permission_required_page(Capability.PEOPLE_MERGE)
def duplicate_decide(request: HttpRequest, suspect_id: int) -> HttpResponse:
    user = signed_in_user(request)
    decision = request.POST.get("decision")
    try:
        if decision == "dismiss":
            suspect_dismiss(actor=user, suspect_id=suspect_id, note=request.POST.get("note", ""))
            messages.success(request, _("Marked as two different people."))
        elif decision == "merge":
            suspect = suspects_for(user).filter(pk=suspect_id).first()
            if suspect is None:
                raise NotFoundError(_("No such suspected duplicate, or already decided."))
            pair = (suspect.person_a_id, suspect.person_b_id)
            survivor = request.POST.get("survivor", "")
            if not survivor.isdigit() or int(survivor) not in pair:
                raise ApplicationError(_("Choose the record to keep."))
            absorbed = pair[1] if int(survivor) == pair[0] else pair[0]
            merge = person_merge(
                actor=user, survivor_id=int(survivor), absorbed_id=absorbed, suspect_id=suspect_id
            )
            messages.success(request, _("Records merged. The merge can be undone from the file."))
            return redirect("people:detail", pk=merge.survivor_id)
        else:
            raise ApplicationError(_("Choose merge or not the same person."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("people:duplicates")


@require_POST
@permission_required_page(Capability.PEOPLE_MERGE)
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = person_unmerge(actor=signed_in_user(request), merge_id=merge_id)
    messages.success(request, _("The merge has been undone: both records are back."))
    return redirect("people:detail", pk=merge.survivor_id)
