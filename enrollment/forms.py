"""Input shapes of the enrollment panels (labels exactly as contracts/ui.md)."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError

from enrollment.models import DisenrollmentReason
from enrollment.reconciliation import RosterRejected, roster_read
from posc.mmis.x12_999 import MAX_BYTES
from posc.submission import SubmissionTokenFormMixin

CERTIFY_LABEL = "I certify that the member has a MassHealth enrollment package on file."

# What a clerk may type or paste around an ID: spaces (a no-break space from a web page
# too) and dashes, as IDs are often printed in groups. They are dropped before any check.
_ID_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")
# [0-9] and re.ASCII: a full-width or Arabic-Indic digit is not a digit of an ID (\d is).
MEMBER_ID_FORM = re.compile(r"[0-9]{12}", re.ASCII)
PROVIDER_ID_FORM = re.compile(r"[0-9]{9}[A-Z]", re.ASCII)  # domain.md F: PID/SL
MEMBER_ID_MESSAGE = "Enter a 12-digit Member ID."
PROVIDER_ID_MESSAGE = "Enter a 10-character Provider ID: 9 digits and a letter."


def id_normalise(value: str) -> str:
    """Return an ID as typed or pasted, without spaces and dashes, letters in capitals."""
    return _ID_SEPARATORS.sub("", value).upper()


class IdField(forms.CharField):
    """An ID field: normalised first, then one check with the field's own message.

    No max_length: a browser cuts what is typed or pasted at ``maxlength`` without a word
    (" 100000000121" lost its last digit); the length is part of the one check instead.
    """

    def __init__(self, *, form: re.Pattern, message: str, **kwargs):
        super().__init__(**kwargs)
        self.form = form
        self.message = message

    def to_python(self, value) -> str:
        return id_normalise(super().to_python(value))

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and not self.form.fullmatch(value):
            raise ValidationError(self.message, code="invalid")


class ProviderIdChoiceField(forms.ChoiceField):
    """Provider ID of a user linked to several plans: typed case and spaces do not matter."""

    def to_python(self, value) -> str:
        return id_normalise(super().to_python(value))


class MemberSearchForm(forms.Form):
    """Member Search panel: Provider ID, Member ID, Last Name, First Name."""

    provider_id = IdField(label="Provider ID", form=PROVIDER_ID_FORM,
                          message=PROVIDER_ID_MESSAGE,
                          error_messages={"required": "Enter the Provider ID."})
    member_id = IdField(label="Member ID", form=MEMBER_ID_FORM, message=MEMBER_ID_MESSAGE,
                        error_messages={"required": "Enter the Member ID."})
    last_name = forms.CharField(label="Last Name", max_length=60,
                                error_messages={"required": "Enter the member's Last Name."})
    first_name = forms.CharField(label="First Name", max_length=35,
                                 error_messages={"required": "Enter the member's First Name."})

    def __init__(self, *args, provider_ids: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        if len(provider_ids) > 1:
            # ui.md: a user linked to several plans may pick among them.
            self.fields["provider_id"] = ProviderIdChoiceField(
                label="Provider ID", choices=[(p, p) for p in provider_ids],
                error_messages={"invalid_choice": "Choose one of your health plans' Provider IDs.",
                                "required": "Enter the Provider ID."})
        self.fields["provider_id"].initial = provider_ids[0] if provider_ids else ""
        self.fields["member_id"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        for name in ("provider_id", "member_id"):
            self.fields[name].widget.attrs.setdefault("spellcheck", "false")


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


class AcknowledgmentUploadForm(forms.Form):
    """834 Files: upload the 999 (or TA1) the plan's translator returned for a batch."""

    file = forms.FileField(
        label="999 acknowledgment file",
        help_text="The 999 or TA1 your translator returned for one of these 834 files.",
        error_messages={"required": "Choose the 999 file to upload."})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:  # bounded before a byte is read (issue 17)
            raise ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                                  "a 999 for one 834 file is far smaller.")
        return upload


def month_choices(today: datetime.date, back: int = 12) -> list[tuple[str, str]]:
    """Return next month and the *back* months before it, newest first, as ("YYYY-MM", label)."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    choices = []
    for _ in range(back + 1):
        day = datetime.date(year, month, 1)
        choices.append((f"{day:%Y-%m}", f"{day:%B %Y}"))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return choices


class RosterForm(SubmissionTokenFormMixin, forms.Form):
    """Reconciliation: the plan, the month and the roster CSV (docs/reconciliation.md)."""

    provider_id = ProviderIdChoiceField(
        label="Provider ID",
        error_messages={"required": "Choose the Provider ID.",
                        "invalid_choice": "Choose one of your health plans' Provider IDs."})
    month = forms.ChoiceField(
        label="Month", error_messages={"required": "Choose the month.",
                                       "invalid_choice": "Choose a month from the list."})
    roster = forms.FileField(
        label="Roster (.csv)",
        help_text="Header row Member ID,Rate Cell,Start Date, then one row per member "
                  "enrolled with your plan on the 1st of the month.",
        error_messages={"required": "Choose the roster file.",
                        "empty": "The roster file is empty."})

    def __init__(self, *args, provider_ids: list[str], today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider_id"].choices = [(p, p) for p in provider_ids]
        self.fields["provider_id"].initial = provider_ids[0] if provider_ids else ""
        self.fields["month"].choices = month_choices(today)
        self.fields["month"].initial = f"{today:%Y-%m}"
        self.fields["roster"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_month(self) -> datetime.date:
        return datetime.date.fromisoformat(f"{self.cleaned_data['month']}-01")

    def clean_roster(self):
        upload = self.cleaned_data["roster"]
        try:
            self.cleaned_data["rows"] = roster_read(upload)
        except RosterRejected as refused:
            raise ValidationError([ValidationError(p, code="roster") for p in refused.problems])
        return upload
