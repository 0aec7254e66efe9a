"""The MCO Manual Tracker (seed 003) walked in Chromium by its four demo roles, intake to closed.

The three paths of issue 4's acceptance, each a test and a folder of screenshots:
intake → QC report → vetting true → State Monitor processed (``tracker_true_processed``);
intake → vetting false → Supervisor 1st attempt → max attempts (``tracker_false_outreach``);
intake → true → not processed → QC → outreach (``tracker_not_processed``). Each role works in
its own browser context, logged in the first time the walk needs it. Every control is found
by its visible label; every page is screenshot under test-artifacts/tracker_<path>/ and
checked with axe-core. At each step the case page must show the Status, Owner and
Disposition the seed's taxonomy sets, and its history table must grow.
"""

import csv
import datetime
import io
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from crm_tracker.demo import DEMO_TRACKER_CASES
from crm_tracker.models import Case
from crm_tracker.spreadsheets import MONITOR_DATE, MONITOR_HEADERS, MONITOR_RESULT
from posc import clock
from tests.browser.pages import Walk, button, click, field, heading, log_in, sideways_overflow

REPORT_TITLE = "MCO Manual Tracker CRM Replacement for Excel Tracker"  # seed 003
DEMO_MONITOR_CASE = "900000000102"  # crm_tracker/demo.py: the demo case waiting for MMIS


@dataclass(frozen=True)
class Taxonomy:
    """What the case page shows after a step: seed 003's values, "auto-gen. in system"."""

    sub_category: str
    disposition: str
    status: str
    owner: str
    waiting_in: str


# Seed 003, "CSR Salesforce CRM", "True"/"False" Tracker Case and Supervisor/Team Lead.
# "Waiting in" is the portal's hand-on queue (fixtures/crm_taxonomy.json); "—" is none.
CSR_INTAKE = Taxonomy("NA", "Plan Selected in Error", "Escalated", "MHBE CRM Escalations",
                      "MCO Tracker QC")
QC_TRUE = Taxonomy("Unable to Plan Shop", "Plan Selection Corrected", "Closed (closed)",
                   "MHBE CRM Unassigned", "State Monitor")
MMIS_PROCESSED = Taxonomy("Unable to Plan Shop", "Plan Selection Corrected", "Closed (closed)",
                          "MHBE CRM Unassigned", "—")
MMIS_NOT_PROCESSED = Taxonomy("Unable to Plan Shop", "Plan Selection Corrected",
                              "Closed (closed)", "MHBE CRM Unassigned", "MCO Tracker QC")
QC_FALSE = Taxonomy("Unable to Plan Shop", "Outreach Required", "Closed (closed)",
                    "MHBE CRM Unassigned", "Supervisor Outreach")
OUTREACH_FIRST = Taxonomy("Unable to Plan Shop", "Outreach 1st Attempt", "Escalated",
                          "MHBE CRM Unassigned", "Supervisor Outreach")
OUTREACH_MAX = Taxonomy("Unable to Plan Shop", "Outreach Max Attempts", "Closed (closed)",
                        "MHBE CRM Unassigned", "—")


@dataclass(frozen=True)
class Intake:
    """One consumer's call, as the CSR types it (invented names, 900- SSNs never issued)."""

    case_type: str  # the link on New Case
    names: str
    masshealth_id: str
    ssn: str
    request_label: str  # the type's MCO select (crm_tracker/forms.py REQUEST_LABELS)
    mco: str
    subject: str
    for_cause_reason: str = ""
    auto_assigned_days_ago: int | None = None  # None: not auto-assigned
    supervisor_requested: bool = False

    @property
    def ssn_masked(self) -> str:
        return f"***-**-{self.ssn[-4:]}"

    @property
    def documentation(self) -> str:
        """The seed's CRM documentation template, filled in, the SSN masked."""
        parts = [self.names, self.for_cause_reason, self.masshealth_id, self.ssn_masked,
                 self.mco.rpartition(" (")[0]]
        return "/".join(p for p in parts if p)


