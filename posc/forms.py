"""Form fields the "posc" crispy-forms pack draws in a way of their own (templates/posc/).

A ``RowSelectField`` is the box of each row of a table (the QC Queue's bulk vetting): the
page draws one box a row with ``{% posc_row_select field value %}`` (posc_pack), each with
its own label, so that a screen reader names the row a box selects (WCAG 1.3.1, 4.1.2).
"""

from django import forms


class RowSelectField(forms.MultipleChoiceField):
    """The rows ticked in a table; ``row_label`` and ``row_id`` take the row's value."""

    widget = forms.MultipleHiddenInput  # never drawn as a whole: a box in each row

    def __init__(self, *, row_label: str, row_id: str, **kwargs):
        super().__init__(**kwargs)
        self.row_label, self.row_id = row_label, row_id

    def valid_value(self, value: str) -> bool:
        """Rows are the table's, not a list of choices: a subclass says which values are rows."""
        raise NotImplementedError
