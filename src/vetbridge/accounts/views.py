from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetbridge.core.views import permission_required_page, signed_in_user

from .audit import audit_record
from .forms import AuditFilterForm, LanguageForm, TokenForm
from .models import ApiToken, AuditAction, User
from .roles import Capability
from .selectors import audit_log_open


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the account and in a cookie."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        lang = form.cleaned_data["language"]
        user = request.user
        if isinstance(user, User) and user.language != lang:
            user.language = lang
            user.save(update_fields=["language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, lang, max_age=365 * 24 * 3600,
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False), samesite="Lax",
        )
    return response


@permission_required_page(Capability.AUDIT_VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = audit_log_open(actor=signed_in_user(request), filters=filters,
                             page=request.GET.get("page"))
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
        _token, new_token = ApiToken.issue(user=user, name=form.cleaned_data["name"])
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
        form = TokenForm()
    return render(request, "accounts/account.html", {
        "form": form, "new_token": new_token,
        "tokens": user.api_tokens.order_by("-created_at"),
    })


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
        audit_record(actor=user, action=AuditAction.UPDATE, obj=user,
                     summary="e-mail notices", changes={"email_notifications": [before, wanted]})
    messages.success(request, _("E-mail notices are on.") if wanted
                     else _("E-mail notices are off."))
    return redirect("accounts:account")
