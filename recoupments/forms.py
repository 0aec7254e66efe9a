"""Input shapes of the Recoupment Form (seed 004 field names) and of the provider's claim entry."""

import datetime
import re

from django import forms
from django.forms import BaseFormSet, formset_factory

from posc.members.models import Plan, Provider
from posc.submission import SubmissionTokenFormMixin
from posc.xlsx import FORMULA_START, XLSX_CONTENT_TYPE
from recoupments.identifiers import icn_valid, npi_valid
from recoupments.inputs import LineInput, RecoupmentInput
from recoupments.models import EditCode, RecoupmentLine
from recoupments.money import format_money
from recoupments.xlsx import (
    AMOUNT_MAX,
    AMOUNT_MAX_TEXT,
    MAX_LINES,
    OLDEST_SERVICE_YEARS,
    SERVICE_MAX,
    SheetRejected,
    oldest_date_of_service,
    parse_amount,
    read_lines,
)

MEMBER_ID_RE = re.compile(r"^\d{12}$")
DEFAULT_LINES = 3
MAX_MEMBER_IDS = 10


def no_formula_start(value: str) -> None:
    """Refuse text that a spreadsheet would run as a formula (see recoupments.xlsx)."""
    if value.startswith(FORMULA_START):
        raise forms.ValidationError("Do not start with =, +, -, @ or a tab.")


class RecoupmentForm(SubmissionTokenFormMixin, forms.Form):
    """The Recoupment Form's fields other than the service lines."""

    provider_name = forms.CharField(
        label="Provider Name", max_length=120,
        error_messages={"required": "Enter the Provider Name."})
    provider_npi = forms.CharField(
        label="Provider NPI", required=False, max_length=10,
        help_text="If applicable: 10 digits.",
        error_messages={"max_length": "Enter the Provider NPI as 10 digits."})
    provider_id = forms.CharField(
        label="MassHealth Provider ID", max_length=10,
        error_messages={"required": "Enter the MassHealth Provider ID."})
    mces = forms.ModelMultipleChoiceField(
        label="MCE Name(s)", queryset=Plan.objects.order_by("name"), to_field_name="provider_id",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one MCE Name.",
                        "invalid_choice": "Choose the MCE Name(s) from the list.",
                        "invalid_pk_value": "Choose the MCE Name(s) from the list."})
    member_first_name = forms.CharField(
        label="Member First Name", max_length=35,
        error_messages={"required": "Enter the Member First Name."})
    member_last_name = forms.CharField(
        label="Member Last Name", max_length=60,
        error_messages={"required": "Enter the Member Last Name."})
    member_ids = forms.CharField(
        label="Member MassHealth ID(s)", widget=forms.Textarea(attrs={"rows": 3, "cols": 20}),
        help_text="One 12-digit Member ID per line. Add a line for each ID the member has.",
        error_messages={"required": "Enter at least one Member MassHealth ID."})
    lines_file = forms.FileField(
        label="Service lines spreadsheet (.xlsx)", required=False,
        help_text="Optional: instead of typing the lines, upload a sheet with the columns "
                  "Date(s) of Service Recouped, Service Code or Name, Amount Recouped.")

    def __init__(self, *args, providers: list[Provider], **kwargs):
        super().__init__(*args, **kwargs)
        self.providers = {p.provider_id: p for p in providers}
        ids = list(self.providers)
        if len(ids) > 1:
            # Like ui.md's Provider ID: a user linked to several providers picks among them.
            self.fields["provider_id"] = forms.ChoiceField(
                label="MassHealth Provider ID", choices=[(p, p) for p in ids],
                error_messages={"required": "Choose the MassHealth Provider ID.",
                                "invalid_choice": "Choose one of your own MassHealth "
                                                  "Provider IDs."})
        first = providers[0] if providers else None
        if first is not None:
            self.fields["provider_id"].initial = first.provider_id
            self.fields["provider_name"].initial = first.name
            self.fields["provider_npi"].initial = first.npi
        for name in ("provider_id", "provider_npi", "member_ids"):
            self.fields[name].widget.attrs.update(spellcheck="false", autocomplete="off")
        self.fields["provider_npi"].widget.attrs["inputmode"] = "numeric"
        self.fields["lines_file"].widget.attrs["accept"] = (
            ".xlsx," + XLSX_CONTENT_TYPE)

    def clean_provider_id(self) -> str:
        value = self.cleaned_data["provider_id"].strip().upper()
        if value not in self.providers:
            raise forms.ValidationError("Choose one of your own MassHealth Provider IDs.")
        return value

    def clean_provider_npi(self) -> str:
        value = self.cleaned_data["provider_npi"].strip()
        if value and not re.fullmatch(r"\d{10}", value):
            raise forms.ValidationError("Enter the Provider NPI as 10 digits.")
        if value and not npi_valid(value):
            # domain.md F: Luhn over "80840" + NPI.
            raise forms.ValidationError("This Provider NPI is not valid: check the digits.")
        return value

    def clean_member_first_name(self) -> str:
        return self.cleaned_data["member_first_name"].strip()

    def clean_member_last_name(self) -> str:
        return self.cleaned_data["member_last_name"].strip()

    def clean_member_ids(self) -> list[str]:
        ids = [v for v in re.split(r"[\s,;]+", self.cleaned_data["member_ids"]) if v]
        if not ids:
            raise forms.ValidationError("Enter at least one Member MassHealth ID.")
        bad = [v for v in ids if not MEMBER_ID_RE.fullmatch(v)]
        if bad:
            raise forms.ValidationError(
                f"Each Member MassHealth ID is 12 digits; check {', '.join(bad[:5])}.")
        if len(set(ids)) != len(ids):
            raise forms.ValidationError("Enter each Member MassHealth ID once.")
        if len(ids) > MAX_MEMBER_IDS:
            raise forms.ValidationError(f"Enter at most {MAX_MEMBER_IDS} Member MassHealth IDs.")
        return ids


