"""The accessibility checks themselves, and what the walks cannot see at desktop width."""

import pytest

from posc.members.demo import demo_case
from tests.browser.pages import (
    AccessibilityError,
    Walk,
    axe_check,
    button,
    click,
    field,
    focus_ring_check,
    labels_check,
    log_in,
    menu_link,
    sideways_overflow,
)

BAD_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Bad</title>
<style>p { color: #bbb; background: #fff; } input:focus { outline: none; }</style></head>
<body><main><h1>Bad</h1><p>Pale text</p><input id="x" type="text"><select></select></main>
</body></html>"""


@pytest.fixture
def blank_page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_the_checks_catch_what_they_look_for(blank_page):
    """axe, the label check and the focus check each fail on a page made to fail them."""
    blank_page.set_content(BAD_PAGE)
    with pytest.raises(AccessibilityError) as axe_failure:
        axe_check(blank_page)
    assert "color-contrast (serious)" in str(axe_failure.value)
    assert "label (critical)" in str(axe_failure.value)
    with pytest.raises(AccessibilityError, match="without a <label for>"):
        labels_check(blank_page)
    blank_page.locator("#x").focus()
    with pytest.raises(AssertionError, match="no visible focus indicator"):
        focus_ring_check(blank_page)



def test_panels_reflow_at_320_pixels(page):
    """At 320 CSS pixels (400 % zoom) the pages need no sideways scrolling (WCAG 1.4.10)."""
    page.set_viewport_size({"width": 320, "height": 640})
    case = demo_case("sco_disenroll")
    walk = Walk(page, "reflow_320px")
    log_in(walk, case.account)
    assert sideways_overflow(page) <= 0, "Home scrolls sideways at 320px"
    click(menu_link(page, "Enroll/Disenroll SCO Members"))
    for label in ("Member ID", "Last Name", "First Name"):
        field(page, label).fill("")
    click(button(page, "Search"))
    walk.panel("member_search_errors", "Member Search")
    assert sideways_overflow(page) <= 0, "Member Search scrolls sideways at 320px"
    field(page, "Member ID").fill(case.member_id)
    field(page, "Last Name").fill(case.last_name)
    field(page, "First Name").fill(case.first_name)
    click(button(page, "Search"))
    walk.panel("disenrollment", "Disenrollment")
    assert sideways_overflow(page) <= 0, "Disenrollment scrolls sideways at 320px"
