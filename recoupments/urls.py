from django.urls import path

from posc import converters  # noqa: F401  (registers <reference:…>)
from recoupments import views

app_name = "recoupments"
urlpatterns = [
    path("", views.RecoupmentListView.as_view(), name="list"),
    path("new/", views.RecoupmentFormView.as_view(), name="submit"),
    path("lines-template.xlsx", views.LinesTemplateView.as_view(), name="lines_template"),
    path("<reference:reference>/", views.RecoupmentDetailView.as_view(), name="detail"),
    path("<reference:reference>/correct/", views.RecoupmentFormView.as_view(), name="resubmit"),
    path("<reference:reference>/denied-claims/", views.DeniedClaimView.as_view(),
         name="denied_claim"),
]
