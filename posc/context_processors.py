"""Template context for the portal's left menu."""

from django.http import HttpRequest

from posc.members.models import Program
from posc.members.selectors import user_programs


def portal_menu(request: HttpRequest) -> dict:
    """Return which program panels the left menu offers this user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    programs = user_programs(user=user)
    return {
        "menu_sco": Program.SCO in programs,
        "menu_one_care": Program.ONE_CARE in programs,
        "menu_834": bool(programs),
    }
