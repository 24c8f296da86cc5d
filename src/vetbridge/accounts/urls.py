from django.contrib.auth import views as auth_views
from django.urls import path

from . import exports, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("account/", views.account, name="account"),
    path("account/notices/", views.notice_preferences, name="notices"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/export/", exports.audit_export, name="audit_export"),
    path("login/second-factor/", views.mfa_verify, name="mfa_verify"),
    path("account/second-factor/", views.mfa_setup, name="mfa_setup"),
    path(
        "account/second-factor/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"
    ),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
