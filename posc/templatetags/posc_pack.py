"""The Python half of the "posc" crispy-forms template pack (templates/posc/): a field's markup.

Every portal form field is written here, once: label with the "(required)" text, hint, error
text tied to the widget by aria-describedby (WCAG 1.3.1, 3.3.1), the widget. The pack's
templates (field.html for ``|as_crispy_field``, uni_form.html for ``|crispy``) call
``posc_field``; a table's row boxes (``posc.forms.RowSelectField``) are drawn one a row by
``posc_row_select`` (row_select.html), their error by ``posc_field_error``. Writing the
markup in Python rather than in a dozen template nodes a field is the pack's fast path
(docs/performance.md: it was a third of Member Search's CPU time).
"""

import functools
from collections.abc import Callable
from pathlib import Path

import django.forms
from django import template
from django.forms import BoundField
from django.forms.renderers import BaseRenderer
from django.forms.widgets import Widget
from django.template import TemplateDoesNotExist
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()

_DJANGO_WIDGETS = Path(django.forms.__file__).parent / "templates" / "django" / "forms" / "widgets"
# Django's widget templates that are exactly {% include "django/forms/widgets/input.html" %}.
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html" for name in (
        "text", "email", "number", "password", "url", "tel", "search", "date", "datetime",
        "time", "color", "hidden", "checkbox", "file"))
# Widgets drawn as a group of boxes under a <fieldset> and <legend> (one label per box).
_GROUP_WIDGETS = frozenset({"checkboxselectmultiple", "radioselect"})
_REQUIRED = ('<span class="req" aria-hidden="true"> *</span>'
             '<span class="visually-hidden"> (required)</span>')


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


def _widget(field: BoundField) -> str:
    """Return the widget, pointing aria-describedby at its hint and error texts."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.field.required:
        attrs["required"] = True
    return _as_widget(field, attrs)


def _error(field: BoundField, esc: Callable) -> str:
    """Return the field's error text (a list when there are several), or ""."""
    return _error_text(field.errors, esc, f' id="{esc(field.auto_id)}-error"')


def _error_text(errors, esc: Callable, id_attr: str = "") -> str:
    """Return *errors* as a field's error text reads (a list when there are several), or ""."""
    if not errors:
        return ""
    head = f'{id_attr}><span class="visually-hidden">Error: </span>'
    if len(errors) == 1:
        return f'<p class="field-error"{head}{esc(errors[0])}</p>'
    items = "".join(f"<li>{esc(e)}</li>" for e in errors)
    return f'<div class="field-error"{head}<ul>{items}</ul></div>'


def _hint(field: BoundField, esc: Callable) -> str:
    """Return the field's hint paragraph, or ""."""
    if not field.help_text:
        return ""
    return f'<p class="hint" id="{esc(field.auto_id)}-hint">{esc(field.help_text)}</p>'


def _group(field: BoundField, esc: Callable, title: str, error: str) -> str:
    """Return a group of boxes: a <fieldset> whose <legend> is the label, one label a box."""
    described = f' aria-describedby="{esc(field.auto_id)}-error"' if field.errors else ""
    boxes = "".join(f'<li>{choice.tag()} <label for="{esc(choice.id_for_label)}">'
                    f"{esc(choice.choice_label)}</label></li>" for choice in field)
    css = "field field--error" if field.errors else "field"
    return (f'<fieldset class="{css}"{described}>\n<legend>{title}</legend>\n{error}\n'
            f'<ul class="choice-list">{boxes}</ul>\n</fieldset>')


@register.simple_tag(takes_context=True)
def posc_field(context: template.Context, field: BoundField) -> SafeString:
    """Return the portal's markup for *field*: label, hint, error text and widget."""
    if field.is_hidden:
        return mark_safe(str(field))
    esc = conditional_escape if context.autoescape else str
    title = f'{esc(field.label)}{_REQUIRED if field.field.required else ""}'
    error = _error(field, esc)
    if field.widget_type in _GROUP_WIDGETS:
        return mark_safe(_group(field, esc, title, error))
    label = f'<label for="{esc(field.id_for_label)}">{title}</label>'
    head = f'<div class="field{" field--error" if field.errors else ""}">\n'
    hint = _hint(field, esc)
    if field.widget_type == "checkbox":
        body = f'\n{hint}{error}\n<div class="check-row">{_widget(field)}\n{label}</div>\n'
    else:
        body = f"\n{label}\n{hint}{error}\n{_widget(field)}\n"
    return mark_safe(f"{head}{body}\n</div>")


@register.simple_tag(takes_context=True)
def posc_field_error(context: template.Context, field: BoundField) -> SafeString:
    """Return the error text of a field drawn row by row (a RowSelectField), or ""."""
    return mark_safe(_error(field, conditional_escape if context.autoescape else str))


@register.simple_tag(takes_context=True)
def posc_formset_error(context: template.Context, formset) -> SafeString:
    """Return a formset's own errors (about its lines together), as a field's error reads."""
    esc = conditional_escape if context.autoescape else str
    return mark_safe(_error_text(formset.non_form_errors(), esc))


@register.inclusion_tag("posc/row_select.html")
def posc_row_select(field: BoundField, value) -> dict:
    """Return one row's box of a RowSelectField (posc/forms.py): ticked as posted, its label.

    The label names the row ("Select case 00000012"), visually hidden beside the row's own
    link (WCAG 1.3.1, 4.1.2); a rejected selection points every box at the error text.
    """
    value = str(value)
    return {"name": field.html_name, "value": value, "id": field.field.row_id.format(value),
            "label": field.field.row_label.format(value),
            "checked": value in {str(v) for v in field.value() or ()},
            "error_id": f"{field.auto_id}-error" if field.errors else ""}


@register.filter
def first_input_id(field: BoundField) -> str:
    """Return the id an error-summary link points at (the first box of a group)."""
    if field.widget_type in _GROUP_WIDGETS:
        return f"{field.auto_id}_0"
    return field.id_for_label


# Distinct unbound forms one process keeps (a state is a user's plan list: a handful).
MAX_UNBOUND = 256
_unbound: dict[tuple, SafeString] = {}


def unbound_form_html(form_class: type, state: tuple,
                      build: Callable[[], django.forms.Form]) -> SafeString:
    """Return ``{{ form|crispy }}`` of the unbound form *build* makes, rendered once per
    *form_class* and *state*; *build* is called only when the state is new.

    *state* must name everything the form's fields depend on beyond its class (Member
    Search: the user's Provider IDs, its choices and initial value). An unbound form shows
    no data and no errors, so its markup is the same for every page of that state; the
    four fields were built and written on every Member Search page (docs/performance.md).
    Keyed on the pack's compiled template too: a reloaded template starts afresh.
    """
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form, uni_form_template
    from crispy_forms.utils import TEMPLATE_PACK

    key = (form_class, state, uni_form_template(TEMPLATE_PACK).template)
    html = _unbound.get(key)
    if html is None:
        form = build()
        if form.is_bound or type(form) is not form_class:
            raise ValueError("only an unbound form of form_class is the same on every page")
        html = as_crispy_form(form)
        if len(_unbound) < MAX_UNBOUND:
            _unbound[key] = html
    return html
