"""The operations dashboard in Chromium (issue 18 §2): each queue role signs in and finds it.

Each of Enrollment Operations, QC Team Lead, Supervisor and State Monitor (the demo accounts
of posc/members/demo.py) signs in with password and code, opens Dashboard from the left
menu, sees its own panels' charts with their tables, and axe finds nothing serious
(pages.Walk.panel). A figure's link opens the list behind it (the tracker's lists are checked
too; the recoupment list is Django's admin, only opened); at 320 CSS pixels the page needs
no sideways scrolling (WCAG 1.4.10).
"""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import Walk, click, log_in, sideways_overflow

# Demo account -> the panel headings it sees, and a figure whose list the walk opens.
ROLES = {
    "ops": (["Enrollment transactions and 834 batches", "Recoupments"],
            "Recoupment requests per status"),
    "qc": (["MCO Manual Tracker: QC"], "Tracker cases per case type and disposition"),
    "supervisor": (["MCO Manual Tracker: Supervisor outreach"],
                   "Your team's outreach: due and overdue"),
    "monitor": (["MCO Manual Tracker: State Monitor queue"], "State Monitor queue by age"),
}


@pytest.mark.parametrize("username", list(ROLES))
def test_each_queue_role_finds_its_dashboard(page, username):
    panels, chart = ROLES[username]
    walk = Walk(page, f"dashboard_{username}")
    log_in(walk, username)
    walk.follow("Dashboard", "dashboard")
    for title in panels:
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    # The chart is an image named by its title; its figures are a table of links.
    expect(page.get_by_role("img", name=chart).first).to_be_visible()
    table = page.get_by_role("table", name=f"{chart} (figures)")
    expect(table).to_be_visible()
    page.set_viewport_size({"width": 320, "height": 640})
    assert sideways_overflow(page) <= 0, "the dashboard scrolls sideways at 320px"
    page.set_viewport_size({"width": 1280, "height": 800})
    first = table.get_by_role("link").first
    href = first.get_attribute("href")
    click(first)
    expect(page).to_have_url(f"{page.url.split('/', 3)[0]}//{page.url.split('/', 3)[2]}{href}")
    if href.startswith("/admin/"):
        walk.screenshot("figure_list")  # Django's admin markup: not the portal's label check
    else:
        walk.panel("figure_list")
