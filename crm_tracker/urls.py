from django.urls import path, re_path

from crm_tracker import views

app_name = "crm_tracker"
NUMBER = r"(?P<number>[0-9]{1,12})"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/new/<slug:slug>/", views.case_intake, name="case_intake"),
    re_path(rf"^cases/{NUMBER}/$", views.case_detail, name="case_detail"),
    re_path(rf"^cases/{NUMBER}/vet/$", views.case_vet, name="case_vet"),
    re_path(rf"^cases/{NUMBER}/mmis/$", views.case_mmis, name="case_mmis"),
    re_path(rf"^cases/{NUMBER}/outreach/$", views.case_outreach, name="case_outreach"),
    path("qc/", views.qc_queue, name="qc_queue"),
    path("qc/vet/", views.qc_vet_bulk, name="qc_vet_bulk"),
    path("qc/report/", views.qc_report, name="qc_report"),
    re_path(r"^qc/report/export\.(?P<fmt>xlsx|csv)$", views.qc_report_export,
            name="qc_report_export"),
    path("monitor/", views.monitor_queue, name="monitor_queue"),
    re_path(r"^monitor/export\.(?P<fmt>xlsx|csv)$", views.monitor_export, name="monitor_export"),
    path("monitor/import/", views.monitor_import, name="monitor_import"),
    path("outreach/", views.outreach_queue, name="outreach_queue"),
    path("team/", views.team_cases, name="team_cases"),
    path("team/supervisor-requested/", views.supervisor_requested,
         name="supervisor_requested"),
    path("reports/", views.reports, name="reports"),
]
