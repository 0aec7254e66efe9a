"""Portal pages that belong to no single app."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from posc import registry
from posc.clock import request_now
from posc.middleware import record_activity


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the POSC home page with the left menu."""
    return render(request, "home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The operations dashboard: the panels of the queues the user's role runs (issue 18).

    Each app registers its panels (posc.registry.DashboardPanel); a user sees those their
    permissions allow, and a user with none gets 403 (least privilege, ASVS 4.1.3).
    """
    panels = registry.dashboard_panels(request.user)
    if not panels:
        raise PermissionDenied
    now = request_now(request)
    rendered = [render_to_string(p.template, {"panel": p, **p.context(request=request, now=now)},
                                 request=request) for p in panels]
    return render(request, "dashboard.html", {"panels": rendered})


@login_required  # anonymous: the login page, as every other portal URL
@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """Record activity for the idle logoff ("Stay signed in", static/js/idle.js); answer 204."""
    # A POST with the CSRF token: no other site can keep a session open by linking here.
    record_activity(request)
    return HttpResponse(status=204)
