from django.urls import path

from . import views

app_name = "cooperation"

urlpatterns = [
    path("", views.public_page, name="public"),
    path("roadmap/", views.roadmap, name="roadmap"),
    path("actions/new/", views.action_new, name="action_new"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("actions/<int:pk>/dependency/", views.action_dependency, name="action_dependency"),
    path("actions/<int:pk>/milestone/", views.action_milestone, name="action_milestone"),
    path("actions/<int:pk>/risk/", views.action_risk, name="action_risk"),
    path("milestones/<int:milestone_id>/evidence/", views.evidence_add, name="evidence_add"),
    path(
        "milestones/<int:milestone_id>/reached/", views.milestone_reached, name="milestone_reached"
    ),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("stakeholders/", views.stakeholders, name="stakeholders"),
    path("stakeholders/<int:pk>/contact/", views.contact_add, name="contact_add"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/decision/", views.decision_add, name="decision_add"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/new/", views.indicator_new, name="indicator_new"),
    path("indicators/export.<str:fmt>", views.indicators_export, name="indicators_export"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator"),
    path("indicators/<int:pk>/target/", views.indicator_target, name="indicator_target"),
    path("indicators/<int:pk>/value/", views.indicator_value, name="indicator_value"),
    path("indicators/<int:pk>/refresh/", views.indicator_refresh, name="indicator_refresh"),
    path("report/", views.quarterly_report, name="report"),
]
