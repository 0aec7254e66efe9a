"""Portal pages that belong to no single app."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from posc.middleware import record_activity


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the POSC home page with the left menu."""
    return render(request, "home.html")


@login_required  # anonymous: the login page, as every other portal URL
@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """Record activity for the idle logoff ("Stay signed in", static/js/idle.js); answer 204."""
    # A POST with the CSRF token: no other site can keep a session open by linking here.
    record_activity(request)
    return HttpResponse(status=204)
