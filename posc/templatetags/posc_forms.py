"""Render form fields with their errors tied to them for screen readers (WCAG 3.3.1)."""

import functools
from pathlib import Path

import django.forms
from django import template
from django.template import TemplateDoesNotExist
from django.forms import BoundField
from django.forms.renderers import BaseRenderer
from django.forms.widgets import Widget
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()

_DJANGO_WIDGETS = Path(django.forms.__file__).parent / "templates" / "django" / "forms" / "widgets"
# Django's widget templates that are exactly {% include "django/forms/widgets/input.html" %}.
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html" for name in (
        "text", "email", "number", "password", "url", "tel", "search", "date", "datetime",
        "time", "color", "hidden", "checkbox", "file"))


@functools.cache
def _builtin_input(renderer: BaseRenderer, template_name: str) -> bool:
    """Return True when *renderer* renders *template_name* with Django's own input template."""
    if template_name not in _INPUT_TEMPLATES:
        return False
    try:
        return all(renderer.get_template(name).origin.name == str(_DJANGO_WIDGETS / Path(name).name)
                   for name in (template_name, "django/forms/widgets/input.html",
                                "django/forms/widgets/attrs.html"))
    except (TemplateDoesNotExist, AttributeError):  # no such template, or no origin: the renderer
        return False


def _text(value) -> str | None:
    """Return *value* as Django's input template prints it; None when unsure (the template then)."""
    if isinstance(value, SafeData) or not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    return escape(value)


def _input_html(widget: dict) -> SafeString | None:
    """Return Django's input.html rendered for *widget* without the engine; None when unsure."""
    parts = []
    for value in (widget["type"], widget["name"]):
        if (text := _text(value)) is None:
            return None
        parts.append(text)
    html = f'<input type="{parts[0]}" name="{parts[1]}"'
    if widget["value"] is not None:
        if (text := _text(widget["value"])) is None:
            return None
        html += f' value="{text}"'
    for name, value in widget["attrs"].items():
        if value is False:
            continue
        if (name_text := _text(name)) is None:
            return None
        if value is True:
            html += f" {name_text}"
        elif (text := _text(value)) is None:
            return None
        else:
            html += f' {name_text}="{text}"'
    return mark_safe(html + ">")


def _as_widget(field: BoundField, attrs: dict) -> str:
    """Return field.as_widget(attrs=attrs), skipping the engine for Django's plain <input>s."""
    # Rendering them through the form renderer was a third of Member Search's CPU time.
    widget = field.field.widget
    cls = type(widget)
    if (field.field.localize or cls.render is not Widget.render or cls._render is not Widget._render
            or not _builtin_input(field.form.renderer, widget.template_name)):
        return field.as_widget(attrs=attrs)
    # What BoundField.as_widget does before it renders.
    built = field.build_widget_attrs(dict(attrs), widget)
    if field.auto_id and "id" not in widget.attrs:
        built.setdefault("id", field.auto_id)
    html = _input_html(widget.get_context(field.html_name, field.value(), built)["widget"])
    return html if html is not None else field.as_widget(attrs=attrs)


@register.filter
def widget_described(field: BoundField) -> str:
    """Return the field's widget, pointing aria-describedby at its error text when it has one."""
    attrs = {}
    if field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}-error"
        attrs["aria-invalid"] = "true"
    if field.field.required:
        attrs["required"] = True
    return _as_widget(field, attrs)


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return field.widget_type == "checkbox"


_REQUIRED = ('<span class="req" aria-hidden="true"> *</span>'
             '<span class="visually-hidden"> (required)</span>')


@register.simple_tag(takes_context=True)
def field_markup(context: template.Context, field: BoundField) -> SafeString:
    """Return includes/field.html's markup for *field*: label, error text and widget."""
    # Byte for byte what the template wrote, without its dozen nodes a field (performance.md).
    esc = conditional_escape if context.autoescape else str
    error = ""
    if field.errors:
        messages = esc(" ").join(esc(e) for e in field.errors)
        error = (f'<p class="field-error" id="{esc(field.auto_id)}-error"><span class='
                 f'"visually-hidden">Error: </span>{messages}</p>')
    label = (f'<label for="{esc(field.id_for_label)}">{esc(field.label)}'
             f'{_REQUIRED if field.field.required else ""}</label>')
    widget = widget_described(field)
    head = f'<div class="field{" field--error" if field.errors else ""}">\n'
    if is_checkbox(field):
        body = f'\n{error}\n<div class="check-row">{widget}\n{label}</div>\n'
    else:
        body = f'\n{label}\n{error}\n{widget}\n'
    return mark_safe(f"{head}{body}\n</div>")
