"""Memorial pages: public (no login) and editorial."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetbridge.accounts.roles import Capability
from vetbridge.core.client_ip import client_ip
from vetbridge.core.exceptions import ApplicationError
from vetbridge.core.services import input_from
from vetbridge.core.views import error_page, permission_required_page, signed_in_user
from vetbridge.people import name_index
from vetbridge.people.import_jobs import import_job_get, import_job_start, job_report
from vetbridge.people.models import ImportJob, clean_text
from vetbridge.people.selectors import NOTICES

from . import import_columns, selectors, services
from .forms import (
    CorrectionForm,
    CorrectionRejectForm,
    ImportForm,
    PublishForm,
    RecordForm,
    SearchForm,
    TributeForm,
    UnpublishForm,
)
from .models import CORRECTABLE, MemorialRecord

PAGE_SIZE = 20


def _public(response: HttpResponse, request: HttpRequest, seconds: int = 60) -> HttpResponse:
    """Anonymous pages may be cached briefly by browsers and proxies; never signed-in ones."""
    if not request.user.is_authenticated:
        patch_cache_control(response, public=True, max_age=seconds)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    q = filters.get("q") or ""
    ctx: dict[str, Any] = {"form": form, "regions": selectors.region_choices()}
    query = request.GET.copy()
    query.pop("page", None)
    ctx["query"] = query.urlencode()
    if clean_text(q):
        # A name: the ranking is computed (or taken from the cache) once, and only the
        # records of the page shown are read.
        hits, notices = selectors.ranked_hits(q=q, filters=filters)
        page = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("page"))
        ctx["found"] = selectors.records_for(list(page.object_list), filters)
        ctx["found_count"] = len(hits)
        ctx["page"] = page
    else:
        listing, notices = selectors.public_listing(filters), []
        paginator = Paginator(listing, PAGE_SIZE)
        paginator.count = selectors.listing_count(listing, filters)
        ctx["page"] = paginator.get_page(request.GET.get("page"))
    ctx["notices"] = [NOTICES[n] for n in notices if n in NOTICES]
    template = "memorial/_results.html" if request.htmx else "memorial/search.html"  # type: ignore[attr-defined]
    return _public(render(request, template, ctx), request)


def record(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    # Whether the record is public is read at every request (one indexed query), never
    # from a cache; what the page shows of it is kept (`_record_parts`).
    rec = selectors.public_record_head(pk)
    if rec is None:
        raise Http404
    parts = _record_parts(request, rec, cached=True)
    if slug != parts["slug"]:
        return redirect("memorial:record", pk=pk, slug=parts["slug"], permanent=True)
    return _public(_render_record(request, rec, TributeForm(), parts=parts), request)


def _record_parts(request: HttpRequest, rec: MemorialRecord, *, cached: bool) -> dict[str, str]:
    """The parts of a record's page that are the same for every reader of a language: its
    title, meta tags, the facts and the published tributes, and the canonical slug. Kept
    (when `cached`) under the record's and its person's versions, the memorial's generation
    (bumped by every publication, change and moderated tribute) and the language; the
    caller has checked that the record is public."""
    canonical_path = reverse("memorial:record_short", args=[rec.pk])
    key = (
        selectors.record_page_key(rec, request.build_absolute_uri(canonical_path))
        if cached and selectors.cache_seconds() > 0
        else None
    )
    if key is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    from vetbridge.people.models import NameLanguage

    prefetch_related_objects([rec], "person__names")
    labels = dict(NameLanguage.choices)
    names = {n.language: n for n in rec.person.names.all() if n.is_preferred}
    slug = selectors.slug_of(rec)
    ctx = {
        "rec": rec,
        "localized_names": [
            (code, labels[code], names[code]) for code in ("uk", "fr", "en") if code in names
        ],
        "all_names": rec.person.names.all(),
        "tributes": selectors.published_tributes(rec),
        "preview": not cached,
        "canonical": request.build_absolute_uri(reverse("memorial:record", args=[rec.pk, slug])),
    }
    parts = {
        "slug": slug,
        "title": rec.person.display_name(),
        "meta": render_to_string("memorial/_record_meta.html", ctx),
        "article": render_to_string("memorial/_record_article.html", ctx),
        "tributes": render_to_string("memorial/_record_tributes.html", ctx),
    }
    if key is not None:
        cache.set(key, parts, selectors.cache_seconds())
    return parts


def _tribute_fields(form: TributeForm) -> str:
    """The tribute form's fields; the unbound form is kept per generation and language."""
    seconds = selectors.cache_seconds() if not form.is_bound else 0
    key = f"memorial:tribute-form:{selectors.generation()}:{get_language()}" if seconds else ""
    if key:
        html = cache.get(key)
        if html is not None:
            return html
    html = render_to_string("memorial/_tribute_fields.html", {"form": form})
    if key:
        cache.set(key, html, seconds)
    return html


