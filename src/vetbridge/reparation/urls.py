from django.urls import path

from . import exports, views

app_name = "reparation"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("stats/", views.claim_stats, name="stats"),
    path("export/", exports.queue_export, name="export"),
    path("stats/export/", exports.stats_export, name="stats_export"),
    path("notifications/", views.notifications, name="notifications"),
    path("revaluation/", views.revaluation, name="revaluation"),
    path("revaluation/<int:job_id>/", views.revaluation_job, name="revaluation_job"),
    path(
        "revaluation/<int:job_id>/progress/",
        views.revaluation_progress,
        name="revaluation_progress",
    ),
    path("file/<int:person_id>/", views.claim_file, name="file"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/transition/", views.claim_transition, name="transition"),
    path("<int:pk>/infirmities/", views.claim_infirmities, name="infirmities"),
    path("<int:pk>/decide/", views.claim_decide, name="decide"),
    path("<int:pk>/documents/", views.claim_document_add, name="document_add"),
    path("documents/<int:doc_id>/", views.document_download, name="document"),
    path("decisions/<int:decision_id>/letter.pdf", views.decision_letter, name="letter"),
    path("decisions/<int:decision_id>/notification/", views.decision_notify, name="notify"),
    path("<int:pk>/admissibility/", views.claim_admissibility, name="admissibility"),
    path("<int:pk>/expertise/", views.claim_expertise, name="expertise"),
    path("<int:pk>/assign/", views.claim_assign, name="assign"),
]
