from django.urls import path

from . import exports, views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("import/", views.import_csv, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/<int:job_id>/", views.import_job, name="import_job"),
    path("import/<int:job_id>/progress/", views.import_job_progress, name="import_job_progress"),
    path("stats/", views.stats, name="stats"),
    path("export/", exports.people_export, name="export"),
    path("stats/export/", exports.stats_export, name="stats_export"),
    path("duplicates/", views.duplicate_queue, name="duplicates"),
    path("duplicates/<int:suspect_id>/decide/", views.duplicate_decide, name="duplicate_decide"),
    path("merges/<int:merge_id>/undo/", views.merge_undo, name="merge_undo"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/history/", views.person_history, name="history"),
    path("<int:pk>/names/", views.name_add, name="name_add"),
    path("<int:pk>/names/<int:name_id>/preferred/", views.name_preferred, name="name_preferred"),
    path("<int:pk>/statuses/", views.status_add, name="status_add"),
    path("<int:pk>/links/", views.link_add, name="link_add"),
]
