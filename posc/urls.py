from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from posc import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html",
                                                 redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/", include("posc.mfa.urls")),  # the second factor (posc/mfa)
    path("dashboard/", views.dashboard, name="dashboard"),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("enrollment/", include("enrollment.urls")),
    path("recoupments/", include("recoupments.urls")),
    path("tracker/", include("crm_tracker.urls")),
    path("admin/", admin.site.urls),
    # The plans' API (issue 18 §1): tokens on the user's own page, the OpenAPI document and
    # its page (Swagger UI from the portal's own static files: no CDN, CSP self only).
    path("account/api-tokens/", include("posc.api.urls")),
    path("api/v1/", include("enrollment.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
]
