"""QC's day in Chromium (issue 13, points 9–11), and the CSR's dependent picklists (point 10).

QC opens the report's "Waiting for QC" view, sees the case the State Monitor returned marked
in the QC Queue, relabels it on its QC Vetting page (its details and history on that page),
then vets every other case with one bulk vetting, after a first try that is refused whole.
The report and the queue end empty. Every control is found by its visible label, every
page is screenshot under test-artifacts/<walk>/ and checked with axe; the 12-column tables
show every column (no scrolling inside them) at 1280 px and 1920 px, and the page never
scrolls sideways at 1280 px.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from crm_tracker.models import (
    TAXONOMY_FIELDS,
    Case,
    CaseStatus,
    CaseType,
    Disposition,
    Queue,
    Step,
    SubCategory,
    TaxonomyCombination,
)
from crm_tracker.services import case_intake, case_mmis_record
from crm_tracker.taxonomy import taxonomy_for_step
from posc import clock
from posc.members.models import Plan
from tests.browser.pages import (
    Walk,
    button,
    click,
    field,
    heading,
    log_in,
    menu_link,
    sideways_overflow,
)

REPORT_TITLE = "MCO Manual Tracker CRM Replacement for Excel Tracker"  # seed 003
RETURNED = "Returned by the State Monitor"
DEMO_MONITOR_CASE = "900000000102"  # crm_tracker/demo.py: the demo case waiting for MMIS
WAITING_CAPTION = "Cases of the QC report waiting for QC"
QUEUE_CAPTION = "Cases waiting for QC vetting"

# Long values, so that the case tables are tested with what wraps worst.
LONG_CASES = (
    ("DEMOVILLE-HARRINGTON, ALEXANDRIA; DEMOVILLE-HARRINGTON, MAXIMILIAN", "900000000301",
     CaseType.FOR_CAUSE, "FAMILY_UNIFICATION"),
    ("SAMPLEWOOD-ESPINOZA, JESSAMINE", "900000000302", CaseType.INCORRECT_SELECTION, ""),
)


def _open_long_cases() -> None:
    """The CSR's calls of the day, opened through the service (the walk is QC's)."""
    csr = get_user_model().objects.get(username="csr")
    taxonomy = taxonomy_for_step(step=Step.INTAKE, disposition="Plan Selected in Error")
    now = clock.now()
    for names, member, case_type, reason in LONG_CASES:
        case_intake(actor=csr, case_type=case_type,
                    taxonomy={f: getattr(taxonomy, f) for f in TAXONOMY_FIELDS},
                    participant_names=names, masshealth_id=member, ssn=f"9002{member[-5:]}",
                    requested_plan=Plan.objects.get(provider_id="130000002A"),
                    for_cause_reason=reason, today=clock.today(), now=now)


def _return_the_monitor_case() -> Case:
    """The State Monitor could not process the demo case: it goes back to QC."""
    monitor = get_user_model().objects.get(username="monitor")
    case = Case.objects.get(masshealth_id=DEMO_MONITOR_CASE)
    return case_mmis_record(case=case, processed=False, processed_on=None,
                            reason="MMIS screen 9 shows no open Medicaid span.", actor=monitor,
                            today=clock.today(), now=clock.now())


def table_cells(page: Page, caption: str) -> list[list[str]]:
    """Return the body cells of the table named *caption*, row by row."""
    return page.get_by_role("table", name=caption, exact=True).evaluate(
        "t => Array.from(t.tBodies[0].rows, r => Array.from(r.cells, c => c.innerText.trim()))")


def assert_tables_fit(page: Page, where: str) -> None:
    """Every column of every case table shows: no table scrolls inside its region."""
    hidden = page.evaluate("""() => Array.from(document.querySelectorAll('.table-scroll'),
        el => el.scrollWidth - el.clientWidth)""")
    assert hidden and max(hidden) <= 0, f"a case table is cut off on {where}: {hidden} px"
    if page.viewport_size["width"] <= 1280:
        assert sideways_overflow(page) <= 0, f"{where} scrolls sideways"


def check_widths(walk: Walk, step: str) -> None:
    """The page's case tables fit at 1280 px, then at 1920 px (screenshot and axe at each)."""
    page = walk.page
    assert_tables_fit(page, f"{step} at 1280 px")
    page.set_viewport_size({"width": 1920, "height": 1000})
    walk.panel(f"{step}_1920")
    assert_tables_fit(page, f"{step} at 1920 px")
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.fixture
def qc_page(browser, live_server, demo_data):
    context = browser.new_context(base_url=live_server.url, locale="en-US",
                                  timezone_id="America/New_York",
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_qc_works_its_report_to_empty_with_one_bulk_vetting(qc_page):
    _open_long_cases()
    returned = _return_the_monitor_case()
    waiting = list(Case.objects.filter(work_queue__name="MCO Tracker QC")
                   .order_by("case_number").values_list("case_number", flat=True))
    numbers = [f"{n:08d}" for n in waiting]
    others = [n for n in numbers if n != returned.number]
    assert len(others) >= 3

    walk = Walk(qc_page, "qc_day")
    page = walk.page
    log_in(walk, "qc")

    # The report, "Waiting for QC": every case in the queue, the returned one included.
    walk.follow("QC Report", "qc_report", REPORT_TITLE)
    field(page, "Show").select_option(label="Waiting for QC")
    click(button(page, "Apply Filters"))
    walk.panel("qc_report_waiting", REPORT_TITLE)
    rows = table_cells(page, WAITING_CAPTION)
    assert sorted(row[0] for row in rows) == numbers
    per_type = dict(table_cells(page, "Number of cases per case type (filters applied)"))
    assert per_type["Total"] == str(len(numbers))
    check_widths(walk, "qc_report_waiting")

    # The queue marks the returned case.
    walk.follow("QC Queue", "qc_queue")
    rows = {row[0].split()[-1]: row for row in table_cells(page, QUEUE_CAPTION)}
    assert sorted(rows) == numbers
    assert [n for n, row in rows.items() if RETURNED in row[9]] == [returned.number]
    check_widths(walk, "qc_queue")

    # A first bulk try, the returned case ticked too: refused whole, nothing changed.
    for number in numbers:
        page.get_by_label(f"Select case {number}", exact=True).check()
    field(page, "Vetting result").select_option(label="True tracker case")
    field(page, "Reason").fill("Checked against MMIS screen 9: valid requests.")
    walk.screenshot("bulk_all_ticked")
    click(button(page, "Vet Selected Cases"))
    walk.panel("bulk_refused", "QC Queue")
    expect(page.get_by_role("alert")).to_contain_text(
        f"Case {returned.number}: The State Monitor could not process this case")
    expect(page.get_by_role("alert")).to_contain_text("No case was vetted.")
    assert Case.objects.filter(work_queue__name="MCO Tracker QC").count() == len(numbers)

    # The returned case on its own: QC Vetting shows its details and history.
    click(page.get_by_role("link", name=returned.number, exact=True))
    walk.panel("returned_case", f"Case {returned.number}")
    click(page.get_by_role("link", name="QC Vetting", exact=True))
    walk.panel("returned_case_vetting", "QC Vetting")
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"{RETURNED}: Not Processed – MMIS screen 9 shows no open "
                                 "Medicaid span.")
    expect(main).to_contain_text(returned.participant_names)
    expect(main).to_contain_text(returned.crm_documentation)
    expect(page.get_by_role("table", name="Every change of this case, oldest first")
           ).to_contain_text("Not Processed")
    expect(field(page, "Vetting result").locator("option")).to_have_text(["False tracker case"])
    field(page, "Reason").fill("Not processed by the State Monitor: Supervisor outreach.")
    click(button(page, "Save Vetting"))
    walk.panel("returned_case_vetted", f"Case {returned.number}")

    # One bulk vetting for all the others; the queue ends empty.
    walk.follow("QC Queue", "qc_queue_without_returned")
    expect(page.get_by_text(RETURNED, exact=True)).to_have_count(0)
    for number in others:
        page.get_by_label(f"Select case {number}", exact=True).check()
    field(page, "Vetting result").select_option(label="True tracker case")
    field(page, "Reason").fill("Checked against MMIS screen 9: valid requests.")
    click(button(page, "Vet Selected Cases"))
    walk.panel("bulk_vetted", "QC Queue")
    expect(page.get_by_role("status")).to_have_text(
        f"{len(others)} cases vetted True tracker case: {', '.join(others)}. They now wait "
        "for the State Monitors.")
    expect(page.get_by_role("main").get_by_text("No cases.", exact=True)).to_be_visible()
    for number in others:
        case = Case.objects.get(case_number=int(number))
        assert case.work_queue.name == "State Monitor"
        assert case.history.filter(field="vetting", changed_by__username="qc").count() == 1

    # The report, both views: empty.
    for view in ("Waiting for QC", "Every case of the report"):
        walk.follow("QC Report", "qc_report_after", REPORT_TITLE)
        field(page, "Show").select_option(label=view)
        click(button(page, "Apply Filters"))
        walk.panel("qc_report_empty", REPORT_TITLE)
        per_type = dict(table_cells(page, "Number of cases per case type (filters applied)"))
        assert per_type["Total"] == "0", view
        expect(page.get_by_role("main").get_by_text("No cases.", exact=True)).to_be_visible()


