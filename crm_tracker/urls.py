from django.urls import path  # noqa: F401

app_name = "crm_tracker"
urlpatterns: list = []
