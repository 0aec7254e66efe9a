"""One view that reads one member by primary key: the floor a Django page cannot beat."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from posc.members.models import Member


def member(request: HttpRequest, member_id: str) -> HttpResponse:
    """Return the member's name: one primary-key lookup through the ORM."""
    try:
        found = Member.objects.get(pk=member_id)
    except Member.DoesNotExist:
        raise Http404("No such member.") from None
    return HttpResponse(f"{found.last_name}, {found.first_name}", content_type="text/plain")


urlpatterns = [path("m/<str:member_id>/", member)]
