from django.urls import path

from . import views

app_name = "simulator"
urlpatterns = [
    path("", views.public, name="public"),
    path("compare/", views.compare, name="compare"),
]