class AmountField(forms.CharField):
    """Dollars and cents, more than zero; ``$`` and thousands commas are accepted."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            amount = parse_amount(value)
        except ValueError:
            raise forms.ValidationError("Enter the Amount Recouped in dollars and cents, "
                                        "e.g. 125.00.") from None
        if amount <= 0:
            raise forms.ValidationError("The Amount Recouped must be more than $0.00.")
        if amount > AMOUNT_MAX:
            raise forms.ValidationError(f"The Amount Recouped cannot be more than "
                                        f"{AMOUNT_MAX_TEXT} for one line.")
        return amount


LINE_REQUIRED = {
    "date_of_service": "Enter the Date(s) of Service Recouped.",
    "service": "Enter the Service Code or Name.",
    "amount": "Enter the Amount Recouped.",
}


class LineForm(forms.Form):
    """One service line. Line 1 is required; a later line, once started, must be complete."""

    date_of_service = forms.DateField(
        label="Date(s) of Service Recouped", help_text="MM/DD/YYYY",
        error_messages={"invalid": "Enter the Date(s) of Service Recouped as MM/DD/YYYY."})
    service = forms.CharField(label="Service Code or Name", max_length=SERVICE_MAX,
                              validators=[no_formula_start])
    amount = AmountField(label="Amount Recouped", help_text="Dollars and cents")

    def __init__(self, *args, required_line: bool, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        for name, message in LINE_REQUIRED.items():
            self.fields[name].required = required_line
            self.fields[name].error_messages["required"] = message
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"
        self.fields["date_of_service"].widget.attrs["autocomplete"] = "off"

    def clean_date_of_service(self):
        day = self.cleaned_data["date_of_service"]
        if day and day > self.today:
            raise forms.ValidationError("The Date(s) of Service Recouped cannot be in the future.")
        if day and day < oldest_date_of_service(self.today):
            raise forms.ValidationError(f"The Date(s) of Service Recouped cannot be more than "
                                        f"{OLDEST_SERVICE_YEARS} years ago.")
        return day

    def clean_service(self) -> str:
        return self.cleaned_data["service"].strip()

    def clean(self):
        data = super().clean()
        if not self.fields["service"].required and self.has_changed():
            for name, message in LINE_REQUIRED.items():
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, message)
        return data

    def line(self) -> LineInput | None:
        data = self.cleaned_data
        if not data or data.get("date_of_service") is None:
            return None
        return LineInput(date_of_service=data["date_of_service"], service=data["service"],
                         amount=data["amount"])


class BaseLineFormSet(BaseFormSet):
    """Service lines; never any "initial" forms, so every posted row is validated the same way."""

    def initial_form_count(self) -> int:
        return 0

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["required_line"] = index == 0
        return kwargs

    def lines(self) -> list[LineInput]:
        return [line for form in self.forms if (line := form.line()) is not None]


LINE_FIELDS = tuple(LINE_REQUIRED)


def line_formset(*, today: datetime.date, data=None, rows: list[dict] | None = None,
                 count: int = DEFAULT_LINES):
    """Return the service-line formset: bound to *data*, or showing *rows* and blank rows."""
    shown = max(count, len(rows or []), 1)
    formset_class = formset_factory(LineForm, formset=BaseLineFormSet, extra=shown - 1,
                                    min_num=1, max_num=MAX_LINES, absolute_max=MAX_LINES,
                                    validate_max=True)
    return formset_class(data, initial=rows or None, prefix="lines",
                         form_kwargs={"today": today})


def posted_rows(data) -> list[dict]:
    """Return the typed line values of a posted form (raw text), for re-showing them."""
    try:
        total = min(int(data.get("lines-TOTAL_FORMS", 0)), MAX_LINES)
    except ValueError:
        total = 0
    rows = [{name: data.get(f"lines-{i}-{name}", "") for name in LINE_FIELDS}
            for i in range(max(total, 0))]
    return rows


def form_rows(lines) -> list[dict]:
    """Return stored or read lines as formset rows."""
    return [{"date_of_service": line.date_of_service, "service": line.service,
             "amount": f"{line.amount:.2f}"} for line in lines]


# The posted fields re-shown (without errors) when the page is shown again unsaved.
MAIN_FIELDS = ("provider_name", "provider_npi", "provider_id", "member_first_name",
               "member_last_name", "member_ids", "submission_token")
NOT_BOTH = ("Either type the service lines or upload a sheet, not both: clear the typed lines "
            "or the file.")


class RecoupmentSubmission:
    """The posted Recoupment Form: its fields, and its service lines typed or uploaded.

    Seed 004 takes the lines typed or as a spreadsheet. One post uses one of the two
    ("not both"), so that a sheet never silently replaces lines the provider typed.
    """

    def __init__(self, data, files, *, providers: list[Provider], today: datetime.date):
        self.data, self.today, self.providers = data, today, providers
        self.form = RecoupmentForm(data, files, providers=providers)
        self.upload = files.get("lines_file")
        # The lines the page shows again: the typed rows as posted.
        self.formset = line_formset(today=today, data=data)
        self.sheet: list[LineInput] | None = None

    def refilled_form(self) -> RecoupmentForm:
        """Return an unbound form showing the posted fields (the page again, nothing saved)."""
        initial = {name: self.data.get(name, "") for name in MAIN_FIELDS}
        initial["mces"] = self.data.getlist("mces")
        return RecoupmentForm(initial=initial, providers=self.providers)

    def _refuse_sheet(self, problems: list[str]) -> None:
        self.form.is_valid()
        for problem in problems:
            self.form.add_error("lines_file", problem)
        # The typed lines are shown again unchecked: the user chose the sheet.
        self.formset = line_formset(today=self.today, rows=posted_rows(self.data))

    def read_sheet(self) -> list[LineInput] | None:
        """Return the uploaded sheet's lines, or None with the form's errors saying why."""
        if self.upload is None:
            self._refuse_sheet(["Choose the .xlsx file to upload."])
            return None
        try:
            self.sheet = read_lines(self.upload, today=self.today, size=self.upload.size)
        except SheetRejected as rejected:
            self._refuse_sheet(rejected.problems)
        return self.sheet

    def is_valid(self) -> bool:
        """Return whether the fields and the lines, from one source, are all valid."""
        if self.upload is None:
            lines_ok = self.formset.is_valid()
            return self.form.is_valid() and lines_ok
        if self.read_sheet() is None:
            return False
        if any(form.has_changed() for form in self.formset.forms):
            self.form.is_valid()
            self.form.add_error("lines_file", NOT_BOTH)
            return False
        return self.form.is_valid()

    def recoupment_input(self) -> RecoupmentInput:
        """Return the valid form as the services take it."""
        data = self.form.cleaned_data
        lines = self.sheet if self.sheet is not None else self.formset.lines()
        return RecoupmentInput(
            provider_id=data["provider_id"], provider_name=data["provider_name"].strip(),
            provider_npi=data["provider_npi"],
            mce_provider_ids=tuple(p.provider_id for p in data["mces"]),
            member_first_name=data["member_first_name"],
            member_last_name=data["member_last_name"],
            member_ids=tuple(data["member_ids"]), lines=tuple(lines))


class DeniedClaimForm(forms.Form):
    """Path (d): the ICN and edits of the MassHealth claim a line was billed on."""

    line = forms.TypedChoiceField(label="Service line", coerce=int,
                                  error_messages={"required": "Choose the service line.",
                                                  "invalid_choice": "Choose a line from the list."})
    icn = forms.CharField(label="ICN", max_length=13, help_text="13 digits, from the remittance "
                          "advice or claim status",
                          error_messages={"required": "Enter the ICN of the denied claim."})
    edits = forms.ModelMultipleChoiceField(
        label="Edit codes on the denial", queryset=EditCode.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the edit codes the claim denied with."})

    def __init__(self, *args, lines: list[RecoupmentLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", "Choose a line")] + [
            (line.number, f"Line {line.number}: {line.date_of_service:%m/%d/%Y} {line.service} "
                          f"{format_money(line.amount)}"
                          + (f" (recorded: ICN {line.denied_claim.icn})"
                             if hasattr(line, "denied_claim") else ""))
            for line in lines]
        # Providers read only wording MassHealth confirmed (an unconfirmed one: its kind).
        self.fields["edits"].label_from_instance = lambda edit: edit.provider_label
        self.fields["icn"].widget.attrs.update(inputmode="numeric", autocomplete="off",
                                               spellcheck="false")

    def clean_icn(self) -> str:
        icn = self.cleaned_data["icn"].strip()
        if not icn_valid(icn):
            raise forms.ValidationError("Enter the ICN: 13 digits.")
        return icn

    def clean_edits(self):
        edits = self.cleaned_data["edits"]
        # Seed 004: the claim denies for MCE coverage with edit 2017.
        if not any(e.kind == EditCode.Kind.MCE_COVERAGE for e in edits):
            raise forms.ValidationError("The denial must include the MCE coverage edit 2017.")
        return edits
