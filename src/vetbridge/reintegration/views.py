"""Referral pages: the list (each role its own), a new referral, the partner's answer."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import access_person_by_id
from vetbridge.core.exceptions import ApplicationError, NotFoundError
from vetbridge.core.services import input_from
from vetbridge.core.views import error_page

from . import services
from .forms import OutcomeForm, ReferralForm
from .models import CONTACT_LABELS


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _guard(request: HttpRequest) -> User | HttpResponse:
    from django.contrib.auth.views import redirect_to_login

    user = _user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    if not services.may_see_referrals(user):
        return error_page(request, 403, _("Your role does not allow this page."))
    return user


def referral_list(request: HttpRequest) -> HttpResponse:
    user = _guard(request)
    if isinstance(user, HttpResponse):
        return user
    before = services.unanswered_before()
    items = list(services.referrals_for(user)[:200])
    for r in items:
        r.late = services.is_late(r, before)  # type: ignore[attr-defined]
    return render(request, "reintegration/list.html", {"items": items})


def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _guard(request)
    if isinstance(user, HttpResponse):
        return user
    try:
        referral = services.referral_get(user, pk)
    except NotFoundError as exc:
        return error_page(request, 404, exc.message)
    return render(
        request,
        "reintegration/detail.html",
        {
            "r": referral,
            "outcome_form": OutcomeForm(initial={"version": referral.version}),
            "is_partner": user.can(Capability.REFERRALS_ANSWER),
            "can_manage": user.can(Capability.REFERRALS_MANAGE),
            "contacts": [
                (f, CONTACT_LABELS[f], v)
                for f, v in services.shared_contacts(user, referral).items()
            ],
            "late": services.is_late(referral),
        },
    )


def referral_new(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _guard(request)
    if isinstance(user, HttpResponse):
        return user
    if not user.can(Capability.REFERRALS_MANAGE):
        return error_page(request, 403, _("Your role does not allow this page."))
    try:
        person = access_person_by_id(user, person_id, Capability.REFERRALS_MANAGE)
    except NotFoundError as exc:
        return error_page(request, 404, exc.message)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = input_from(
            services.ReferralInput, form.cleaned_data, partner=form.cleaned_data["partner"].pk
        )
        try:
            referral = services.referral_create(actor=user, person_id=person.pk, data=data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, _("Referral sent to %(partner)s.") % {"partner": referral.partner.name}
            )
            return redirect("care:file", person_id=person.pk)
    return render(
        request,
        "reintegration/new.html",
        {"form": form, "person": person, "partners": services.partners_directory(person.region_id)},
        status=400 if form.errors else 200,
    )


@require_POST
def referral_act(request: HttpRequest, pk: int) -> HttpResponse:
    user = _guard(request)
    if isinstance(user, HttpResponse):
        return user
    action = request.POST.get("action")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        if action in ("accept", "decline"):
            services.referral_answer(
                actor=user,
                referral_id=pk,
                expected_version=version,
                accept=action == "accept",
                reason=request.POST.get("reason", ""),
            )
        elif action == "outcome":
            form = OutcomeForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Choose the outcome."))
            services.referral_outcome(
                actor=user,
                referral_id=pk,
                expected_version=version,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        elif action == "cancel":
            services.referral_cancel(actor=user, referral_id=pk, expected_version=version)
        else:
            raise ApplicationError(_("Unknown step."))
    except NotFoundError as exc:
        return error_page(request, 404, exc.message)
    except ApplicationError as exc:
        messages.error(request, exc.full_text())
    else:
        messages.success(request, _("Saved."))
    return redirect("reintegration:detail", pk=pk)


def partners(request: HttpRequest) -> HttpResponse:
    user = _guard(request)
    if isinstance(user, HttpResponse):
        return user
    return render(
        request, "reintegration/partners.html", {"partners": services.partners_directory()}
    )