MCT_SPAN = Intake("MCT Span", "TESTER, ROBIN", "900000000201", "900-21-0201", "Requested MCO",
                  "Tufts Health Together (130000001A)", "MCT Span", auto_assigned_days_ago=200)
INCORRECT_SELECTION = Intake("Incorrect Selection", "SAMPLEWOOD, JESSE", "900000000202",
                             "900-21-0202", "Correct MCO Choice",
                             "WellSense Essential MCO (130000002A)", "Incorrect Selection",
                             supervisor_requested=True)
FOR_CAUSE = Intake("For Cause Reason", "DEMOVILLE, AVERY; DEMOVILLE, QUINN", "900000000203",
                   "900-21-0203", "New MCO", "Tufts Health Together (130000001A)",
                   "For Cause Reason – Homeless Consumer", for_cause_reason="Homeless Consumer")


def mmddyyyy(day: datetime.date) -> str:
    return day.strftime("%m/%d/%Y")


def today() -> datetime.date:
    return clock.today()  # the portal's today (America/New_York), as its pages read it


class Desks:
    """One browser context per demo role; each logs in the first time a walk sits at it.

    A path's Walk starts without a page (``Walk(None, name)``) and follows the case from
    desk to desk, so that its screenshots stay in one numbered folder.
    """

    def __init__(self, browser: Browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.pages: dict[str, Page] = {}

    def sit(self, walk: Walk, role: str) -> Page:
        """Point *walk* at *role*'s page (logging in, screenshot in *walk*, the first time)."""
        if role not in self.pages:
            context = self.browser.new_context(base_url=self.base_url, locale="en-US",
                                               timezone_id="America/New_York",
                                               viewport={"width": 1280, "height": 800},
                                               accept_downloads=True)
            context.set_default_timeout(10_000)
            self.contexts.append(context)
            walk.page = context.new_page()
            log_in(walk, role)
            self.pages[role] = walk.page
        walk.page = self.pages[role]
        return walk.page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def desks(browser, live_server, demo_data):
    """The demo roles' browser contexts against the seeded live server."""
    desks = Desks(browser, live_server.url)
    yield desks
    desks.close()


def summary(page: Page) -> dict[str, str]:
    """Return the case summary on the page as {term: value}, read in one round trip."""
    return dict(page.locator("dl.summary").first.evaluate(
        "dl => Array.from(dl.querySelectorAll('dt'), dt => "
        "[dt.innerText.trim(), dt.nextElementSibling.innerText.trim()])"))


def table_cells(page: Page, caption: str) -> list[list[str]]:
    """Return the body cells of the table named *caption*, row by row, in one round trip."""
    return page.get_by_role("table", name=caption, exact=True).evaluate(
        "t => Array.from(t.tBodies[0].rows, r => Array.from(r.cells, c => c.innerText.trim()))")


HISTORY = "Every change of this case, oldest first"


def assert_no_full_ssn(page: Page, intake: Intake) -> None:
    """A list page shows SSNs by their last four digits only: the walk's and the demo cases'."""
    text = page.get_by_role("main").inner_text()
    digits = {intake.ssn.replace("-", "")} | {demo.ssn for demo in DEMO_TRACKER_CASES}
    for ssn in digits:
        full = f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}"
        assert ssn not in text and full not in text, f"a full SSN ({full}) is shown on {page.url}"


SEED_TERMS = ("Case Record Type", "Category", "Sub-Category", "Disposition",
              "Child Disposition", "Status", "Owner", "Waiting in")


