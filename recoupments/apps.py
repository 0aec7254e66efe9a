from django.apps import AppConfig


class RecoupmentsConfig(AppConfig):
    name = "recoupments"
    verbose_name = "MCE recoupments"
