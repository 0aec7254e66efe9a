"""The admin's move forms: what Enrollment Operations types for each move of a request."""

from django import forms

from posc.members.models import Plan
from recoupments.forms import DeniedClaimForm
from recoupments.models import FORM_FIELDS, ApprovalPath, ClaimUpdate, Recoupment

NOTE = forms.CharField(label="Note (kept in the history)", required=False,
                       widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))


class MoveForm(forms.Form):
    """A move with nothing to type but an optional note."""

    note = NOTE

    def __init__(self, *args, recoupment: Recoupment, **kwargs):
        super().__init__(*args, **kwargs)
        self.recoupment = recoupment
        self.order_fields([name for name in self.fields if name != "note"] + ["note"])

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
    enrollment_adjustments = forms.CharField(
        label="Enrollment adjustments made", required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 90}))


class ApproveForm(MoveForm):
    path = forms.ChoiceField(label="Approval", choices=ApprovalPath.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Choose the approval: (a) to (d)."})
    paying_mce = forms.ModelChoiceField(
        label="Paying MCE or MBHP (approvals (a)–(c))", required=False,
        queryset=Plan.objects.order_by("name"), to_field_name="provider_id",
        help_text="For (a) leave empty when the form names one MCE; for (c) empty means MBHP.")
    enrollment_adjustments = forms.CharField(
        label="Enrollment adjustments made", required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 90}))
    capitation_note = forms.CharField(
        label="Capitation adjustment note to MMIS (if necessary)", required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 90}))
    instructions = forms.CharField(
        label="Instructions to the MCE or MBHP", required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 90}))

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["paying_mce"] = data["paying_mce"].provider_id if data["paying_mce"] else ""
        return data


class MceUpdateForm(MoveForm):
    line_number = forms.TypedChoiceField(label="Service line", coerce=int)
    status = forms.ChoiceField(label="Claim status reported by the MCE",
                               choices=ClaimUpdate.ClaimStatus.choices)

    def __init__(self, *args, recoupment: Recoupment, **kwargs):
        super().__init__(*args, recoupment=recoupment, **kwargs)
        self.fields["line_number"].choices = [
            (line.number, f"Line {line.number}: {line.date_of_service:%m/%d/%Y} {line.service} "
                          f"${line.amount}") for line in recoupment.lines.order_by("number")]


class AdminDeniedClaimForm(DeniedClaimForm):
    def __init__(self, *args, recoupment: Recoupment, **kwargs):
        super().__init__(*args, lines=[line for line in recoupment.lines.order_by("number")
                                       if not hasattr(line, "denied_claim")], **kwargs)
        self.recoupment = recoupment

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"line_number": data["line"], "icn": data["icn"],
                "edit_codes": [e.code for e in data["edits"]]}


class PaymentForm(MoveForm):
    capitation_note = forms.CharField(
        label="Capitation reconciliation note to MMIS (approval (d), if necessary)",
        required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 90}))
