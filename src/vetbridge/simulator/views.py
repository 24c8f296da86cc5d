"""Pages: the public French pension estimate and the staff comparison of both laws.

Nothing is stored and no audit row is written: what is typed here is a hypothesis, not a
person's record. The public page is limited per client (a cache counter, nothing in the
database) so it cannot be used as a free computing service.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.forms.utils import ErrorDict, ErrorList
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vetbridge.accounts.roles import Capability
from vetbridge.core.views import permission_required_page

from . import cases
from .forms import INITIAL_ROWS, SituationForm, UkraineForm, infirmity_formset, situation_from_forms

PUBLIC_PER_HOUR = 120


def _client_key(request: HttpRequest) -> str:
    ip = str(request.META.get("REMOTE_ADDR", ""))
    return "simulator:" + hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:32]


def over_limit(request: HttpRequest) -> bool:
    """Count one computation for this client; True when it is beyond the hourly limit."""
    limit = int(getattr(settings, "VETBRIDGE_SIMULATOR_PER_HOUR", PUBLIC_PER_HOUR))
    key = _client_key(request)
    if cache.add(key, 1, timeout=3600):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3600)
        return False


def _place_error(
    error: dict[str, str], case: SituationForm, infs: Any, ua: UkraineForm | None
) -> None:
    """Put a calculator's refusal on the input it names (or on the form as a whole)."""
    name = error["field"]
    prefix, _dot, sub = name.rpartition(".")
    for f in infs.forms:
        if prefix == f.prefix and sub in f.fields:
            f.add_error(sub, error["message"])
            return
    for form in (case, ua):
        if form is not None and name in form.fields:
            form.add_error(name, error["message"])
            return
    case.add_error(None, error["message"])


def error_list(
    case: SituationForm,
    infs: Any,
    ua: UkraineForm | None = None,
) -> list[dict[str, str]]:
    """Every error with the id of its input, for the error summary's links."""
    out: list[dict[str, str]] = []
    first_id = case["date"].id_for_label
    for form, legend in [
        (case, ""),
        *((f, _("Infirmity %(n)s") % {"n": n}) for n, f in enumerate(infs.forms, start=1)),
        (ua, ""),
    ]:
        if form is None:
            continue
        for err in form.non_field_errors():
            out.append({"id": first_id, "label": legend, "message": err})
        for name, errs in form.errors.items():
            if name == "__all__":
                continue
            bound = form[name]
            target = bound.id_for_label or f"{bound.auto_id}_0"  # radios: the first one
            label = f"{legend} — {bound.label}" if legend else str(bound.label)
            out.extend({"id": target, "label": label, "message": e} for e in errs)
    for err in infs.non_form_errors():
        if not any(e["message"] == err for e in out):
            target = infs.forms[0]["rate"].id_for_label if infs.forms else first_id
            out.append({"id": target, "label": "", "message": err})
    return out


def _bind(
    request: HttpRequest, with_ua: bool
) -> tuple[SituationForm, Any, UkraineForm | None, bool]:
    """The forms of a POST; `more` when the user asked for one more infirmity row."""
    data = request.POST.copy()
    more = "add_row" in data
    if more:
        raw = str(data.get("inf-TOTAL_FORMS", ""))
        data["inf-TOTAL_FORMS"] = str(min(max(int(raw) if raw.isdigit() else 0, 1) + 1, 20))
    case = SituationForm(data)
    infs = infirmity_formset(data)
    ua = UkraineForm(data) if with_ua else None
    if more:
        # One more row asked for: show what was typed, judge nothing yet.
        for form in (case, ua, *infs.forms):
            if form is not None:
                form._errors = ErrorDict()
        infs._errors, infs._non_form_errors = [], ErrorList()
    return case, infs, ua, more


def _page(request: HttpRequest, template: str, *, with_ua: bool) -> HttpResponse:
    status = 200
    more = False
    result: dict[str, cases.Side] | None = None
    if request.method == "POST":
        case, infs, ua, more = _bind(request, with_ua)
        if not more and not with_ua and over_limit(request):
            case.is_valid()
            case.add_error(
                None, _("Too many estimates from your connection. Please try again in an hour.")
            )
            status = 429
        elif not more:
            ua_ok = ua.is_valid() if ua is not None else True
            deceased = ua is not None and ua_ok and ua.cleaned_data["status"] == cases.DECEASED
            infs.require_one = not deceased
            if case.is_valid() & infs.is_valid() & ua_ok:
                situation = situation_from_forms(case, infs, ua)
                result = (
                    cases.compare(situation) if with_ua else {"fr": cases.french_side(situation)}
                )
                for side in result.values():
                    if side.error:
                        _place_error(side.error, case, infs, ua)
                if not with_ua and result["fr"].error:
                    result = None
            if case.errors or infs.total_error_count() or (ua is not None and ua.errors):
                status = 400 if status == 200 else status
    else:
        case, infs = SituationForm(), infirmity_formset(rows=INITIAL_ROWS)
        ua = UkraineForm() if with_ua else None
    show_errors = request.method == "POST" and not more
    errors = error_list(case, infs, ua) if show_errors else []
    context = {
        "case": case,
        "infs": infs,
        "ua": ua,
        "result": result,
        "errors": errors,
        "show_errors": show_errors,
        "with_ua": with_ua,
    }
    if getattr(request, "htmx", False):
        # htmx swaps only 2xx answers: the errors are in the fragment it swaps in.
        response = render(request, "simulator/_body.html", context)
    else:
        response = render(request, template, context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_http_methods(["GET", "POST"])
def public(request: HttpRequest) -> HttpResponse:
    """The public estimate of a French military invalidity pension (no login)."""
    return _page(request, "simulator/public.html", with_ua=False)


@require_http_methods(["GET", "POST"])
@permission_required_page(Capability.RULES_COMPARE)
def compare(request: HttpRequest) -> HttpResponse:
    """One situation under the French and the Ukrainian law, side by side."""
    return _page(request, "simulator/compare.html", with_ua=True)
