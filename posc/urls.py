from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

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
]
