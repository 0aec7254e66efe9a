"""Issue 12 §2 in Chromium: Member Search takes IDs as a clerk types or pastes them.

Typed key by key (``press_sequentially``), so the browser applies the inputs' maxlength as
it does for a clerk: before the fix " 100000000173" lost its last digit and 13 digits were
cut to 12 without a word.
"""

from playwright.sync_api import expect

from enrollment.models import EnrollmentTransaction
from tests.browser.pages import (
    SCO_ENROLLED,
    Walk,
    button,
    click,
    demo_check,
    field,
    log_in,
    open_search,
)


def test_ids_typed_with_spaces_lower_case_or_too_long(page):
    member = SCO_ENROLLED[0]  # FAUXLEY ALMA, enrolled with CCA SCO
    demo_check(member)
    walk = Walk(page, "id_input")
    log_in(walk, "cca.sco")
    open_search(walk, "SCO")

    # Thirteen digits: the field's own message, never NO_MATCH for a 12-digit cut.
    field(page, "Member ID").press_sequentially(member.member_id + "7")
    field(page, "Last Name").fill(member.last_name)
    field(page, "First Name").fill(member.first_name)
    click(button(page, "Search"))
    walk.panel("thirteen_digits", "Member Search")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter a 12-digit Member ID.")
    expect(summary).not_to_contain_text("NO_MATCH")
    expect(field(page, "Member ID")).to_have_value(member.member_id + "7")

    # A pasted ID with a space before it, and the Provider ID typed in lower case.
    field(page, "Provider ID").fill("")
    field(page, "Provider ID").press_sequentially(member.provider_id.lower())
    field(page, "Member ID").fill("")
    field(page, "Member ID").press_sequentially(" " + member.member_id)
    expect(field(page, "Member ID")).to_have_value(" " + member.member_id)
    click(button(page, "Search"))
    walk.panel("disenrollment", "Disenrollment")
    expect(page.locator("dl.summary")).to_contain_text(member.member_id)
    assert not EnrollmentTransaction.objects.exists()