def _render_record(
    request: HttpRequest,
    rec: MemorialRecord,
    form: TributeForm,
    status: int = 200,
    *,
    preview: bool = False,
    parts: dict[str, str] | None = None,
) -> HttpResponse:
    if parts is None:
        parts = _record_parts(request, rec, cached=not preview)
    return render(
        request,
        "memorial/record.html",
        {
            "rec": rec,
            "parts": parts,
            "form": form,
            "tribute_fields": "" if preview else _tribute_fields(form),
            "preview": preview,
        },
        status=status,
    )


def _client_ip(request: HttpRequest) -> str:
    return client_ip(request) or ""


@require_POST
def tribute(request: HttpRequest, pk: int) -> HttpResponse:
    rec = selectors.public_record_head(pk)
    if rec is None:
        raise Http404
    form = TributeForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data.get("photo")
        try:
            services.tribute_submit(
                record_id=pk,
                data=input_from(services.TributeInput, form.cleaned_data),
                photo=upload.read() if upload else None,
                ip=_client_ip(request),
            )
        except services.RateLimited as exc:
            return error_page(request, 429, exc.message)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Thank you. Your message will appear once a memorial editor has read it."),
            )
            slug = _record_parts(request, rec, cached=True)["slug"]
            return redirect("memorial:record", pk=pk, slug=slug)
    return _render_record(request, rec, form, status=400)


def photo_public(request: HttpRequest, kind: str, pk: int) -> HttpResponseBase:
    """Photos of published records and published tributes (stored outside the web root)."""
    from .models import Tribute, TributeState

    if kind == "record":
        rec = selectors.published().filter(pk=pk).exclude(photo="").first()
        file = rec.photo if rec else None
    else:
        item = (
            Tribute.objects.filter(
                pk=pk, state=TributeState.PUBLISHED, record__in=selectors.published()
            )
            .exclude(photo="")
            .first()
        )
        file = item.photo if item else None
    if not file:
        raise Http404
    content_type = "image/png" if file.name.endswith(".png") else "image/jpeg"
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=3600)
    return response


def ceremonies(request: HttpRequest) -> HttpResponse:
    return _public(
        render(request, "memorial/ceremonies.html", {"items": selectors.ceremonies()}),
        request,
        3600,
    )


def sitemap(request: HttpRequest) -> HttpResponse:
    rows = (
        selectors.published()
        .select_related("person")
        .prefetch_related("person__names")
        .order_by("id")[:50000]
    )
    urls = [
        request.build_absolute_uri(reverse("memorial:record", args=[r.pk, selectors.slug_of(r)]))
        for r in rows
    ]
    response = render(
        request, "memorial/sitemap.xml", {"urls": urls}, content_type="application/xml"
    )
    return _public(response, request, 3600)


# ---------------------------------------------------------------- editors


