from django.urls import path

from . import views

app_name = "reintegration"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("partners/", views.partners, name="partners"),
    path("new/<int:person_id>/", views.referral_new, name="new"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/act/", views.referral_act, name="act"),
]
