"""Render form fields with their errors tied to them for screen readers (WCAG 3.3.1)."""

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def widget_described(field: BoundField) -> str:
    """Return the field's widget, pointing aria-describedby at its error text when it has one."""
    attrs = {}
    if field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}-error"
        attrs["aria-invalid"] = "true"
    if field.field.required:
        attrs["required"] = True
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return field.widget_type == "checkbox"
