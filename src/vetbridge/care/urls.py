from django.urls import path

from . import exports, views

app_name = "care"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("caseload/export/", exports.caseload_export, name="caseload_export"),
    path("<int:person_id>/", views.care_file, name="file"),
    path("<int:person_id>/add/<str:kind>/", views.add, name="add"),
    path("<int:person_id>/contact/", views.become_contact, name="contact"),
    path("<int:person_id>/summary.pdf", views.summary, name="summary"),
    path("goals/<int:goal_id>/status/", views.goal_status, name="goal_status"),
    path("followups/<int:followup_id>/done/", views.followup_done, name="followup_done"),
    path(
        "appointments/<int:appointment_id>/status/",
        views.appointment_status,
        name="appointment_status",
    ),
]
