"""SCO enrollment (job aid 001) with the keyboard alone: Tab, Shift+Tab, Enter and Space.

No mouse click and no typed address after the login page: a clerk who cannot use a mouse
must reach every panel, and see where the focus is at every stop (WCAG 2.1.1, 2.4.3, 2.4.7).
"""

from playwright.sync_api import expect

from enrollment.forms import CERTIFY_LABEL
from enrollment.models import EnrollmentTransaction
from posc.members.demo import DEMO_PASSWORD, demo_case
from tests.browser.pages import (
    Walk,
    authenticator_code,
    button,
    field,
    has_focus,
    heading,
    menu_link,
    tab_to,
)


def activate(page, key: str) -> None:
    """Press *key* on the focused link or button and wait for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_sco_enrollment_by_keyboard_alone(page):
    case = demo_case("sco_enroll")
    walk = Walk(page, "sco_enroll_keyboard")
    kb = page.keyboard
    page.goto("/login/")
    expect(heading(page, "Log in")).to_be_visible()

    # The login form puts the focus in Username itself.
    assert has_focus(field(page, "Username")), "the login page should focus Username"
    kb.type(case.account)
    tab_to(page, field(page, "Password"), limit=1)
    kb.type(DEMO_PASSWORD)
    tab_to(page, button(page, "Log in"), limit=1)
    walk.screenshot("login_filled")
    activate(page, "Enter")

    # The second factor (MFA_REQUIRED): the code page puts the focus in its field too.
    expect(heading(page, "Enter your verification code")).to_be_visible()
    assert has_focus(field(page, "Verification code")), "the code page should focus its field"
    kb.type(authenticator_code(case.account))
    tab_to(page, button(page, "Verify"), limit=1)
    walk.screenshot("code_filled")
    activate(page, "Enter")

    # Steps 1–3 through the left menu.
    for title, entry, step in (("Home", "Manage Members", "home_focus_manage_members"),
                               ("Manage Members", "Enrollment", "manage_members_focus_enrollment"),
                               ("Enrollment", "Enroll/Disenroll SCO Members",
                                "enrollment_focus_sco_members")):
        expect(heading(page, title)).to_be_visible()
        tab_to(page, menu_link(page, entry))
        walk.screenshot(step)
        activate(page, "Enter")

    # Steps 4–8: the fields come in the order of ui.md, forwards and backwards.
    # The first Tab reaches the skip link, which shows itself and jumps to the panel.
    expect(heading(page, "Member Search")).to_be_visible()
    skip = page.get_by_role("link", name="Skip to main content", exact=True)
    tab_to(page, skip, limit=1)
    expect(skip).to_be_in_viewport()
    walk.screenshot("member_search_skip_link")
    kb.press("Enter")
    tab_to(page, field(page, "Provider ID"), limit=1)
    expect(field(page, "Provider ID")).to_have_value(case.provider_id)
    tab_to(page, field(page, "Member ID"), limit=1)
    kb.type(case.member_id)
    tab_to(page, field(page, "Last Name"), limit=1)
    kb.type(case.last_name)
    tab_to(page, field(page, "First Name"), limit=1)
    kb.type(case.first_name)
    tab_to(page, field(page, "Last Name"), backwards=True, limit=1)
    tab_to(page, field(page, "Member ID"), backwards=True, limit=1)
    tab_to(page, button(page, "Search"), limit=3)
    walk.screenshot("member_search_focus_search")
    activate(page, "Enter")

    # Steps 9–10: Confirm with Space.
    expect(heading(page, "Verification")).to_be_visible()
    tab_to(page, button(page, "Confirm"))
    walk.screenshot("verification_focus_confirm")
    activate(page, "Space")

    # Steps 11–12: Submit without the checkbox, follow the error to it, tick it with Space.
    expect(heading(page, "Certification")).to_be_visible()
    certify = field(page, CERTIFY_LABEL)
    tab_to(page, certify)
    tab_to(page, button(page, "Submit"), limit=1)
    activate(page, "Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    error_link = page.get_by_role("alert").get_by_role("link")
    tab_to(page, error_link)
    walk.screenshot("certification_focus_error")
    kb.press("Enter")
    assert has_focus(certify), "the error summary's link must move the focus to the checkbox"
    kb.press("Space")
    expect(certify).to_be_checked()
    tab_to(page, button(page, "Submit"), limit=1)
    walk.screenshot("certification_focus_submit")
    activate(page, "Enter")

    # Steps 13–14.
    expect(heading(page, "Confirmation")).to_be_visible()
    expect(page.get_by_text("Enrollment validated by MMIS", exact=True)).to_be_visible()
    assert EnrollmentTransaction.objects.get().member_id == case.member_id
    another = button(page, "Enroll/Disenroll Another Member")
    tab_to(page, another)
    walk.screenshot("confirmation_focus_another")
    activate(page, "Space")
    expect(heading(page, "Member Search")).to_be_visible()
    expect(field(page, "Member ID")).to_have_value("")
    walk.screenshot("member_search_again")
