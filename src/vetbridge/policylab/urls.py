from django.urls import path

from . import views

app_name = "policylab"
urlpatterns = [
    path("", views.lab, name="lab"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/replay/", views.run_replay, name="run_replay"),
    path("reforms/<slug:key>.yaml", views.reform_yaml, name="reform_yaml"),
]
