"""The API tokens page: a signed-in user makes and revokes their own tokens (issue 18 §1).

The page sits behind the session, so behind the second factor (posc/mfa/middleware.py):
a token is made only by a user who entered a code, and then stands in for the session in
API calls. The secret is shown once, on the answer to the POST that made it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from posc import clock
from posc.api.forms import ApiTokenForm
from posc.api.models import ApiToken
from posc.api.services import api_token_create, api_token_revoke
from posc.exceptions import DomainError


@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List the user's tokens; make a new one and show its secret once."""
    now = clock.request_now(request)
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    secret = created = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = api_token_create(user=request.user, now=now, **form.cleaned_data)
        except DomainError as refusal:
            form.add_error(None, refusal.message)
        else:
            form = ApiTokenForm()
    return render(request, "api/tokens.html", {
        "form": form, "secret": secret, "created": created, "now": now,
        "tokens": ApiToken.objects.filter(user=request.user),
        "docs_url": reverse("api-docs")})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's tokens (another user's is not found)."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, user=request.user, now=clock.request_now(request))
    messages.success(request, f"Token {token.name} revoked: it no longer works.")
    return redirect("api:tokens")
