"""Policy lab pages. Thin: parse with a form, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vetbridge.accounts.roles import Capability
from vetbridge.core.exceptions import ApplicationError
from vetbridge.core.services import input_from
from vetbridge.core.views import permission_required_page, signed_in_user
from vetbridge.reparation.selectors import in_payment_kind_labels
from vetbridge.rules.reform import example_reforms

from . import selectors, services
from .charts import cost_by_group_spec, render_svg
from .forms import RunForm

BAND_LABEL = gettext_lazy("Global invalidity rate (%)")
# The status of a simulated pensioner: the kind of claim of a right in payment (registry),
# or the status of a synthetic or uploaded population.
KIND_LABELS = {
    **in_payment_kind_labels(),
    "fr_pensioner": gettext_lazy("French pensioner"),
    "ua_war_disability": gettext_lazy("Ukrainian war disability"),
}
COUNTRY_LABELS = {"fr": gettext_lazy("France"), "ua": gettext_lazy("Ukraine")}


@permission_required_page(Capability.POLICYLAB_RUN)
def lab(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = RunForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("upload")
        req = input_from(
            services.RunRequest,
            form.cleaned_data,
            upload=upload.read() if upload else None,
            upload_name=upload.name if upload else "",
        )
        try:
            run = services.run_create(actor=user, req=req)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The simulation has started."))
            return redirect("policylab:run", pk=run.pk)
    page = Paginator(selectors.runs_list(user=user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "policylab/lab.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


def _labelled(rows: list[dict[str, Any]], labels: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**row, "key": str(labels.get(row["key"], row["key"]))} for row in rows]


def _charts(results: dict[str, Any]) -> list[dict[str, Any]]:
    from vetbridge.core.models import Region

    charts = []
    regions = {r.code: r.localized_name() for r in Region.objects.all()}  # names, not UA-46
    groups: list[tuple[str, str, str, dict[str, Any]]] = [
        ("by_band", _("Annual cost by rate band"), str(BAND_LABEL), {}),
        ("by_country", _("Annual cost by country"), _("Country"), COUNTRY_LABELS),
        ("by_region", _("Annual cost by region"), _("Region"), regions),
        ("by_status", _("Annual cost by status"), _("Status"), KIND_LABELS),
    ]
    for key, title, axis, labels in groups:
        rows = _labelled(results.get(key) or [], labels)
        if not rows or (key != "by_band" and len(rows) < 2):
            continue
        spec = cost_by_group_spec(rows, title=title, axis=axis)
        charts.append(
            {"id": key, "title": title, "axis": axis, "rows": rows, "svg": render_svg(spec)}
        )
    return charts


def _run_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    run = selectors.run_get(user=signed_in_user(request), run_id=pk)
    results = selectors.visible_results(run)
    return {
        "run": run,
        "results": results,
        "progress": run.progress,
        "charts": _charts(results) if results else [],
    }


@permission_required_page(Capability.POLICYLAB_RUN)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "policylab/run.html", _run_context(request, pk))


@permission_required_page(Capability.POLICYLAB_RUN)
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx polls this every second while the task runs; when it has finished, the whole
    page reloads to show the results."""
    run = selectors.run_get(user=signed_in_user(request), run_id=pk)
    response = render(request, "policylab/_progress.html", {"run": run, "progress": run.progress})
    if run.progress is None or run.progress.finished:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@permission_required_page(Capability.POLICYLAB_RUN)
def run_replay(request: HttpRequest, pk: int) -> HttpResponse:
    check = services.run_replay(actor=signed_in_user(request), run_id=pk)
    if check.identical:
        messages.success(request, _("Replayed: the results are identical."))
    else:
        messages.error(
            request,
            _("Replayed: the results differ in %(fields)s.")
            % {"fields": ", ".join(check.differences[:10])},
        )
    return redirect("policylab:run", pk=pk)


@permission_required_page(Capability.POLICYLAB_RUN)
def reform_yaml(request: HttpRequest, key: str) -> HttpResponse:
    path = example_reforms().get(key)
    if path is None:
        raise Http404
    return HttpResponse(path.read_text(encoding="utf-8"), content_type="text/plain; charset=utf-8")
