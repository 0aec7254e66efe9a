"""Template helpers of the recoupment pages: the left-menu guard."""

from django import template

from recoupments.money import format_money
from recoupments.selectors import user_recoupment_providers

register = template.Library()


@register.simple_tag(takes_context=True)
def recoupments_menu_shown(context) -> bool:
    """Return True when the signed-in user is provider staff of a recoupment submitter."""
    user = getattr(context.get("request"), "user", None) or context.get("user")
    return bool(user and user.is_authenticated and user_recoupment_providers(user=user))


@register.filter
def actor_label(user, unit: str) -> str:
    """Name staff by their unit, provider staff by their username (the provider's history)."""
    return unit if user.is_staff else user.get_username()


@register.filter
def money(amount) -> str:
    """Return dollars with thousands separators: ``$1,038.00`` ("" for no amount)."""
    return format_money(amount)