def check_case(walk: Walk, step: str, number: str, taxonomy: Taxonomy, *, history: int,
               changed_by: str, change: tuple[str, str] | None = None) -> int:
    """The case page after a step: the seed's taxonomy, and new history rows by *changed_by*.

    *change* is a (field, new value) row that must be among the new ones; by default the
    Disposition row. Return the number of history rows now shown.
    """
    page = walk.page
    walk.panel(step, f"Case {number}")
    shown = summary(page)
    assert {term: shown[term] for term in SEED_TERMS} == {
        "Case Record Type": "Medicaid", "Category": "MCO Plan Shopping",
        "Sub-Category": taxonomy.sub_category, "Disposition": taxonomy.disposition,
        "Child Disposition": "NA", "Status": taxonomy.status, "Owner": taxonomy.owner,
        "Waiting in": taxonomy.waiting_in}, f"case {number} at {step}"
    # Columns: Date, Field, Old Value, New Value, Changed By, Reason; oldest first.
    cells = table_cells(page, HISTORY)
    assert len(cells) > history, f"the history of case {number} did not grow at {step}"
    new = cells[history:]
    assert {row[4] for row in new} == {changed_by}, new
    field_name, value = change or ("Disposition", taxonomy.disposition)
    assert any(row[1] == field_name and row[3] == value for row in new), (
        f"no history row {field_name} → {value} at {step}: {new}")
    return len(cells)


def open_case(walk: Walk, step: str, number: str) -> None:
    """Click the case's number in the list on the page and check its page."""
    click(walk.page.get_by_role("link", name=number, exact=True))
    walk.panel(step, f"Case {number}")


# --- CSR ------------------------------------------------------------------------------------

def fill_intake(page: Page, intake: Intake, *, auto_assigned_days_ago: int | None) -> None:
    field(page, "Participant Name(s)").fill(intake.names)
    field(page, "MassHealth ID (MA)").fill(intake.masshealth_id)
    field(page, "SSN").fill(intake.ssn)
    if intake.for_cause_reason:
        field(page, "For Cause Reason").select_option(label=intake.for_cause_reason)
    field(page, intake.request_label).select_option(label=intake.mco)
    auto = auto_assigned_days_ago is not None
    field(page, "Was the current MCO auto-assigned?").select_option(label="Yes" if auto else "No")
    start = mmddyyyy(today() - datetime.timedelta(days=auto_assigned_days_ago)) if auto else ""
    field(page, "Current MCO start date (MM/DD/YYYY)").fill(start)
    # Seed 003: an escalated case answers "Were the Consumer's issues resolved? No".
    field(page, "Were the Consumer's issues resolved?").select_option(label="No")
    field(page, "Did the Consumer request a Supervisor?").select_option(
        label="Yes" if intake.supervisor_requested else "No")


INTAKE_TERMS = ("Subject", "CRM documentation", "SSN", "Was the current MCO auto-assigned?",
                "Were the Consumer's issues resolved?", "Did the Consumer request a Supervisor?")


def csr_intake(walk: Walk, desks: Desks, intake: Intake) -> tuple[str, int]:
    """The CSR opens the case: MCO Manual Tracker → New Case → its type → Save Case.

    Return the case number and the number of history rows on its page.
    """
    page = desks.sit(walk, "csr")
    walk.follow("MCO Manual Tracker", "tracker_home")
    walk.follow("New Case", "new_case")
    click(page.get_by_role("main").get_by_role("link", name=intake.case_type, exact=True))
    walk.panel("intake_form", f"New Case: {intake.case_type}")

    if intake.auto_assigned_days_ago is not None:
        # Auto-assigned 30 days ago: HBX's 90 Day Right to Change, not a tracker case.
        fill_intake(page, intake, auto_assigned_days_ago=30)
        click(button(page, "Save Case"))
        walk.panel("intake_refused_right_to_change", f"New Case: {intake.case_type}")
        expect(page.get_by_role("alert")).to_contain_text("90 Day Right to Change Rule")
        assert not Case.objects.filter(masshealth_id=intake.masshealth_id).exists()

    fill_intake(page, intake, auto_assigned_days_ago=intake.auto_assigned_days_ago)
    walk.screenshot("intake_filled")
    click(button(page, "Save Case"))
    case = Case.objects.get(masshealth_id=intake.masshealth_id)
    expect(heading(page, f"Case {case.number}")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        f"Case {case.number} saved: {intake.subject}.")
    history = check_case(walk, "case_opened", case.number, CSR_INTAKE, history=0,
                         changed_by="csr")
    shown = summary(page)
    auto = intake.auto_assigned_days_ago
    assert {term: shown[term] for term in INTAKE_TERMS} == {
        "Subject": intake.subject, "CRM documentation": intake.documentation,
        "SSN": intake.ssn,  # the CSR's own case page: the full SSN, by permission
        "Was the current MCO auto-assigned?":
            f"Yes (since {mmddyyyy(today() - datetime.timedelta(days=auto))})" if auto else "No",
        "Were the Consumer's issues resolved?": "No",
        "Did the Consumer request a Supervisor?":
            "Yes" if intake.supervisor_requested else "No"}
    assert intake.ssn not in str(table_cells(page, HISTORY))

    walk.follow("Cases", "cases")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=case.number))
    expect(row).to_contain_text(intake.ssn_masked)
    assert_no_full_ssn(page, intake)
    return case.number, history