@permission_required_page(Capability.MEMORIAL_EDIT)
def desk(request: HttpRequest) -> HttpResponse:
    """The editor's desk: tributes to moderate, records not yet published."""
    drafts = selectors.with_names(
        MemorialRecord.objects.filter(published=False, person__merged_into__isnull=True)
    ).order_by("-created_at")
    return render(
        request,
        "memorial/desk.html",
        {
            "notices": selectors.editor_notifications(signed_in_user(request))[:20],
            "tributes": selectors.tribute_queue()[:100],
            "rejected_corrections": selectors.rejected_corrections_unanswered()[:20],
            "drafts": Paginator(drafts, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": "",
        },
    )


@permission_required_page(Capability.MEMORIAL_EDIT)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The public page of a record as it would be published (editors only, never indexed nor
    cached)."""
    rec = (
        MemorialRecord.objects.select_related("person", "birth_region")
        .prefetch_related("person__names")
        .filter(pk=pk, person__merged_into__isnull=True)
        .first()
    )
    if rec is None:
        raise Http404
    response = _render_record(request, rec, TributeForm(), preview=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_cache_control(response, private=True, no_store=True)
    return response


@permission_required_page(Capability.MEMORIAL_EDIT)
def correction(request: HttpRequest, tribute_id: int) -> HttpResponse:
    """A family's correction beside the record: the editor picks which proposed value goes to
    which field, or rejects it with a reason."""
    from .models import Tribute, TributeKind, TributeState

    item = (
        Tribute.objects.select_related("record__person")
        .filter(
            pk=tribute_id,
            kind=TributeKind.CORRECTION,
            state=TributeState.PENDING,
            record__person__merged_into__isnull=True,
        )
        .first()
    )
    if item is None:
        raise Http404
    rec = item.record
    form = CorrectionForm(
        request.POST or None, proposal=item.proposal, initial={"version": rec.version}
    )
    if request.method == "POST" and form.is_valid():
        targets = {key: form.cleaned_data.get(f"target_{key}") or "" for key in item.proposal}
        try:
            services.correction_apply(
                actor=signed_in_user(request),
                tribute_id=item.pk,
                expected_version=form.cleaned_data["version"],
                targets=targets,
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Correction applied to the record, with its source."))
            return redirect("memorial:edit", pk=rec.pk)
    rows = [
        (
            form[f"target_{key}"],
            CORRECTABLE.get(key, key),
            value,
            getattr(rec, key, "") if key in CORRECTABLE else "",
        )
        for key, value in item.proposal.items()
    ]
    return render(
        request,
        "memorial/correction.html",
        {
            "item": item,
            "rec": rec,
            "form": form,
            "rows": rows,
            "reject_form": CorrectionRejectForm(),
        },
        status=400 if form.errors else 200,
    )


@permission_required_page(Capability.MEMORIAL_EDIT)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    rec = (
        selectors.with_names(MemorialRecord.objects.filter(person__merged_into__isnull=True))
        .filter(pk=pk)
        .first()
    )
    if rec is None:
        raise ApplicationError(_("No such memorial record."))
    initial = {
        f: getattr(rec, f)
        for f in (
            "rank",
            "unit",
            "death_date",
            "death_place",
            "birth_year",
            "birth_region",
            "burial_place",
            "circumstances",
            "sources",
        )
    }
    form = RecordForm(request.POST or None, initial={**initial, "version": rec.version})
    if request.method == "POST" and form.is_valid():
        data = input_from(
            services.RecordChanges, {k: v for k, v in form.cleaned_data.items() if k in initial}
        )
        try:
            services.record_update(
                actor=user,
                record_id=pk,
                expected_version=form.cleaned_data["version"],
                data=data,
                source=form.cleaned_data["source"],
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Changes saved with their source."))
            return redirect("memorial:edit", pk=pk)
    candidates = []
    name = rec.person.preferred_name("uk")
    if name:
        from vetbridge.accounts.scoping import people_for

        scope = (
            people_for(user, Capability.MEMORIAL_EDIT)
            .exclude(pk=rec.person_id)
            .filter(memorial__isnull=True)
        )
        response = name_index.search(
            name.full_name(),
            limit=5,
            allowed=lambda ids: set(scope.filter(pk__in=ids).values_list("pk", flat=True)),
        )
        people = scope.in_bulk([r.id for r in response.results])
        candidates = [(people[r.id], r) for r in response.results if r.id in people]
    return render(
        request,
        "memorial/edit.html",
        {
            "rec": rec,
            "form": form,
            "publish_form": PublishForm(),
            "unpublish_form": UnpublishForm(),
            "changes": rec.changes.select_related("by")[:50],
            "candidates": candidates,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@permission_required_page(Capability.MEMORIAL_EDIT)
def publication(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    try:
        if request.POST.get("action") == "unpublish":
            form: Any = UnpublishForm(request.POST)
            if form.is_valid():
                services.record_unpublish(
                    actor=user, record_id=pk, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Unpublished: the page is no longer public."))
            else:
                messages.error(request, _("Give the reason (e.g. the family's request)."))
        else:
            form = PublishForm(request.POST)
            if form.is_valid():
                services.record_publish(
                    actor=user,
                    record_id=pk,
                    basis=form.cleaned_data["publication_basis"],
                    note=form.cleaned_data["publication_note"],
                )
                messages.success(request, _("Published."))
            else:
                messages.error(request, _("Record the basis of publication and its reference."))
    except ApplicationError as exc:
        messages.error(request, exc.full_text())
    return redirect("memorial:edit", pk=pk)


@require_POST
@permission_required_page(Capability.MEMORIAL_EDIT)
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    upload = request.FILES.get("photo")
    try:
        if upload is None:
            raise ApplicationError(_("Choose a photo."))
        services.record_photo_set(
            actor=signed_in_user(request),
            record_id=pk,
            content=upload.read(),
            source=str(request.POST.get("source", "")),
        )
        messages.success(request, _("Photo saved."))
    except ApplicationError as exc:
        messages.error(request, exc.full_text())
    return redirect("memorial:edit", pk=pk)


@require_POST
@permission_required_page(Capability.MEMORIAL_EDIT)
def link(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        person_id = int(request.POST.get("person_id", ""))
        services.record_link(actor=signed_in_user(request), record_id=pk, person_id=person_id)
        messages.success(
            request,
            _("Linked to the registry file: the family's statuses and rights now follow from it."),
        )
    except ValueError:
        messages.error(request, _("Choose a registry file."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("memorial:edit", pk=pk)


@require_POST
@permission_required_page(Capability.MEMORIAL_EDIT)
def create_for(request: HttpRequest, person_id: int) -> HttpResponse:
    rec = services.record_create_for(actor=signed_in_user(request), person_id=person_id)
    messages.success(request, _("Memorial record opened (not published yet)."))
    return redirect("memorial:edit", pk=rec.pk)


@require_POST
@permission_required_page(Capability.MEMORIAL_EDIT)
def moderate(request: HttpRequest, tribute_id: int) -> HttpResponse:
    try:
        services.tribute_moderate(
            actor=signed_in_user(request),
            tribute_id=tribute_id,
            accept=request.POST.get("decision") == "accept",
            reason=str(request.POST.get("reason", "")),
        )
        messages.success(request, _("Moderation recorded."))
    except ApplicationError as exc:
        messages.error(request, exc.full_text())
    return redirect("memorial:desk")


@permission_required_page(Capability.MEMORIAL_EDIT)
def import_csv(request: HttpRequest) -> HttpResponse:
    """The upload form: the file is stored and its import queued as a background task; the
    browser goes to the job's page, which follows it and then shows the report."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_start(
                actor=signed_in_user(request),
                kind="memorial",
                data=upload.read(),
                source=upload.name,
                keep_valid=form.cleaned_data["keep_valid"],
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("memorial:import_job", job_id=job.pk)
    return render(
        request,
        "memorial/import.html",
        {
            "form": form,
            "columns": import_columns.COLUMNS,
            "template_url": reverse("memorial:import_template"),
        },
        status=400 if form.errors else 200,
    )


def _job_context(job: ImportJob) -> dict[str, Any]:
    report = job_report(job)
    created = []
    if report and report.created_ids:
        created = [
            (r.person.display_name(), reverse("memorial:edit", args=[r.pk]))
            for r in selectors.with_names(
                MemorialRecord.objects.filter(person_id__in=report.created_ids[:CREATED_SHOWN])
            ).order_by("pk")
        ]
    return {
        "job": job,
        "progress": job.progress,
        "report": report,
        "created": created,
        "title": _("Import a list of the fallen"),
        "progress_url": reverse("memorial:import_job_progress", args=[job.pk]),
        "back_url": reverse("memorial:import"),
    }


@permission_required_page(Capability.MEMORIAL_EDIT)
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """An import's progress while its task runs, then its report."""
    job = import_job_get(user=signed_in_user(request), kind="memorial", job_id=job_id)
    return render(request, "import_job.html", _job_context(job))


@permission_required_page(Capability.MEMORIAL_EDIT)
def import_job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """htmx polls this every second while the task runs; then the page reloads."""
    job = import_job_get(user=signed_in_user(request), kind="memorial", job_id=job_id)
    response = render(request, "_import_progress.html", _job_context(job))
    if job.progress is None or job.progress.finished:
        response["HX-Refresh"] = "true"
    return response


# The report lists (and links) at most this many of the records an import created.
CREATED_SHOWN = 200


@permission_required_page(Capability.MEMORIAL_EDIT)
def import_template(request: HttpRequest) -> HttpResponse:
    """The memorial import's template: the header and one example row."""
    from vetbridge.core.import_columns import template_csv

    response = HttpResponse(
        template_csv(import_columns.COLUMNS), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="vetbridge-memorial-template.csv"'
    return response
