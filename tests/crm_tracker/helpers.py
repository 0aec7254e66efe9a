"""What the tracker's tests share: a valid intake per case type (the services are the
factory), the intake page's post, and the State Monitor's sheet downloaded and uploaded."""

import datetime
import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from crm_tracker.models import (
    TAXONOMY_FIELDS,
    Case,
    CaseType,
    ForCauseReason,
    ProviderTermination,
    Step,
    TaxonomyCombination,
)
from crm_tracker.spreadsheets import MONITOR_DATE, MONITOR_HEADERS, MONITOR_REASON, MONITOR_RESULT
from posc.clock import EASTERN
from posc.members.models import Plan

TODAY = datetime.date(2026, 11, 22)
# The moment of the services' calls: 10 am Eastern on TODAY (the tests pass it, whatever
# the real date).
NOW = datetime.datetime.combine(TODAY, datetime.time(10), tzinfo=EASTERN)
_numbers = itertools.count(1)


def intake_taxonomy(case_type: str, disposition: str = "") -> dict:
    """Return the CSR taxonomy the seed gives *case_type*."""
    if not disposition:
        disposition = ("MCO Updated" if case_type == CaseType.ANGELA_MELODY
                       else "Plan Selected in Error")
    row = TaxonomyCombination.objects.get(step=Step.INTAKE, disposition__name=disposition)
    return {f: getattr(row, f) for f in TAXONOMY_FIELDS}


def current_termination() -> ProviderTermination:
    """Return the fixture's termination whose choice period contains TODAY."""
    return ProviderTermination.objects.get(choice_period_start__lte=TODAY,
                                           choice_period_end__gte=TODAY)


def _letters(n: int) -> str:
    """Spell *n* in letters (1 -> B, 27 -> BB): a name never matches a case number search."""
    letters = ""
    while True:
        n, digit = divmod(n, 26)
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[digit] + letters
        if not n:
            return letters


def intake_kwargs(*, actor, case_type: str = CaseType.MCT_SPAN, **overrides) -> dict:
    n = next(_numbers)
    kwargs = {
        "actor": actor, "case_type": case_type, "taxonomy": intake_taxonomy(case_type),
        "participant_names": f"TESTCASE, PAT{_letters(n)}",
        "masshealth_id": f"{900000100000 + n:012d}",
        # 9xx: never issued, nobody's; the serial (last four) never 0000 (rules.ssn_refusal).
        "ssn": f"9005{n // 9999 % 10}{n % 9999 + 1:04d}",
        "requested_plan": Plan.objects.get(provider_id="130000001A"),
        "today": TODAY, "now": NOW,
    }
    if case_type == CaseType.FOR_CAUSE:
        kwargs["for_cause_reason"] = ForCauseReason.HOMELESS
    if case_type == CaseType.ANGELA_MELODY:
        kwargs["provider_termination"] = current_termination()
    return kwargs | overrides


WELLSENSE = "130000002A"


def intake_post(case_type: str, **fields) -> dict:
    """Return the intake page's post of a valid *case_type* case, with *fields* changed."""
    taxonomy = intake_taxonomy(case_type)
    data = {"participant_names": "DOE-EXAMPLE, SAM; DOE-EXAMPLE, KIT",
            "masshealth_id": "900000000555", "ssn": "900-55-1234", "requested_plan": WELLSENSE,
            "current_mco_auto_assigned": "no", "consumer_issues_resolved": "no",
            "supervisor_requested": "yes"}
    data |= {f: taxonomy[f].pk for f in TAXONOMY_FIELDS}
    return data | fields


# The 1-based columns of the State Monitor's sheet a monitor fills in.
RESULT, DATE, REASON = (MONITOR_HEADERS.index(h) + 1 for h in (
    MONITOR_RESULT, MONITOR_DATE, MONITOR_REASON))


def monitor_sheet(client) -> Workbook:
    """Return the State Monitor's sheet as the monitor queue page exports it."""
    response = client.get(reverse("crm_tracker:monitor_export", args=["xlsx"]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def sheet_upload(client, book: Workbook):
    """Post *book* to the monitor queue's import; return the response."""
    out = io.BytesIO()
    book.save(out)
    sheet = SimpleUploadedFile("updated.xlsx", out.getvalue())
    return client.post(reverse("crm_tracker:monitor_import"), {"sheet": sheet})


def row_of(sheet, case: Case) -> int:
    """Return the sheet row of *case*."""
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value == case.number:
            return row
    raise AssertionError(case.number)
