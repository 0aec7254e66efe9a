from django.urls import path

from posc.mfa import views

app_name = "mfa"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("set-up/", views.setup, name="setup"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
]
