from django.urls import path

from enrollment import file_views, views
from posc import converters  # noqa: F401  (registers <reference:…>)

app_name = "enrollment"
urlpatterns = [
    path("", views.landing, {"section": "Enrollment"}, name="enrollment"),
    path("members/", views.landing, {"section": "Manage Members"}, name="manage_members"),
    path("834-files/", file_views.FilesView.as_view(), name="files"),
    path("834-files/<int:pk>/", file_views.FileDetailView.as_view(), name="file_detail"),
    path("834-files/<int:pk>/download/", file_views.FileDownloadView.as_view(),
         name="file_download"),
    path("834-files/audit/<int:pk>/download/", file_views.AuditFileDownloadView.as_view(),
         name="audit_file_download"),
    path("reconciliation/", file_views.ReconciliationView.as_view(), name="reconciliation"),
    path("reconciliation/all-plans/", file_views.ReconciliationOverviewView.as_view(),
         name="reconciliation_overview"),
    path("reconciliation/<int:pk>/", file_views.ReconciliationDetailView.as_view(),
         name="reconciliation_detail"),
    path("reconciliation/<int:pk>/differences.xlsx", file_views.ReconciliationXlsxView.as_view(),
         name="reconciliation_xlsx"),
    path("<slug:program>/search/", views.MemberSearchView.as_view(), name="search"),
    # One flow per Member Search that opens a panel (enrollment/panel.py): any number of tabs.
    path("<slug:program>/flow/<slug:flow>/verification/", views.VerificationView.as_view(),
         name="verification"),
    path("<slug:program>/flow/<slug:flow>/certification/", views.CertificationView.as_view(),
         name="certification"),
    path("<slug:program>/flow/<slug:flow>/disenrollment/", views.DisenrollmentView.as_view(),
         name="disenrollment"),
    path("<slug:program>/confirmation/<reference:reference>/", views.ConfirmationView.as_view(),
         name="confirmation"),
]
