"""The forms of the enrollment adjustments (issue 17 §1), one per move.

Each form knows its member; the spans it offers are that member's. Dates are typed
MM/DD/YYYY (ui.md Screen conventions); ISO dates are taken too (a browser's date field).
"""

import datetime
import uuid

from django import forms

from enrollment.models import EnrollmentAdjustment
from posc.members.models import EnrollmentSpan, Member, Plan
from posc.mmis.dates import last_day_of_month
from posc.mmis.programs import INTEGRATED_PROGRAMS
from posc.submission import SubmissionTokenFormMixin

Move = EnrollmentAdjustment.Move
DATE_FORMATS = ["%m/%d/%Y", "%Y-%m-%d"]


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS,
                           help_text=help_text or "MM/DD/YYYY",
                           widget=forms.DateInput(format="%m/%d/%Y", attrs={"size": 10}),
                           error_messages={"invalid": "Enter a date as MM/DD/YYYY.",
                                           "required": f"Enter the {label.lower()}."})


class SpanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, span: EnrollmentSpan) -> str:
        end = f"{span.end_date:%m/%d/%Y}" if span.end_date else "open"
        state = " (cancelled)" if span.cancelled else ""
        return f"{span.plan.name} ({span.plan.provider_id}) {span.start_date:%m/%d/%Y}–{end}{state}"


class AdjustmentForm(SubmissionTokenFormMixin, forms.Form):
    """What every move asks: why (reason) and for what (reference)."""

    move: str = ""

    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
                             max_length=2000,
                             error_messages={"required": "Give the reason for the adjustment."})
    reference = forms.CharField(
        label="Reference", max_length=200,
        help_text="The recoupment (recoupment:<number>, filled in from a recoupment) or a note.",
        error_messages={"required": "Give the reference: the recoupment, or a note."})

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        # The move's own fields first, then reason and reference, then the token.
        order = [n for n in self.fields if n not in ("reason", "reference", "submission_token")]
        self.order_fields([*order, "reason", "reference", "submission_token"])

    def spans(self):
        return (EnrollmentSpan.objects.filter(member=self.member,
                                              program__in=INTEGRATED_PROGRAMS)
                .select_related("plan").order_by("-start_date"))

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        # A page without its token (a hand-made post) still makes one adjustment per post.
        data["token"] = data.pop("submission_token") or uuid.uuid4()
        return data


def _integrated_plans():
    return Plan.objects.filter(program__in=INTEGRATED_PROGRAMS).order_by("program", "name")


class RetroDisenrollForm(AdjustmentForm):
    move = Move.RETRO_DISENROLL
    span = SpanChoiceField(queryset=EnrollmentSpan.objects.none(), label="Enrollment to end",
                           error_messages={"required": "Choose the enrollment to end."})
    end_date = date_field("New end date", help_text="The last day of a past month, MM/DD/YYYY.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["span"].queryset = self.spans().filter(cancelled=False)


class RetroEnrollForm(AdjustmentForm):
    move = Move.RETRO_ENROLL
    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), label="Plan",
                                  error_messages={"required": "Choose the plan."})
    start_date = date_field("Start date", help_text="The 1st of a past month, MM/DD/YYYY.")
    end_date = date_field("End date", required=False,
                          help_text="Empty: the enrollment goes on. Otherwise a month end.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = _integrated_plans()

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "member": self.member}


class MoveForm(AdjustmentForm):
    move = Move.MOVE
    span = SpanChoiceField(queryset=EnrollmentSpan.objects.none(), label="Enrollment the period "
                           "leaves", error_messages={"required": "Choose the enrollment."})
    to_plan = forms.ModelChoiceField(queryset=Plan.objects.none(), label="Plan the period moves to",
                                     error_messages={"required": "Choose the plan."})
    start_date = date_field("Period's first day", help_text="The 1st of a month, MM/DD/YYYY.")
    end_date = date_field("Period's last day", help_text="A month end, MM/DD/YYYY.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["span"].queryset = self.spans().filter(cancelled=False)
        self.fields["to_plan"].queryset = _integrated_plans()


class ReinstateForm(AdjustmentForm):
    move = Move.REINSTATE
    span = SpanChoiceField(queryset=EnrollmentSpan.objects.none(),
                           label="Disenrollment or cancellation made in error",
                           error_messages={"required": "Choose the enrollment to reinstate."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["span"].queryset = self.spans().filter(end_date__isnull=False)


FORMS: dict[str, type[AdjustmentForm]] = {
    "retro-disenroll": RetroDisenrollForm,
    "retro-enroll": RetroEnrollForm,
    "move": MoveForm,
    "reinstate": ReinstateForm,
}
SLUGS = {form.move: slug for slug, form in FORMS.items()}


def initial_from_dates(slug: str, dates: list[datetime.date]) -> dict:
    """Return the dates a form starts with, from a recoupment's dates of service.

    Retro-disenroll: the month end before the first date of service; retro-enroll and
    move: the month of the first date of service (move: through the month of the last).
    """
    if not dates:
        return {}
    first, last = min(dates), max(dates)
    if slug == "retro-disenroll":
        return {"end_date": first.replace(day=1) - datetime.timedelta(days=1)}
    if slug == "retro-enroll":
        return {"start_date": first.replace(day=1)}
    if slug == "move":
        return {"start_date": first.replace(day=1), "end_date": last_day_of_month(last)}
    return {}
