from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vetbridge.api"
    label = "api"