# --- The CSR's dependent picklists ----------------------------------------------------------

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
"""


@pytest.fixture
def second_intake_value(demo_data):
    """A second CSR combination for the non-Angela Melody types, so that choices depend.

    Seed 003 gives those types one combination each; the matrix is data, and the page must
    follow it: Sub-Category "Wrong Plan Shown" goes with Disposition Question Answered only.
    """
    row = TaxonomyCombination.objects.get(step=Step.INTAKE,
                                          disposition__name="Plan Selected in Error")
    return TaxonomyCombination.objects.create(
        record_type=row.record_type, category=row.category,
        sub_category=SubCategory.objects.create(name="Wrong Plan Shown", sort_order=9),
        disposition=Disposition.objects.get(name="Question Answered"),
        child_disposition=row.child_disposition, step=Step.INTAKE,
        status=CaseStatus.objects.get(name="Closed"),
        owner_queue=Queue.objects.get(name="MHBE CRM Escalations"))


def test_the_csr_picks_only_allowed_combinations(page, second_intake_value):
    page.add_init_script(RECORD_VIOLATIONS)
    walk = Walk(page, "intake_picklists")
    log_in(walk, "csr")
    click(menu_link(page, "New Case"))
    click(page.get_by_role("main").get_by_role("link", name="MCT Span", exact=True))
    walk.panel("intake_form", "New Case: MCT Span")
    sub_category, disposition = field(page, "Sub-Category"), field(page, "Disposition")
    expect(sub_category.locator("option")).to_have_text(["NA", "Wrong Plan Shown"])
    # NA is chosen (the seed's combination): its only Disposition is offered, and chosen.
    expect(disposition.locator("option")).to_have_text(["Plan Selected in Error"])
    expect(disposition).to_have_value(str(Disposition.objects.get(
        name="Plan Selected in Error").pk))
    sub_category.select_option(label="Wrong Plan Shown")
    expect(disposition.locator("option")).to_have_text(["Question Answered"])
    expect(disposition).to_have_value(str(second_intake_value.disposition_id))
    walk.screenshot("other_sub_category")
    sub_category.select_option(label="NA")
    expect(disposition.locator("option")).to_have_text(["Plan Selected in Error"])
    # No QC or Supervisor value anywhere on the page.
    for value in ("Plan Selection Corrected", "Outreach Required", "Outreach 1st Attempt",
                  "Unable to Plan Shop"):
        expect(page.get_by_role("option", name=value, exact=True)).to_have_count(0)
    assert page.evaluate("window.__cspViolations") == []
    expect(heading(page, "New Case: MCT Span")).to_be_visible()
