"""The admin's move forms: what Enrollment Operations types for each move of a request."""

from django import forms

from posc.members.models import Plan
from recoupments.forms import DeniedClaimForm
from recoupments.models import (
    FORM_FIELDS,
    ApprovalPath,
    ClaimUpdate,
    Recoupment,
    RecoupmentLine,
)
from recoupments.money import format_money

# Who reads each note, said on the label: the provider's history shows the first only.
NOTE = forms.CharField(label="Note to the provider (the provider reads it)", required=False,
                       widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))
INTERNAL_NOTE = forms.CharField(
    label="Internal note (Enrollment Operations only, never shown to the provider)",
    required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))


def path_field(label: str) -> forms.ChoiceField:
    """Return the choice of seed 004's approval (a) to (d)."""
    return forms.ChoiceField(label=label, choices=ApprovalPath.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose the approval: (a) to (d)."})


def paying_mce_field(help_text: str) -> forms.ModelChoiceField:
    """Return the choice of the MCE or MBHP that pays on approvals (a) to (c)."""
    return forms.ModelChoiceField(
        label="Paying MCE or MBHP (approvals (a)–(c))", required=False,
        queryset=Plan.objects.order_by("name"), to_field_name="provider_id", help_text=help_text)


INSTRUCTIONS = forms.CharField(
    label="Instructions to the MCE or MBHP (the MCE or MBHP reads them)", required=False,
    widget=forms.Textarea(attrs={"rows": 3, "cols": 90}))


class PayingMceMixin:
    """A form with ``paying_mce``: the services take the plan's provider ID ("" = none)."""

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["paying_mce"] = data["paying_mce"].provider_id if data["paying_mce"] else ""
        return data


def line_label(line: RecoupmentLine) -> str:
    return (f"Line {line.number}: {line.date_of_service:%m/%d/%Y} {line.service} "
            f"{format_money(line.amount)}")


class MoveForm(forms.Form):
    """A move with nothing to type but an optional note."""

    note = NOTE
    internal_note = INTERNAL_NOTE

    def __init__(self, *args, recoupment: Recoupment, **kwargs):
        super().__init__(*args, **kwargs)
        self.recoupment = recoupment
        notes = ("note", "internal_note")
        self.order_fields([name for name in self.fields if name not in notes] + list(notes))

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ReturnForm(MoveForm):
    missing_fields = forms.MultipleChoiceField(
        label="Missing or incomplete fields", choices=FORM_FIELDS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the fields the provider must complete."})


class ResearchForm(MoveForm):
    enrollments_documented = forms.CharField(
        label="Enrollments documented", widget=forms.Textarea(attrs={"rows": 8, "cols": 90}),
        help_text="Starts from the spans listed above: each Member ID, each date of service.",
        error_messages={"required": "Document the member's enrollments for each Member ID."})


class ApproveForm(PayingMceMixin, MoveForm):
    path = path_field("Approval")
    paying_mce = paying_mce_field(
        "For (a) leave empty when the form names one MCE; for (c) empty means MBHP.")
    instructions = INSTRUCTIONS


class MceUpdateForm(MoveForm):
    line_number = forms.TypedChoiceField(label="Service line", coerce=int)
    status = forms.ChoiceField(label="Claim status reported by the MCE",
                               choices=ClaimUpdate.ClaimStatus.choices)

    def __init__(self, *args, recoupment: Recoupment, **kwargs):
        super().__init__(*args, recoupment=recoupment, **kwargs)
        self.fields["line_number"].choices = [
            (line.number, line_label(line)) for line in recoupment.lines.order_by("number")
            if not line.is_closed
            and line.effective_path(recoupment) in ApprovalPath.mce_paths()]


def billed_lines(recoupment: Recoupment, *, recorded: bool) -> list[RecoupmentLine]:
    """Return the open lines billed to MassHealth, with (or without) a denied claim."""
    return [line for line in recoupment.lines.select_related("denied_claim").order_by("number")
            if not line.is_closed and line.effective_path(recoupment) == ApprovalPath.MASSHEALTH
            and hasattr(line, "denied_claim") == recorded]


class AdminDeniedClaimForm(DeniedClaimForm):
    recorded = False

    def __init__(self, *args, recoupment: Recoupment, **kwargs):
        super().__init__(*args, lines=billed_lines(recoupment, recorded=self.recorded),
                         **kwargs)
        self.recoupment = recoupment
        # Ops keep the edit codes: they see each full description, confirmed or not.
        self.fields["edits"].label_from_instance = str

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"line_number": data["line"], "icn": data["icn"],
                "edit_codes": [e.code for e in data["edits"]]}


class AdminCorrectClaimForm(AdminDeniedClaimForm):
    """Correct a recorded ICN or its edits (before the ClaimsSupport e-mail)."""

    recorded = True


class DeniedLineForm(MoveForm):
    """Choose one of the lines the MCE denied."""

    line_number = forms.TypedChoiceField(
        label="Denied service line", coerce=int,
        error_messages={"required": "Choose the denied line.",
                        "invalid_choice": "Choose a denied line from the list."})

    def __init__(self, *args, recoupment: Recoupment, **kwargs):
        super().__init__(*args, recoupment=recoupment, **kwargs)
        denied = ClaimUpdate.ClaimStatus.DENIED
        self.fields["line_number"].choices = [
            (line.number, line_label(line))
            for line in recoupment.lines.prefetch_related("updates").order_by("number")
            if not line.is_closed
            and line.effective_path(recoupment) in ApprovalPath.mce_paths()
            and (u := line.current_update()) is not None and u.status == denied]


class ReapproveLineForm(PayingMceMixin, DeniedLineForm):
    path = path_field("Approval of the denied line")
    paying_mce = paying_mce_field("Not the MCE that denied the line. For (c) empty means MBHP.")
    instructions = INSTRUCTIONS


class CloseLineForm(DeniedLineForm):
    note = None  # the reason is the provider's note
    reason = forms.CharField(
        label="Reason the line is closed (the provider reads it)",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={"required": "Give the reason the line is closed: the provider reads "
                                    "it."})


class PaymentForm(MoveForm):
    capitation_note = forms.CharField(
        label="Capitation reconciliation note to MMIS (approval (d), if necessary)",
        required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 90}))