# --- QC Team Lead ---------------------------------------------------------------------------

def qc_report(walk: Walk, desks: Desks, intake: Intake, number: str) -> None:
    """The QC report filtered to the case's type, day and CSR; its xlsx and csv exports."""
    page = desks.sit(walk, "qc")
    walk.follow("QC Report", "qc_report", REPORT_TITLE)
    field(page, "Case Type").select_option(label=intake.case_type)
    field(page, "Created from (MM/DD/YYYY)").fill(mmddyyyy(today()))
    field(page, "Created to (MM/DD/YYYY)").fill(mmddyyyy(today()))
    field(page, "CSR").select_option(label="csr")
    walk.screenshot("qc_report_filters")
    click(button(page, "Apply Filters"))
    walk.panel("qc_report_filtered", REPORT_TITLE)
    # The 12-column table scrolls in its own region; the page itself does not.
    assert sideways_overflow(page) <= 0, "the QC Report scrolls sideways"
    # Columns: Case Number, Case Type, Subject, Participant Name(s), MassHealth ID (MA), SSN,
    # Disposition, Status, Owner, Waiting in, CSR, Created.
    cases = table_cells(page, "Cases of the QC report")
    listed = len(cases)
    assert [row[5] for row in cases if row[0] == number] == [intake.ssn_masked]
    # The filters hold: every row is of this type, by this CSR, opened today.
    assert {(row[1], row[10], row[11]) for row in cases} == {
        (intake.case_type, "csr", mmddyyyy(today()))}
    per_type = dict(table_cells(page, "Number of cases per case type (filters applied)"))
    assert per_type.pop("Total") == per_type.pop(intake.case_type) == str(listed)
    assert set(per_type.values()) == {"0"}, per_type  # the other three types
    assert_no_full_ssn(page, intake)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export to Excel (xlsx)", exact=True).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == listed
    mine = [r for r in body if r[header.index("Case Number")] == number]
    assert mine and mine[0][header.index("SSN")] == intake.ssn_masked
    assert {r[header.index("Case Type")] for r in body} == {intake.case_type}
    counts_sheet = dict(list(book.worksheets[1].iter_rows(values_only=True))[1:])
    assert counts_sheet[intake.case_type] == listed
    cells = " ".join(str(c) for r in rows for c in r)
    assert intake.ssn not in cells and intake.ssn.replace("-", "") not in cells

    with page.expect_download() as download:
        page.get_by_role("link", name="Export to CSV", exact=True).click()
    assert download.value.suggested_filename.endswith(".csv")
    text = download.value.path().read_text(encoding="utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [r["SSN"] for r in table if r["Case Number"] == number] == [intake.ssn_masked]
    assert len(table) == listed
    assert intake.ssn not in text and intake.ssn.replace("-", "") not in text


def qc_vet(walk: Walk, desks: Desks, intake: Intake, number: str, *, true_case: bool,
           history: int, after: Taxonomy, reason: str, not_processed: bool = False) -> int:
    """QC Queue → the case → QC Vetting → True or False with a Reason → Save Vetting.

    A case the State Monitor did not process comes back *not_processed*: then only False
    is offered (seed 003: it goes to the Supervisor for outreach).
    """
    page = desks.sit(walk, "qc")
    walk.follow("QC Queue", "qc_queue")
    assert_no_full_ssn(page, intake)
    open_case(walk, "qc_case", number)
    assert summary(page)["SSN"] == intake.ssn  # QC may see it in full
    click(page.get_by_role("link", name="QC Vetting", exact=True))
    walk.panel("qc_vetting", "QC Vetting")
    result = field(page, "Vetting result")
    if not_processed:
        expect(result.locator("option")).to_have_text(["False tracker case"])
    result.select_option(label="True tracker case" if true_case else "False tracker case")
    field(page, "Reason").fill(reason)
    click(button(page, "Save Vetting"))
    history = check_case(walk, "case_vetted", number, after, history=history, changed_by="qc")
    expect(page.get_by_role("status")).to_contain_text(f"now waiting in {after.waiting_in}")
    assert summary(page)["QC vetting"] == (
        f"{'True' if true_case else 'False'} tracker case: {reason}")
    expect(page.get_by_role("link", name="QC Vetting", exact=True)).to_have_count(0)
    return history


# --- State Monitor --------------------------------------------------------------------------

def monitor_result(walk: Walk, desks: Desks, intake: Intake, number: str, *, history: int,
                   processed: bool) -> int:
    """State Monitor Queue → the case → MMIS Processing → MMIS Result → Save MMIS Result."""
    page = desks.sit(walk, "monitor")
    walk.follow("State Monitor Queue", "monitor_queue")
    assert_no_full_ssn(page, intake)
    open_case(walk, "monitor_case", number)
    click(page.get_by_role("link", name="MMIS Processing", exact=True))
    walk.panel("mmis_processing", "MMIS Processing")
    if processed:
        field(page, "MMIS Result").select_option(label="Processed")
        field(page, "Date processed in MMIS (MM/DD/YYYY)").fill(mmddyyyy(today()))
    else:
        field(page, "MMIS Result").select_option(label="Not Processed")
        field(page, "Reason not processed").fill("MMIS screen 9 shows no open Medicaid span.")
    walk.screenshot("mmis_processing_filled")
    click(button(page, "Save MMIS Result"))
    history = check_case(walk, "case_mmis_result", number,
                         MMIS_PROCESSED if processed else MMIS_NOT_PROCESSED,
                         history=history, changed_by="monitor",
                         change=("MMIS result", "Processed" if processed else "Not Processed"))
    assert summary(page)["MMIS result"] == (
        f"Processed on {mmddyyyy(today())}" if processed
        else "Not Processed: MMIS screen 9 shows no open Medicaid span.")
    return history


def monitor_spreadsheet_round(walk: Walk, desks: Desks, number: str, tmp_path) -> None:
    """Download the queue's spreadsheet, fill in one row with openpyxl, import it back.

    A bad sheet first (Processed without a date): refused with the cell named, nothing
    changed. Then the demo case marked Processed; the walk's own case, left empty, stays.
    """
    page = desks.sit(walk, "monitor")
    walk.follow("State Monitor Queue", "monitor_queue_spreadsheet")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download spreadsheet (xlsx)", exact=True).click()
    sheet_path = tmp_path / download.value.suggested_filename
    download.value.save_as(sheet_path)
    assert sheet_path.suffix == ".xlsx"

    demo = Case.objects.get(masshealth_id=DEMO_MONITOR_CASE)

    def filled(name: str, date: datetime.date | None):
        """Return a copy of the sheet with the demo case's row Processed on *date*."""
        book = load_workbook(sheet_path)
        sheet = book.active
        header = [c.value for c in sheet[1]]
        assert header == MONITOR_HEADERS
        numbers = [row[0].value for row in sheet.iter_rows(min_row=2)]
        assert {number, demo.number} <= set(numbers)
        line = numbers.index(demo.number) + 2
        sheet.cell(line, header.index(MONITOR_RESULT) + 1, "Processed")
        date_cell = sheet.cell(line, header.index(MONITOR_DATE) + 1,
                               mmddyyyy(date) if date else None)
        path = tmp_path / name
        book.save(path)
        return path, date_cell.coordinate

    before = demo.history.count()
    bad, cell = filled("bad.xlsx", None)
    field(page, "Updated spreadsheet (.xlsx or .csv)").set_input_files(bad)
    click(button(page, "Import Spreadsheet"))
    walk.panel("spreadsheet_refused", "State Monitor Queue")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was changed")
    row, column = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), cell.rstrip("0123456789")
    expect(alert).to_contain_text(f"Row {row}, column {column} (Date Processed in MMIS): "
                                  "enter the date (MM/DD/YYYY).")
    assert demo.history.count() == before

    good, _ = filled("good.xlsx", today())
    field(page, "Updated spreadsheet (.xlsx or .csv)").set_input_files(good)
    click(button(page, "Import Spreadsheet"))
    walk.panel("spreadsheet_imported", "State Monitor Queue")
    expect(page.get_by_role("status")).to_have_text("Spreadsheet imported: 1 case updated.")
    demo.refresh_from_db()
    assert demo.mmis_result == "PROCESSED" and demo.mmis_processed_on == today()
    queue = page.get_by_role("table", name="True tracker cases, oldest first")
    expect(queue.get_by_role("link", name=demo.number, exact=True)).to_have_count(0)
    expect(queue.get_by_role("link", name=number, exact=True)).to_be_visible()
    assert sideways_overflow(page) <= 0, "the State Monitor Queue scrolls sideways"

    # The same sheet imported again (issue 13 point 12): the row is skipped and reported.
    history = demo.history.count()
    field(page, "Updated spreadsheet (.xlsx or .csv)").set_input_files(good)
    click(button(page, "Import Spreadsheet"))
    walk.panel("spreadsheet_imported_again", "State Monitor Queue")
    expect(page.get_by_role("status")).to_have_text(
        "Spreadsheet imported: 0 cases updated. 1 row already recorded with the same "
        f"values was skipped (case {demo.number}).")
    assert demo.history.count() == history


