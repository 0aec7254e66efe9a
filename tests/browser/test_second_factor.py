"""The second factor in Chromium: set up an authenticator app, then sign in with a code.

Each page is checked with axe-core and the label check (pages.Walk), and the set-up page,
with its inline SVG QR code, must raise no Content Security Policy violation.
HIPAA 45 CFR 164.312(d); OWASP ASVS 4.0.3 2.7, 2.8.
"""

import re
import textwrap
from base64 import b32encode

from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from posc.members.demo import DEMO_PASSWORD
from tests.browser.pages import RECORD_VIOLATIONS, Walk, button, click, enter_code, field, heading


def sign_in_with_password(walk: Walk, username: str) -> None:
    page = walk.page
    page.goto("/login/")
    field(page, "Username").fill(username)
    field(page, "Password").fill(DEMO_PASSWORD)
    click(button(page, "Log in"))


def test_set_up_an_app_then_sign_in_with_a_recovery_code(page):
    page.add_init_script(RECORD_VIOLATIONS)
    TOTPDevice.objects.filter(user__username="hospital").delete()  # never set up
    walk = Walk(page, "second_factor_set_up")
    sign_in_with_password(walk, "hospital")

    walk.panel("set_up", "Set up two-step verification")
    qr = page.get_by_role("img", name="QR code to scan with your authenticator app")
    expect(qr).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
    device = TOTPDevice.objects.get(user__username="hospital", confirmed=False)
    # The key shown for typing is the device's.
    expect(page.locator("#setup-key")).to_have_text(
        " ".join(textwrap.wrap(b32encode(device.bin_key).decode(), 4)))

    field(page, "Verification code").fill("12")
    click(button(page, "Confirm"))
    walk.panel("set_up_wrong_code", "Set up two-step verification")
    expect(page.get_by_role("alert")).to_contain_text("That code is not correct.")
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    field(page, "Verification code").fill(f"{totp(device.bin_key):06d}")
    click(button(page, "Confirm"))
    walk.panel("recovery_codes", "Your recovery codes")
    codes = page.locator("ul.recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    click(page.get_by_role("link", name="Continue", exact=True))
    walk.panel("home", "Home")

    # Signed out and in again: a recovery code instead of the app's code, once.
    click(button(page, "Log out"))
    sign_in_with_password(walk, "hospital")
    walk.panel("verification_code", "Enter your verification code")
    field(page, "Verification code").fill(codes[0])
    click(button(page, "Verify"))
    walk.panel("home_by_recovery_code", "Home")
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    assert page.evaluate("window.__cspViolations") == []


def test_a_wrong_code_is_named_and_the_right_one_lets_in(page):
    walk = Walk(page, "second_factor_wrong_code")
    sign_in_with_password(walk, "ops")
    walk.panel("verification_code", "Enter your verification code")
    field(page, "Verification code").fill("not a code")
    click(button(page, "Verify"))
    walk.panel("verification_code_wrong", "Enter your verification code")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("That code is not correct.")
    expect(field(page, "Verification code")).to_have_attribute("aria-invalid", "true")
    # The admin opens only after the code.
    page.goto("/admin/")
    expect(heading(page, "Enter your verification code")).to_be_visible()
    enter_code(walk, "ops")
    expect(page).to_have_url(re.compile(r"/admin/$"))
