from django.apps import AppConfig


class CrmTrackerConfig(AppConfig):
    name = "crm_tracker"
    verbose_name = "MCO Manual Tracker"
