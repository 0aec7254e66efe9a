"""Issue 12 §1 in Chromium: two tabs (pages) of one browser context, each on its own member.

The repro: cca.sco, tab A searches FAUXLEY ALMA and opens the Disenrollment panel; tab B
searches MOCKFORD ALMA; tab A submits "Member deceased". Before the fix MOCKFORD was
disenrolled. The members are seed_demo's fillers (posc/members/demo.py), named as in the
issue; each test first checks that the demo data still has them.
"""


import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from enrollment.forms import CERTIFY_LABEL
from enrollment.models import DisenrollmentReason, EnrollmentTransaction
from posc.members.demo import CCA_ONE_CARE, CCA_SCO, DEMO_PASSWORD
from posc.members.models import EnrollmentSpan, ProviderLink
from posc.roles import PROVIDER_STAFF
from tests.browser.pages import (
    ACCOUNTS,
    OC_ELIGIBLE,
    OC_ENROLLED,
    SCO_ELIGIBLE,
    SCO_ENROLLED,
    Searched,
    Walk,
    button,
    click,
    demo_check,
    field,
    log_in,
    open_search,
)


def second_tab(page: Page, name: str) -> Walk:
    """Open another tab (page) in *page*'s browser context: the same session cookie."""
    other = page.context.new_page()
    other.goto("/")
    return Walk(other, name)


def search(walk: Walk, member: Searched, step: str) -> None:
    """Type *member* into this tab's Member Search panel and click Search."""
    page = walk.page
    field(page, "Member ID").fill(member.member_id)
    field(page, "Last Name").fill(member.last_name)
    field(page, "First Name").fill(member.first_name)
    click(button(page, "Search"))
    walk.screenshot(step)


def to_disenrollment(walk: Walk, member: Searched) -> None:
    search(walk, member, f"searched_{member.last_name.lower()}")
    walk.panel(f"disenrollment_{member.last_name.lower()}", "Disenrollment")
    expect(walk.page.locator("dl.summary")).to_contain_text(member.member_id)


def to_certification(walk: Walk, member: Searched) -> None:
    search(walk, member, f"searched_{member.last_name.lower()}")
    walk.panel(f"verification_{member.last_name.lower()}", "Verification")
    click(button(walk.page, "Confirm"))
    walk.panel(f"certification_{member.last_name.lower()}", "Certification")
    expect(walk.page.locator("dl.summary")).to_contain_text(member.member_id)


def disenroll_submit(walk: Walk, reason: DisenrollmentReason) -> None:
    field(walk.page, "Disenrollment Reason").select_option(label=reason.label)
    click(button(walk.page, "Submit"))


def certify_submit(walk: Walk) -> None:
    field(walk.page, CERTIFY_LABEL).check()
    click(button(walk.page, "Submit"))


def transactions(member: Searched) -> list[tuple[str, str, str]]:
    return list(EnrollmentTransaction.objects.filter(member_id=member.member_id)
                .order_by("pk").values_list("kind", "status", "reason"))


@pytest.mark.parametrize("members", [SCO_ENROLLED, OC_ENROLLED], ids=["sco", "one_care"])
def test_disenrollment_submit_acts_on_its_own_tabs_member(page, members):
    """The issue's repro, in two tabs: tab A's Submit disenrolls tab A's member only."""
    first, second = members
    demo_check(first, second)
    tab_a = Walk(page, f"tabs_disenroll_{first.program.lower()}_a")
    log_in(tab_a, ACCOUNTS[first.program])
    open_search(tab_a, first.program)
    to_disenrollment(tab_a, first)

    tab_b = second_tab(page, f"tabs_disenroll_{first.program.lower()}_b")
    open_search(tab_b, first.program)
    to_disenrollment(tab_b, second)

    disenroll_submit(tab_a, DisenrollmentReason.DEATH)
    tab_a.panel("confirmation", "Disenrollment Confirmation")
    expect(tab_a.page.locator("dl.summary")).to_contain_text(first.member_id)
    assert transactions(first) == [("DISENROLL", "ACCEPTED", "DEATH")]
    assert transactions(second) == []

    disenroll_submit(tab_b, DisenrollmentReason.MBR_REQ)
    tab_b.panel("confirmation", "Disenrollment Confirmation")
    assert transactions(second) == [("DISENROLL", "ACCEPTED", "MBR_REQ")]


