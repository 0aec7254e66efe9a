"""Input shapes of the tracker pages; labels as in seed 003."""

import datetime
import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from crm_tracker.models import (
    LEVEL_LABELS,
    TAXONOMY_FIELDS,
    CaseType,
    Category,
    ChildDisposition,
    Disposition,
    ForCauseReason,
    OutreachOutcome,
    ProviderTermination,
    RecordType,
    Step,
    SubCategory,
    TaxonomyCombination,
    TaxonomyNotAllowed,
    taxonomy_combination,
)
from crm_tracker.rules import parse_clerk_date, ssn_refusal
from crm_tracker.selectors import csr_choices
from crm_tracker.taxonomy import offered_combinations
from posc.clock import EASTERN
from posc.forms import RowSelectField
from posc.members.models import MEMBER_ID_VALIDATOR, Plan, Program
from posc.submission import SubmissionTokenFormMixin

YES_NO = [("", "Select"), ("yes", "Yes"), ("no", "No")]
# As a clerk types or pastes it: 900-12-3456, 900 12 3456 or 900123456.
SSN_PATTERN = re.compile(r"^(\d{3})[-\s]?(\d{2})[-\s]?(\d{4})$")
SSN_FORMAT = "Enter the SSN as 9 digits, e.g. 900-12-3456 (dashes or spaces between groups)."


def ssn_digits(typed: str) -> str:
    """Return the 9 digits of a typed SSN, or raise a ValidationError that says why not."""
    match = SSN_PATTERN.match(typed.replace("\u00a0", " ").strip())
    if not match:
        raise forms.ValidationError(SSN_FORMAT, code="ssn_format")
    digits = "".join(match.groups())
    if refusal := ssn_refusal(digits):
        raise forms.ValidationError(refusal, code="ssn_never_issued")
    return digits


DATE_WIDGET = forms.DateInput(format="%m/%d/%Y", attrs={"autocomplete": "off"})


class ClerkDateField(forms.DateField):
    """A date typed as the State Monitor's sheet takes it (crm_tracker.rules.parse_clerk_date)."""

    def to_python(self, value) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_clerk_date(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

# The label of "the MCO or provider the consumer asks for" in each CRM template (seed 003).
REQUEST_LABELS = {CaseType.ANGELA_MELODY: "New MCO", CaseType.MCT_SPAN: "Requested MCO",
                  CaseType.FOR_CAUSE: "New MCO", CaseType.INCORRECT_SELECTION: "Correct MCO Choice"}
PICKLISTS = {"record_type": RecordType, "category": Category, "sub_category": SubCategory,
             "disposition": Disposition, "child_disposition": ChildDisposition}


def yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=YES_NO, coerce=lambda v: v == "yes",
                                  error_messages={"required": f"Answer {label}"})


class MCOChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Plan) -> str:
        return f"{obj.name} ({obj.provider_id})"