# --- Supervisor -----------------------------------------------------------------------------

def supervisor_outreach(walk: Walk, desks: Desks, intake: Intake, number: str, *,
                        history: int) -> int:
    """Outreach Queue → the case → Outreach 1st Attempt, then 2nd: Outreach Max Attempts."""
    page = desks.sit(walk, "supervisor")
    walk.follow("Outreach Queue", "outreach_queue")
    assert_no_full_ssn(page, intake)
    open_case(walk, "outreach_case", number)
    # The Supervisor has no view_full_ssn: the case page too shows the last four digits.
    assert summary(page)["SSN"] == intake.ssn_masked
    # Two outcomes, each with the contact used (issue 13 point 14).
    outcomes = (("1st", OUTREACH_FIRST, "No answer", "(617) 555-0142"),
                ("2nd", OUTREACH_MAX, "Left a message", "(617) 555-0199, the work number"))
    for attempt, after, outcome, contact in outcomes:
        click(page.get_by_role("link", name=f"Outreach {attempt} Attempt", exact=True))
        walk.panel(f"outreach_{attempt}_attempt", f"Outreach {attempt} Attempt")
        assert sideways_overflow(page) <= 0, "the outreach page scrolls sideways"
        field(page, "Outcome").select_option(label=outcome)
        field(page, "Contact used (phone number or other)").fill(contact)
        field(page, "Outreach documentation").fill(
            f"{attempt} attempt: called the consumer's number on file; left a voicemail.")
        click(button(page, "Record Outreach Attempt"))
        history = check_case(walk, f"case_outreach_{attempt}", number, after,
                             history=history, changed_by="supervisor")
        expect(page.get_by_role("status")).to_contain_text(f"{after.disposition} recorded.")
        assert summary(page)[f"Outreach {attempt} Attempt"].startswith(f"{attempt} attempt:")
        assert summary(page)[f"Outreach {attempt} Attempt outcome"] == (
            f"{outcome}, contact used: {contact}")
    expect(page.get_by_role("heading", name="Next step")).to_have_count(0)
    # The step page, reached again (a bookmark, the back button), shows what was done.
    page.goto(f"{page.url.rstrip('/')}/outreach/")
    walk.panel("outreach_done", "Outreach")
    expect(page.locator("#step-closed")).to_contain_text(
        "Outreach attempts: 2, recorded by supervisor on")
    expect(page.get_by_role("button", name="Record Outreach Attempt")).to_have_count(0)
    walk.follow("Supervisor Requested", "supervisor_requested")
    expect(page.get_by_role("link", name=number, exact=True)).to_have_count(
        1 if intake.supervisor_requested else 0)
    assert sideways_overflow(page) <= 0, "the Supervisor Requested list scrolls sideways"
    walk.follow("Outreach Queue", "outreach_queue_after")
    expect(page.get_by_role("link", name=number, exact=True)).to_have_count(0)
    return history


