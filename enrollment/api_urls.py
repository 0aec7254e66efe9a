"""The enrollment API's addresses, under /api/v1/ (posc/urls.py)."""

from django.urls import path, re_path

from enrollment import api

app_name = "enrollment-api"
urlpatterns = [
    path("members/search", api.MemberSearchApi.as_view(), name="search"),
    path("enrollments", api.EnrollApi.as_view(), name="enroll"),
    path("disenrollments", api.DisenrollApi.as_view(), name="disenroll"),
    path("transactions/<str:reference>", api.TransactionApi.as_view(), name="transaction"),
    path("batches", api.BatchListApi.as_view(), name="batches"),
    path("batches/<int:pk>/834", api.BatchDownloadApi.as_view(), name="batch_download"),
    path("acknowledgments", api.AcknowledgmentUploadApi.as_view(), name="acknowledgments"),
    re_path(r"^(?P<path>.*)$", api.not_found, name="not_found"),
]
