from django.urls import path

from . import views

app_name = "memorial"
urlpatterns = [
    path("", views.search, name="search"),
    path("ceremonies/", views.ceremonies, name="ceremonies"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("photos/<str:kind>/<int:pk>/", views.photo_public, name="photo_public"),
    path("<int:pk>/", views.record, name="record_short"),
    path("<int:pk>/tribute/", views.tribute, name="tribute"),
    path("<int:pk>/<slug:slug>/", views.record, name="record"),
    path("desk/", views.desk, name="desk"),
    path("desk/import/", views.import_csv, name="import"),
    path("desk/import/template.csv", views.import_template, name="import_template"),
    path("desk/import/<int:job_id>/", views.import_job, name="import_job"),
    path(
        "desk/import/<int:job_id>/progress/", views.import_job_progress, name="import_job_progress"
    ),
    path("desk/<int:pk>/", views.edit, name="edit"),
    path("desk/<int:pk>/preview/", views.preview, name="preview"),
    path("desk/corrections/<int:tribute_id>/", views.correction, name="correction"),
    path("desk/<int:pk>/publication/", views.publication, name="publication"),
    path("desk/<int:pk>/photo/", views.photo, name="photo"),
    path("desk/<int:pk>/link/", views.link, name="link"),
    path("desk/new/<int:person_id>/", views.create_for, name="create_for"),
    path("desk/tributes/<int:tribute_id>/", views.moderate, name="moderate"),
]