# --- The three paths of issue 4's acceptance ------------------------------------------------

def test_true_case_processed_in_mmis(desks, tmp_path):
    """Intake → QC report → vetting true → State Monitor processed (and the spreadsheet)."""
    walk = Walk(None, "tracker_true_processed")
    number, history = csr_intake(walk, desks, MCT_SPAN)
    qc_report(walk, desks, MCT_SPAN, number)
    history = qc_vet(walk, desks, MCT_SPAN, number, true_case=True, history=history,
                     after=QC_TRUE, reason="MMIS shows no MCT span; the request is valid.")
    monitor_spreadsheet_round(walk, desks, number, tmp_path)
    monitor_result(walk, desks, MCT_SPAN, number, history=history, processed=True)
    case = Case.objects.get(masshealth_id=MCT_SPAN.masshealth_id)
    assert case.status.is_closed and case.work_queue is None


def test_false_case_closed_after_two_outreach_attempts(desks):
    """Intake → vetting false → Supervisor 1st attempt → max attempts."""
    walk = Walk(None, "tracker_false_outreach")
    number, history = csr_intake(walk, desks, INCORRECT_SELECTION)
    history = qc_vet(walk, desks, INCORRECT_SELECTION, number, true_case=False,
                     history=history, after=QC_FALSE,
                     reason="The consumer chose this MCO on the call recording.")
    supervisor_outreach(walk, desks, INCORRECT_SELECTION, number, history=history)
    case = Case.objects.get(masshealth_id=INCORRECT_SELECTION.masshealth_id)
    assert case.status.is_closed and case.work_queue is None and case.outreach_attempts == 2


def test_not_processed_case_relabelled_for_outreach(desks):
    """Intake → vetting true → not processed → QC relabels → Supervisor outreach to closed."""
    walk = Walk(None, "tracker_not_processed")
    number, history = csr_intake(walk, desks, FOR_CAUSE)
    history = qc_vet(walk, desks, FOR_CAUSE, number, true_case=True, history=history,
                     after=QC_TRUE, reason="Homeless consumer; HBX refused the change.")
    history = monitor_result(walk, desks, FOR_CAUSE, number, history=history, processed=False)
    history = qc_vet(walk, desks, FOR_CAUSE, number, true_case=False, history=history,
                     after=QC_FALSE, not_processed=True,
                     reason="Not processed by the State Monitor: Supervisor outreach.")
    supervisor_outreach(walk, desks, FOR_CAUSE, number, history=history)
    case = Case.objects.get(masshealth_id=FOR_CAUSE.masshealth_id)
    assert case.mmis_result == "NOT_PROCESSED" and case.status.is_closed
