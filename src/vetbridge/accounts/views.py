from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetbridge.core.views import permission_required_page

from .forms import AuditFilterForm, LanguageForm, TokenForm
from .models import ApiToken, User
from .roles import Capability
from .selectors import audit_log_list


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if getattr(self.request, "vetbridge_address_locked", False):
            return render(self.request, "accounts/locked_out.html", status=429)
        return super().form_invalid(form)


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
    page = Paginator(audit_log_list(filters=filters), 50).get_page(request.GET.get("page"))
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