class CaseIntakeForm(SubmissionTokenFormMixin, forms.Form):
    """CSR intake of one case type; the taxonomy starts at the seed's combination for it."""

    participant_names = forms.CharField(
        label="Participant Name(s)", max_length=200,
        error_messages={"required": "Enter the Participant Name(s)."})
    masshealth_id = forms.CharField(
        label="MassHealth ID (MA)", max_length=12, validators=[MEMBER_ID_VALIDATOR],
        error_messages={"required": "Enter the MassHealth ID (MA)."})
    ssn = forms.CharField(label="SSN", max_length=11,
                          error_messages={"required": "Enter the SSN."})
    current_mco_auto_assigned = yes_no("Was the current MCO auto-assigned?")
    current_mco_start = forms.DateField(
        label="Current MCO start date (MM/DD/YYYY)", required=False, widget=DATE_WIDGET,
        error_messages={"invalid": "Enter the Current MCO start date as MM/DD/YYYY."})
    consumer_issues_resolved = yes_no("Were the Consumer's issues resolved?")
    supervisor_requested = yes_no("Did the Consumer request a Supervisor?")

    def __init__(self, *args, case_type: str, user: AbstractBaseUser, today: datetime.date,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        mcos = Plan.objects.filter(program=Program.MCO).order_by("name")
        extra: dict[str, forms.Field] = {}
        if case_type == CaseType.ANGELA_MELODY:
            extra["provider_termination"] = forms.ModelChoiceField(
                label="Provider leaving the MCO", queryset=current_terminations(today),
                error_messages={"required": "Choose the provider leaving the MCO.",
                                "invalid_choice": TERMINATION_NOT_OFFERED})
        if case_type == CaseType.FOR_CAUSE:
            extra["for_cause_reason"] = forms.ChoiceField(
                label="For Cause Reason", choices=[("", "Select")] + ForCauseReason.choices,
                error_messages={"required": "Choose the For Cause Reason."})
        extra["requested_plan"] = MCOChoiceField(
            label=REQUEST_LABELS[case_type], queryset=mcos, to_field_name="provider_id",
            required=case_type != CaseType.ANGELA_MELODY,
            error_messages={"required": f"Choose the {REQUEST_LABELS[case_type]}."})
        if case_type == CaseType.ANGELA_MELODY:
            extra["requested_provider_name"] = forms.CharField(
                label="New Provider Name", max_length=120, required=False)
        default = _default_combination(case_type)
        # Dependent picklists: only the values of the combinations this role may apply to
        # this case type (static/js/taxonomy.js narrows the lower levels in the page).
        self.combinations = offered_combinations(user=user, case_type=case_type,
                                                 steps=(Step.INTAKE,))
        for name, model in PICKLISTS.items():
            offered = {getattr(row, f"{name}_id") for row in self.combinations}
            extra[name] = forms.ModelChoiceField(
                label=LEVEL_LABELS[name], queryset=model.objects.filter(pk__in=offered),
                initial=getattr(default, f"{name}_id", None),
                error_messages={"required": f"Choose the {LEVEL_LABELS[name]}.",
                                "invalid_choice": f"Choose one of the {LEVEL_LABELS[name]} "
                                                  "values offered for "
                                                  f"{CaseType(case_type).label} cases: the one "
                                                  "sent is not a CSR's to set."})
        # Request fields after the SSN, the taxonomy last, as on the CRM case page.
        ordered = ["participant_names", "masshealth_id", "ssn"]
        ordered += [n for n in ("provider_termination", "for_cause_reason", "requested_plan",
                                "requested_provider_name") if n in extra]
        ordered += ["current_mco_auto_assigned", "current_mco_start",
                    "consumer_issues_resolved", "supervisor_requested", *TAXONOMY_FIELDS]
        self.fields.update(extra)
        self.order_fields(ordered)
        for name in ("masshealth_id", "ssn"):
            self.fields[name].widget.attrs.update(inputmode="numeric", autocomplete="off",
                                                  spellcheck="false")

    def clean_ssn(self) -> str:
        return ssn_digits(self.cleaned_data["ssn"])

    def clean_masshealth_id(self) -> str:
        return self.cleaned_data["masshealth_id"].strip()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("current_mco_auto_assigned") and not data.get("current_mco_start"):
            if "current_mco_start" not in self.errors:
                self.add_error("current_mco_start",
                               "Enter the Current MCO start date of the auto-assignment.")
        if (self.case_type == CaseType.ANGELA_MELODY and not data.get("requested_plan")
                and not data.get("requested_provider_name")):
            self.add_error("requested_plan", "Choose the New MCO or enter the New Provider Name.")
        if all(data.get(f) for f in TAXONOMY_FIELDS):
            try:
                taxonomy_combination(**{f: data[f] for f in TAXONOMY_FIELDS})
            except TaxonomyNotAllowed as exc:
                self.add_error(None, exc.message)
        return data

    @property
    def taxonomy(self) -> dict:
        return {f: self.cleaned_data[f] for f in TAXONOMY_FIELDS}

    @property
    def taxonomy_choices(self) -> dict:
        """Return the offered combinations for static/js/taxonomy.js (ids as strings)."""
        return {"levels": list(TAXONOMY_FIELDS),
                "combinations": [[str(getattr(row, f"{f}_id")) for f in TAXONOMY_FIELDS]
                                 for row in self.combinations]}


# Seed 003 "Angela Melody": enrollment changes only during the provider's choice period.
TERMINATION_NOT_OFFERED = ("Choose a provider whose choice period includes today. After the "
                           "period, use For Cause Reason if a for-cause reason applies.")


def current_terminations(today: datetime.date):
    """Return the provider terminations whose members' choice period includes *today*."""
    return ProviderTermination.objects.select_related("plan").filter(
        choice_period_start__lte=today, choice_period_end__gte=today)


def _default_combination(case_type: str) -> TaxonomyCombination | None:
    rows = TaxonomyCombination.objects.filter(step=Step.INTAKE)
    if case_type == CaseType.ANGELA_MELODY:
        return rows.filter(sub_category__name="Angela Melody", disposition__name="MCO Updated"
                           ).first()
    return rows.filter(disposition__name="Plan Selected in Error").first()


class VetForm(forms.Form):
    result = forms.ChoiceField(
        label="Vetting result",
        choices=[("", "Select"), ("true", "True tracker case"), ("false", "False tracker case")],
        error_messages={"required": "Choose the Vetting result."})
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000,
                             error_messages={"required": "Enter the Reason."})

    def __init__(self, *args, not_processed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not_processed:
            # Seed 003: a case the State Monitor could not process goes to outreach.
            self.fields["result"].choices = [("false", "False tracker case")]


class CaseNumbersField(RowSelectField):
    """The case numbers ticked in a list; which of them may be vetted is the service's call."""

    def __init__(self, **kwargs):
        super().__init__(row_label="Select case {}", row_id="select-case-{}", **kwargs)

    def valid_value(self, value: str) -> bool:
        return bool(re.fullmatch(r"[0-9]{1,12}", str(value)))


class BulkVetForm(SubmissionTokenFormMixin, VetForm):
    """Vet the cases ticked in the QC Queue with one Vetting result and Reason (issue 13)."""

    cases = CaseNumbersField(error_messages={
        "required": "Select the cases to vet.",
        "invalid_choice": "Select the cases to vet from the QC Queue."})

    field_order = ["cases", "result", "reason"]

    @property
    def numbers(self) -> list[int]:
        return sorted({int(number) for number in self.cleaned_data["cases"]})


class MmisResultForm(forms.Form):
    result = forms.ChoiceField(
        label="MMIS Result",
        choices=[("", "Select"), ("processed", "Processed"), ("not_processed", "Not Processed")],
        error_messages={"required": "Choose the MMIS Result."})
    processed_on = ClerkDateField(
        label="Date processed in MMIS (MM/DD/YYYY)", required=False, widget=DATE_WIDGET,
        error_messages={"invalid": "Enter the Date processed in MMIS as MM/DD/YYYY."})
    reason = forms.CharField(label="Reason not processed", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("result") == "processed" and not data.get("processed_on"):
            if "processed_on" not in self.errors:
                self.add_error("processed_on", "Enter the Date processed in MMIS.")
        if data.get("result") == "not_processed" and not data.get("reason", "").strip():
            self.add_error("reason", "Enter the Reason not processed.")
        # As the sheet (issue 13 point 15): nothing typed is dropped without a word.
        if data.get("result") == "processed" and data.get("reason", "").strip():
            self.add_error("reason", "Leave the Reason not processed empty for a processed "
                                     "case, or choose Not Processed.")
        if data.get("result") == "not_processed" and data.get("processed_on"):
            self.add_error("processed_on", "Leave the Date processed in MMIS empty for a case "
                                           "not processed, or choose Processed.")
        return data


class OutreachForm(forms.Form):
    # The attempt this page records (1 or 2): a re-post of the 1st must not become the 2nd.
    attempt = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=2,
        error_messages={"max_value": "A case gets two outreach attempts (seed 003): there is "
                                     "no third attempt to record.",
                        "min_value": "Reload the page: it records the 1st or the 2nd attempt.",
                        "invalid": "Reload the page: it records the 1st or the 2nd attempt.",
                        "required": "Reload the page: it records the 1st or the 2nd attempt."})
    outcome = forms.ChoiceField(
        label="Outcome", choices=[("", "Select")] + OutreachOutcome.choices,
        error_messages={"required": "Choose the Outcome of the call.",
                        "invalid_choice": "Choose the Outcome of the call from the list."})
    contact = forms.CharField(
        label="Contact used (phone number or other)", max_length=120,
        error_messages={"required": "Enter the Contact used: the phone number called, or how "
                                    "the consumer was contacted."})
    documentation = forms.CharField(
        label="Outreach documentation", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the Outreach documentation."})


class SheetImportForm(forms.Form):
    # The xlsx or the CSV this page exports (issue 13 point 12).
    sheet = forms.FileField(label="Updated spreadsheet (.xlsx or .csv)",
                            error_messages={"required": "Choose the updated spreadsheet."},
                            widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))


QC_REPORT_WAITING = "waiting"


class QcReportFilterForm(forms.Form):
    # The whole report (seed 003's filter), or only what still waits for QC (issue 13).
    view = forms.ChoiceField(label="Show", required=False,
                             choices=[("", "Every case of the report"),
                                      (QC_REPORT_WAITING, "Waiting for QC")])
    case_type = forms.ChoiceField(label="Case Type", required=False,
                                  choices=[("", "All case types")] + CaseType.choices)
    date_from = forms.DateField(label="Created from (MM/DD/YYYY)", required=False,
                                widget=DATE_WIDGET,
                                error_messages={"invalid": "Enter Created from as MM/DD/YYYY."})
    date_to = forms.DateField(label="Created to (MM/DD/YYYY)", required=False, widget=DATE_WIDGET,
                              error_messages={"invalid": "Enter Created to as MM/DD/YYYY."})
    csr = forms.ModelChoiceField(label="CSR", required=False,
                                 queryset=get_user_model().objects.none(),
                                 empty_label="All CSRs", to_field_name="username")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["csr"].queryset = csr_choices()


class CaseNarrowForm(forms.Form):
    """The narrowing a dashboard figure puts in a case list's address (issue 18).

    Not shown as a form: the dashboard writes these parameters (ISO dates), the lists read them.
    """

    case_type = forms.ChoiceField(required=False, choices=[("", "")] + CaseType.choices)
    disposition = forms.CharField(required=False, max_length=80)
    arrived_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    arrived_before = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    attempts = forms.IntegerField(required=False, min_value=0, max_value=2)

    def narrowing(self) -> dict:
        """Return the selectors.cases_narrowed keywords (dates as midnight Eastern)."""
        data = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        for name in ("arrived_from", "arrived_before"):
            if name in data:
                data[name] = datetime.datetime.combine(data[name], datetime.time.min,
                                                       tzinfo=EASTERN)
        return data
