from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetbridge.core.exceptions import ApplicationError
from vetbridge.core.views import error_page, permission_required_page, signed_in_user

from . import mfa, services
from .audit import audit_record
from .forms import AuditFilterForm, LanguageForm, PasswordResetForm, SecondFactorForm, TokenForm
from .models import AuditAction, User
from .roles import Capability
from .selectors import audit_log_open


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if getattr(self.request, "vetbridge_address_locked", False):
            return render(self.request, "accounts/locked_out.html", status=429)
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if mfa.is_pending(self.request):
            return _second_factor_redirect(self.request, self.get_success_url())
        return response


def _second_factor_redirect(request: HttpRequest, next_url: str) -> HttpResponse:
    """To the code form, or to enrolment for a staff account that has no device yet."""
    user = request.user
    assert isinstance(user, User)
    target = "accounts:mfa_verify" if mfa.has_second_factor(user) else "accounts:mfa_setup"
    url = reverse(target)
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        url += "?" + urlencode({"next": next_url})
    return HttpResponseRedirect(url)


def _next_or_home(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or a recovery code."""
    user = request.user
    assert isinstance(user, User)
    if not mfa.is_pending(request):
        return HttpResponseRedirect(_next_or_home(request))
    if not mfa.has_second_factor(user):
        return _second_factor_redirect(request, _next_or_home(request))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.verify(request, form.cleaned_data["code"]):
            return HttpResponseRedirect(_next_or_home(request))
        if mfa.too_many_failures(request):
            logout(request)
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("accounts:login")
        form.add_error("code", _("This code is not valid (or was already used)."))
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "next": _next_or_home(request)},
        status=400 if form.errors else 200,
    )


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code (inline SVG) and the secret as text."""
    user = request.user
    assert isinstance(user, User)
    enrolled = mfa.has_second_factor(user)
    if enrolled and mfa.is_pending(request):
        # Replacing a device needs the current one first.
        return _second_factor_redirect(request, _next_or_home(request))
    device = mfa.totp_pending_device(user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.totp_confirm(request, device, form.cleaned_data["code"])
        if codes is not None:
            return render(
                request,
                "accounts/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_or_home(request), "enrolled_now": True},
            )
        form.add_error(
            "code",
            _("This code is not valid. Check the time on your phone and type the code shown now."),
        )
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "enrolled": enrolled,
            "required": mfa.must_have_second_factor(user),
            "qr_svg": mfa.qr_svg(device, _("QR code to scan with your authenticator app")),
            "secret": mfa.secret_text(device),
            "next": _next_or_home(request),
            "codes_left": mfa.recovery_codes_left(user) if enrolled else None,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), shown once."""
    user = request.user
    assert isinstance(user, User)
    if not mfa.has_second_factor(user):
        return redirect("accounts:mfa_setup")
    codes = mfa.recovery_codes_new(user)
    return render(
        request,
        "accounts/mfa_recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:account"), "enrolled_now": False},
    )


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    try:
        services.token_revoke(actor=user, token_id=pk)
    except ApplicationError as exc:
        return error_page(request, exc.status_code, exc.message)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:account")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user, how="changed")
        messages.success(
            self.request,
            _(
                "Your password was changed. Your API tokens were "
                "revoked; create new ones if you need them."
            ),
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user, how="reset")
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the account and in a cookie."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        lang = form.cleaned_data["language"]
        user = request.user
        if isinstance(user, User) and user.language != lang:
            user.language = lang
            user.save(update_fields=["language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            lang,
            max_age=365 * 24 * 3600,
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            samesite="Lax",
        )
    return response


@permission_required_page(Capability.AUDIT_VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = audit_log_open(
        actor=signed_in_user(request), filters=filters, page=request.GET.get("page")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    template = "accounts/_audit_rows.html" if request.htmx else "accounts/audit_list.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "page": page})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    new_token: str | None = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.token_issue(actor=user, name=form.cleaned_data["name"])
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
        form = TokenForm()
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": user.api_tokens.order_by("-created_at"),
            "second_factor": mfa.has_second_factor(user),
            "second_factor_required": mfa.must_have_second_factor(user),
        },
    )


@require_POST
@login_required
def notice_preferences(request: HttpRequest) -> HttpResponse:
    """Turn e-mail notices on or off for one's own account (audited)."""
    user = request.user
    assert isinstance(user, User)
    wanted = request.POST.get("email_notifications") == "on"
    if wanted != user.email_notifications:
        before = user.email_notifications
        user.email_notifications = wanted
        user.save(update_fields=["email_notifications"])
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=user,
            summary="e-mail notices",
            changes={"email_notifications": [before, wanted]},
        )
    messages.success(
        request, _("E-mail notices are on.") if wanted else _("E-mail notices are off.")
    )
    return redirect("accounts:account")
