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
]
