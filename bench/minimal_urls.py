"""The reference site of bench_throughput.py: one view that reads one member by primary key,
the floor a Django page cannot beat; and, for ``--floor``, two views that make only the
statements a Member Search POST and a Verification GET of the portal must make.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import escape
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action
from audit.services import record
from enrollment.panel import PanelFlows
from posc.members.models import Member, Program


def member(request: HttpRequest, member_id: str) -> HttpResponse:
    """Return the member's name: one primary-key lookup through the ORM."""
    try:
        found = Member.objects.get(pk=member_id)
    except Member.DoesNotExist:
        raise Http404("No such member.") from None
    return HttpResponse(f"{found.last_name}, {found.first_name}", content_type="text/plain")


@require_POST
@login_required
def floor_search(request: HttpRequest) -> HttpResponse:
    """What the portal's Member Search POST cannot do without, and nothing else: the signed-in
    user (the session), the member's row, the audit row (HIPAA 45 CFR 164.312(b)), a panel
    flow kept in the session (its UPDATE), a redirect. No form, no MMIS rules, no template."""
    member_id = request.POST.get("member_id", "")
    try:
        found = Member.objects.get(pk=member_id)  # as the minimal view reads it
    except Member.DoesNotExist:
        raise Http404("No such member.") from None
    record(Action.SEARCH, "member", member_id, member_ids=[member_id], user=request.user,
           detail="floor")
    flow = PanelFlows(request.session, Program.SCO).start(
        member_id=member_id, member_name=f"{found.last_name}, {found.first_name}")
    return redirect(f"/floor/verification/{flow.id}/")


@require_GET
@login_required
def floor_verification(request: HttpRequest, flow: str) -> HttpResponse:
    """What the portal's Verification GET cannot do without: the user and the flow (the
    session), the audit row, a page whose form carries a CSRF token. No template, but the
    name escaped as the portal's templates escape it."""
    panel = PanelFlows(request.session, Program.SCO).get(flow)
    if panel is None:
        raise Http404("No such flow.")
    member_id = panel.get("member_id")
    record(Action.VIEW, "member", member_id, member_ids=[member_id], user=request.user,
           detail="floor")
    return HttpResponse(f"<p>{escape(panel.get('member_name'))}</p><form method=post><input "
                        f"type=hidden name=csrfmiddlewaretoken value={get_token(request)}>"
                        "</form>")


urlpatterns = [
    path("m/<str:member_id>/", member),
    path("floor/search/", floor_search),
    path("floor/verification/<str:flow>/", floor_verification),
]
