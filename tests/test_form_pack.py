"""Every portal form renders through the "posc" crispy-forms pack: one field-markup path."""

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.http import QueryDict
from django.template import engines

from posc.forms import RowSelectField

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
PACK = TEMPLATES / "posc"
CONTROL = re.compile(
    r"<(label|select|textarea|fieldset class=\"field|input(?![^>]*type=\"hidden\"))\b"
    r"|class=\"field-error")
FIELD_MARKUP = re.compile(r"<label for=|class=\\?\"field-error|visually-hidden\\?\"> \(required\)")


def _portal_templates() -> list[Path]:
    """Return the portal's page templates: not the pack's, not the Django admin's."""
    return [path for path in TEMPLATES.rglob("*.html")
            if PACK not in path.parents and (TEMPLATES / "admin") not in path.parents]


def test_the_case_tables_row_selection_is_checked_too():
    """The QC Queue's row boxes go through the pack (issue 16), so their table is checked."""
    assert TEMPLATES / "crm_tracker" / "_case_rows.html" in _portal_templates()


@pytest.mark.parametrize("path", _portal_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_form_control_is_written_outside_the_pack(path):
    assert not CONTROL.findall(path.read_text())


def test_only_the_pack_writes_field_markup_in_python():
    packages = ("posc", "enrollment", "recoupments", "crm_tracker")
    writers = [path.relative_to(ROOT) for package in packages
               for path in (ROOT / package).rglob("*.py")
               if FIELD_MARKUP.search(path.read_text())]
    assert writers == [Path("posc/templatetags/posc_pack.py")]


def test_the_portal_pack_is_crispy_forms_pack():
    assert settings.CRISPY_TEMPLATE_PACK == "posc"
    assert "posc" in settings.CRISPY_ALLOWED_TEMPLATE_PACKS


class _Sample(forms.Form):
    name = forms.CharField(label="Member Last Name", help_text="As on the ID card")
    boxes = forms.MultipleChoiceField(label="MCE Name(s)", widget=forms.CheckboxSelectMultiple,
                                      choices=[("a", "A & B")])


class _RowNumbers(RowSelectField):
    def valid_value(self, value: str) -> bool:
        return value.isdigit()


class _Rows(forms.Form):
    rows = _RowNumbers(row_label="Select row {}", row_id="row-{}",
                       error_messages={"required": "Select the rows."})


def _render(source: str, form: forms.Form) -> str:
    template = engines["django"].from_string("{% load crispy_forms_tags %}" + source)
    return template.render({"form": form})


def test_a_rejected_field_ties_its_hint_and_error_to_the_widget():
    html = _render("{% include 'posc/errors.html' %}{{ form|crispy }}", _Sample(data={}))
    assert '<a href="#id_name">This field is required.</a>' in html
    assert '<a href="#id_boxes_0">This field is required.</a>' in html
    assert ('<label for="id_name">Member Last Name<span class="req" aria-hidden="true"> *</span>'
            '<span class="visually-hidden"> (required)</span></label>') in html
    assert '<p class="hint" id="id_name-hint">As on the ID card</p>' in html
    assert ('<p class="field-error" id="id_name-error"><span class="visually-hidden">Error: </span>'
            "This field is required.</p>") in html
    assert 'aria-describedby="id_name-hint id_name-error" aria-invalid="true" required' in html
    assert '<fieldset class="field field--error" aria-describedby="id_boxes-error">' in html
    assert '<label for="id_boxes_0">A &amp; B</label>' in html


def test_one_field_renders_alone_through_the_pack():
    html = _render("{{ form.name|as_crispy_field }}", _Sample())
    assert html.startswith('<div class="field">') and 'aria-describedby="id_name-hint"' in html


def test_a_row_box_has_its_own_label_and_stays_ticked():
    html = _render("{% load posc_pack %}{% posc_row_select form.rows '7' %}"
                   "{% posc_row_select form.rows 8 %}",
                   _Rows(data=QueryDict("rows=7")))
    assert html == ('<input type="checkbox" name="rows" value="7" id="row-7" checked>'
                    '<label for="row-7" class="visually-hidden">Select row 7</label>'
                    '<input type="checkbox" name="rows" value="8" id="row-8">'
                    '<label for="row-8" class="visually-hidden">Select row 8</label>')


def test_a_rejected_row_selection_ties_its_error_to_every_box():
    form = _Rows(data={})
    html = _render("{% load posc_pack %}{% posc_field_error form.rows %}"
                   "{% posc_row_select form.rows 7 %}", form)
    assert html == ('<p class="field-error" id="id_rows-error"><span class="visually-hidden">'
                    'Error: </span>Select the rows.</p>'
                    '<input type="checkbox" name="rows" value="7" id="row-7" '
                    'aria-describedby="id_rows-error" aria-invalid="true">'
                    '<label for="row-7" class="visually-hidden">Select row 7</label>')


def test_the_unbound_member_search_form_is_written_once_per_provider_list():
    """Member Search's empty form is rendered once per Provider ID list (docs/performance.md):
    each list still gets what {{ form|crispy }} gives for it."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

    from enrollment.forms import MemberSearchForm
    from posc.templatetags import posc_pack

    posc_pack._unbound.clear()
    lists = [["110000001A"], ["110000001A", "110000002B"], [], ["110000002B"],
             ["110000001A"], ["110000001A", "110000002B"]]
    built = []

    def build(provider_ids):
        built.append(provider_ids)
        return MemberSearchForm(provider_ids=provider_ids)

    for provider_ids in lists:  # the later ones reuse the earlier renderings
        kept = posc_pack.unbound_form_html(MemberSearchForm, tuple(provider_ids),
                                           lambda: build(provider_ids))
        assert kept == as_crispy_form(MemberSearchForm(provider_ids=provider_ids)), provider_ids
    assert built == lists[:4] and len(posc_pack._unbound) == 4
    assert "<select" in posc_pack.unbound_form_html(
        MemberSearchForm, ("110000001A", "110000002B"), lambda: 1 / 0)
    with pytest.raises(ValueError):
        posc_pack.unbound_form_html(MemberSearchForm, ("bound",), lambda: MemberSearchForm(
            {}, provider_ids=["110000001A"]))
