"""Input shapes of the enrollment panels (labels exactly as contracts/ui.md)."""

from django import forms

from enrollment.models import DisenrollmentReason
from posc.members.models import MEMBER_ID_VALIDATOR, PROVIDER_ID_VALIDATOR

CERTIFY_LABEL = "I certify that the member has a MassHealth enrollment package on file."


class MemberSearchForm(forms.Form):
    """Member Search panel: Provider ID, Member ID, Last Name, First Name."""

    provider_id = forms.CharField(label="Provider ID", max_length=10, min_length=10,
                                  validators=[PROVIDER_ID_VALIDATOR],
                                  error_messages={"required": "Enter the Provider ID."})
    member_id = forms.CharField(label="Member ID", max_length=12, validators=[MEMBER_ID_VALIDATOR],
                                error_messages={"required": "Enter the Member ID."})
    last_name = forms.CharField(label="Last Name", max_length=60,
                                error_messages={"required": "Enter the member's Last Name."})
    first_name = forms.CharField(label="First Name", max_length=35,
                                 error_messages={"required": "Enter the member's First Name."})

    def __init__(self, *args, provider_ids: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        if len(provider_ids) > 1:
            # ui.md: a user linked to several plans may pick among them.
            self.fields["provider_id"] = forms.ChoiceField(
                label="Provider ID", choices=[(p, p) for p in provider_ids],
                error_messages={"invalid_choice": "Choose one of your health plans' Provider IDs."})
        self.fields["provider_id"].initial = provider_ids[0] if provider_ids else ""
        self.fields["member_id"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        for name in ("provider_id", "member_id"):
            self.fields[name].widget.attrs.setdefault("spellcheck", "false")

    def clean_provider_id(self) -> str:
        return self.cleaned_data["provider_id"].strip().upper()

    def clean_member_id(self) -> str:
        return self.cleaned_data["member_id"].strip()


class TokenForm(forms.Form):
    """A panel that submits to MMIS carries a one-time token (a re-post is not a new request)."""

    token = forms.UUIDField(widget=forms.HiddenInput)


class CertificationForm(TokenForm):
    certify = forms.BooleanField(
        label=CERTIFY_LABEL, required=True,
        error_messages={"required": "Select the Certification checkbox to certify the member."})


class DisenrollmentForm(TokenForm):
    reason = forms.ChoiceField(
        label="Disenrollment Reason",
        choices=[("", "Select a reason")] + list(DisenrollmentReason.choices),
        error_messages={"required": "Select the Disenrollment Reason.",
                        "invalid_choice": "Select a Disenrollment Reason from the list."})
