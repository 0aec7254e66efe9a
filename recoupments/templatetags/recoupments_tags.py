"""Template helpers of the recoupment pages: the left-menu guard."""

from django import template
from django.forms import BoundField

from recoupments.money import format_money
from recoupments.selectors import user_recoupment_providers

register = template.Library()


@register.simple_tag(takes_context=True)
def recoupments_menu_shown(context) -> bool:
    """Return True when the signed-in user is provider staff of a recoupment submitter."""
    user = getattr(context.get("request"), "user", None) or context.get("user")
    return bool(user and user.is_authenticated and user_recoupment_providers(user=user))


@register.filter
def widget_with_hint(field: BoundField) -> str:
    """Return the widget pointing aria-describedby at its hint and error texts."""
    described = []
    attrs = {}
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.field.required:
        attrs["required"] = True
    return field.as_widget(attrs=attrs)


@register.filter
def first_input_id(field: BoundField) -> str:
    """Return the id an error-summary link should point at (the first box of a group)."""
    if field.widget_type in ("checkboxselectmultiple", "radioselect"):
        return f"{field.auto_id}_0"
    return field.id_for_label


@register.filter
def actor_label(user, unit: str) -> str:
    """Name staff by their unit, provider staff by their username (the provider's history)."""
    return unit if user.is_staff else user.get_username()


@register.filter
def money(amount) -> str:
    """Return dollars with thousands separators: ``$1,038.00`` ("" for no amount)."""
    return format_money(amount)