@pytest.mark.parametrize("members", [SCO_ELIGIBLE, OC_ELIGIBLE], ids=["sco", "one_care"])
def test_certification_submit_acts_on_its_own_tabs_member(page, members):
    """Tab A certifies PEARL DEMOWITZ after tab B reached another member's Certification."""
    first, second = members
    demo_check(first, second)
    tab_a = Walk(page, f"tabs_enroll_{first.program.lower()}_a")
    log_in(tab_a, ACCOUNTS[first.program])
    open_search(tab_a, first.program)
    to_certification(tab_a, first)

    tab_b = second_tab(page, f"tabs_enroll_{first.program.lower()}_b")
    open_search(tab_b, first.program)
    to_certification(tab_b, second)

    certify_submit(tab_a)
    tab_a.panel("confirmation", "Confirmation")
    assert transactions(first) == [("ENROLL", "ACCEPTED", "")]
    assert transactions(second) == []
    assert not EnrollmentSpan.objects.filter(member_id=second.member_id).exists()

    certify_submit(tab_b)
    tab_b.panel("confirmation", "Confirmation")
    assert transactions(second) == [("ENROLL", "ACCEPTED", "")]


def test_two_tabs_on_one_member_second_submit_is_duplicate(page):
    """Both tabs disenroll FAUXLEY: the second Submit shows DUPLICATE and the end date."""
    member = SCO_ENROLLED[0]
    demo_check(member)
    tab_a = Walk(page, "tabs_duplicate_a")
    log_in(tab_a, "cca.sco")
    open_search(tab_a, "SCO")
    to_disenrollment(tab_a, member)
    tab_b = second_tab(page, "tabs_duplicate_b")
    open_search(tab_b, "SCO")
    to_disenrollment(tab_b, member)

    disenroll_submit(tab_a, DisenrollmentReason.DEATH)
    tab_a.panel("confirmation", "Disenrollment Confirmation")
    end = EnrollmentTransaction.objects.get().effective_date
    disenroll_submit(tab_b, DisenrollmentReason.MBR_REQ)
    tab_b.panel("duplicate", "Disenrollment")
    summary = tab_b.page.get_by_role("alert")
    expect(summary).to_contain_text("DUPLICATE")
    expect(summary).to_contain_text(end.strftime("%m/%d/%Y"))
    assert [t[:2] for t in transactions(member)] == [("DISENROLL", "ACCEPTED"),
                                                     ("DISENROLL", "REJECTED")]


def test_sco_and_one_care_flows_interleaved(page):
    """A clerk of both programs: SCO, One Care and SCO tabs, submitted out of order."""
    user = get_user_model().objects.create_user("cca.both", "cca.both@posc.example",
                                                DEMO_PASSWORD)
    user.groups.add(Group.objects.get(name=PROVIDER_STAFF))
    for provider_id in (CCA_SCO, CCA_ONE_CARE):
        ProviderLink.objects.create(user=user, provider_id=provider_id)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    sco_a, sco_b = SCO_ENROLLED
    oc = OC_ELIGIBLE[0]
    demo_check(sco_a, sco_b, oc)

    tab_1 = Walk(page, "tabs_interleaved_1")
    log_in(tab_1, "cca.both")
    open_search(tab_1, "SCO")
    to_disenrollment(tab_1, sco_a)
    tab_2 = second_tab(page, "tabs_interleaved_2")
    open_search(tab_2, "ONE_CARE")
    to_certification(tab_2, oc)
    tab_3 = second_tab(page, "tabs_interleaved_3")
    open_search(tab_3, "SCO")
    to_disenrollment(tab_3, sco_b)

    certify_submit(tab_2)
    tab_2.panel("confirmation", "Confirmation")
    disenroll_submit(tab_1, DisenrollmentReason.DEATH)
    tab_1.panel("confirmation", "Disenrollment Confirmation")
    assert transactions(sco_a) == [("DISENROLL", "ACCEPTED", "DEATH")]
    assert transactions(oc) == [("ENROLL", "ACCEPTED", "")]
    assert transactions(sco_b) == []
    disenroll_submit(tab_3, DisenrollmentReason.MOVED_OOA)
    tab_3.panel("confirmation", "Disenrollment Confirmation")
    assert transactions(sco_b) == [("DISENROLL", "ACCEPTED", "MOVED_OOA")]
