from django.contrib import admin
from django.urls import include, path

from vetbridge.api.api import api
from vetbridge.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("help/glossary/", core_views.glossary, name="glossary"),
    path("", include("vetbridge.accounts.urls")),
    path("people/", include("vetbridge.people.urls")),
    path("claims/", include("vetbridge.reparation.urls")),
    path("memorial/", include("vetbridge.memorial.urls")),
    path("care/", include("vetbridge.care.urls")),
    path("referrals/", include("vetbridge.reintegration.urls")),
    path("simulator/", include("vetbridge.simulator.urls")),
    path("policylab/", include("vetbridge.policylab.urls")),
    path("cooperation/", include("vetbridge.cooperation.urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]

handler400 = "vetbridge.core.views.handler400"
handler403 = "vetbridge.core.views.handler403"
handler404 = "vetbridge.core.views.handler404"
handler500 = "vetbridge.core.views.handler500"
