"""Reusable steps for the browser walks: log in, screenshot each panel, check it with axe.

A walk (``Walk(page, "sco_enroll")``) numbers its screenshots under
``test-artifacts/<walk>/`` and runs axe-core and the label check on every page it reaches,
so that the enrollment, recoupment and tracker walks all hold the same bar (ui.md: WCAG 2.1
AA; common.md: every input has a real ``<label for>``).
"""

import json
import re
import shutil
from pathlib import Path
from typing import NamedTuple

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Locator, Page, expect

from posc.members.demo import CCA_ONE_CARE, CCA_SCO, DEMO_PASSWORD
from posc.members.models import Member
from tests.otp import authenticator_code

# Debian's Chromium, never a downloaded one (no `playwright install`).
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
BLOCKING_IMPACTS = ("serious", "critical")

_AXE = Axe()

# Inputs a person fills in; each must be named by a <label for="its id">.
_UNLABELLED_JS = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
  .filter(el => !(el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)))
  .map(el => el.outerHTML)"""

# What the focused element draws to show it has focus (WCAG 2.4.7), and the best contrast
# of those colours against the background around it (WCAG 1.4.11: at least 3:1).
_FOCUS_JS = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = ({r, g, b}) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (x, y) => {
    const [hi, lo] = [lum(x), lum(y)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  let background = {r: 255, g: 255, b: 255, a: 1};
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = parse(getComputedStyle(n).backgroundColor);
    if (c && c.a > 0) { background = c; break; }
  }
  const rings = [];
  if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) {
    rings.push(style.outlineColor);
  }
  if (style.boxShadow && style.boxShadow !== 'none') {
    rings.push(...(style.boxShadow.match(/rgba?\([^)]+\)/g) || []));
  }
  const contrasts = rings.map(parse).filter((c) => c && c.a > 0).map((c) => ratio(c, background));
  return {tag: el.tagName.toLowerCase(), id: el.id,
          text: (el.innerText || el.value || '').trim().slice(0, 60),
          outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
          boxShadow: style.boxShadow, rings: rings,
          contrast: Math.round(Math.max(0, ...contrasts) * 100) / 100};
}"""
FOCUS_CONTRAST = 3.0  # WCAG 1.4.11 non-text contrast


class AccessibilityError(AssertionError):
    """A page has axe violations of impact serious or critical, or an unlabelled input."""


def axe_check(page: Page) -> list[dict]:
    """Run axe-core on *page*; fail on serious or critical violations, return the others."""
    violations = _AXE.run(page, options={"resultTypes": ["violations"]}).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe: {len(blocking)} serious/critical violation(s) on {page.url}"]
        for v in blocking:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
            for node in v["nodes"]:
                summary = " ".join(node.get("failureSummary", "").split())
                lines.append(f"    target {node['target']}: {summary}")
        raise AccessibilityError("\n".join(lines))
    return violations


def labels_check(page: Page) -> None:
    """Fail when an input, select or textarea has no <label for> naming it."""
    unlabelled = page.evaluate(_UNLABELLED_JS)
    if unlabelled:
        raise AccessibilityError(f"inputs without a <label for> on {page.url}: {unlabelled}")


def focus_style(page: Page) -> dict | None:
    """Return what the focused element draws to show focus, or None when nothing has focus."""
    return page.evaluate(_FOCUS_JS)


def focus_ring_check(page: Page) -> dict:
    """Fail unless the focused element shows a focus indicator that contrasts 3:1; return it."""
    style = focus_style(page)
    assert style is not None, f"nothing has keyboard focus on {page.url}"
    assert style["rings"], f"no visible focus indicator on the focused {style} at {page.url}"
    assert style["contrast"] >= FOCUS_CONTRAST, (
        f"the focus indicator of {style} contrasts only {style['contrast']}:1 with the "
        f"background at {page.url} (WCAG 1.4.11 needs {FOCUS_CONTRAST}:1)")
    return style


def field(page: Page, label: str) -> Locator:
    """Return the input named *label*, ignoring the required marker (" * (required)")."""
    # The form pack (posc_pack.posc_field) adds an aria-hidden asterisk and a visually
    # hidden "(required)" to the label.
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*\*)?(\s*\(required\))?\s*$"))


def menu_link(page: Page, entry: str) -> Locator:
    """Return the left-menu entry *entry* (ui.md "Navigation")."""
    return page.get_by_role("navigation", name="Left menu").get_by_role(
        "link", name=entry, exact=True)


def button(page: Page, name: str) -> Locator:
    """Return the button named exactly *name*."""
    return page.get_by_role("button", name=name, exact=True)


def click(target: Locator) -> None:
    """Click *target* and wait for the page it loads (a form re-rendered at the same URL too)."""
    with target.page.expect_navigation():
        target.click()


def heading(page: Page, name: str) -> Locator:
    """Return the page's <h1> named exactly *name*."""
    return page.get_by_role("heading", level=1, name=name, exact=True)


# The pages axe has passed in this test session (see page_key).
_AXE_PASSED: set[tuple] = set()

_PAGE_KEY_JS = """() => [
  document.querySelector('h1')?.innerText || '',
  document.querySelector('nav')?.innerText || '',
  Array.from(document.querySelectorAll(
      'main form, main table, .error-summary, .messages, .messagelist'))
       .map(el => `${el.tagName}.${el.className}:${el.elements ? el.elements.length : ''}`)
       .join('|')]"""


def page_key(page: Page) -> tuple:
    """Return what tells two renderings apart for axe: only the data differ between equal keys.

    That is the viewport width, the path (digits aside), the heading, the left menu and the
    forms, tables and error summaries shown.
    """
    path = re.sub(r"\d+", "#", page.url.split("?")[0].split("/", 3)[-1])
    return (page.viewport_size["width"], path, *page.evaluate(_PAGE_KEY_JS))


def axe_once(page: Page) -> list[dict]:
    """Run axe_check unless a page of the same page_key passed earlier in the session."""
    key = page_key(page)
    if key in _AXE_PASSED:
        return []
    findings = axe_check(page)
    _AXE_PASSED.add(key)
    return findings


class Walk:
    """One walk through the portal; every page it reaches is screenshot and checked."""

    def __init__(self, page: Page, name: str):
        self.page = page
        self.name = name
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)  # no screenshot of an earlier run lingers
        self.folder.mkdir(parents=True)
        self.steps = 0
        self.axe_findings: dict[str, list[dict]] = {}  # step -> moderate/minor violations

    def screenshot(self, step: str) -> Path:
        """Save the whole page as test-artifacts/<walk>/<NN>_<step>.png once it has loaded."""
        self.page.wait_for_load_state("load")
        self.steps += 1
        path = self.folder / f"{self.steps:02d}_{step}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def panel(self, step: str, title: str | None = None) -> Path:
        """Check the page (its <h1> is *title*; axe; labels) and save its screenshot."""
        self.page.wait_for_load_state("load")
        if title is not None:
            expect(heading(self.page, title)).to_be_visible()
        path = self.screenshot(step)
        findings = axe_once(self.page)  # a page axe passed earlier in the session: not again
        if findings:  # below the bar, but kept for review in test-artifacts/<walk>/axe.json
            self.axe_findings[path.stem] = [
                {"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "targets": [n["target"] for n in v["nodes"]]} for v in findings]
            (self.folder / "axe.json").write_text(json.dumps(self.axe_findings, indent=2))
        labels_check(self.page)
        return path

    def follow(self, entry: str, step: str, title: str | None = None) -> Path:
        """Click the left-menu entry *entry*, then check and screenshot the page it opens."""
        click(menu_link(self.page, entry))
        return self.panel(step, entry if title is None else title)


def enter_code(walk: Walk, username: str) -> None:
    """On the code page, type *username*'s authenticator code and verify (the page checked)."""
    walk.panel("verification_code", "Enter your verification code")
    field(walk.page, "Verification code").fill(authenticator_code(username))
    click(button(walk.page, "Verify"))


def log_in(walk: Walk, username: str, password: str = DEMO_PASSWORD) -> None:
    """Open the login page, sign in as *username* with password and code, land on Home.

    Every page on the way is checked. The browser tests run with MFA_REQUIRED (conftest.py).
    """
    page = walk.page
    page.goto("/login/")
    walk.panel("login", "Log in")
    field(page, "Username").fill(username)
    field(page, "Password").fill(password)
    click(button(page, "Log in"))
    if settings.MFA_REQUIRED:
        enter_code(walk, username)
    walk.panel("home", "Home")


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 40) -> dict:
    """Press Tab (Shift+Tab when *backwards*) until *target* has focus; return its focus style.

    Every element the focus passes on the way must show a visible focus indicator.
    """
    key = "Shift+Tab" if backwards else "Tab"
    passed = []
    for _ in range(limit):
        page.keyboard.press(key)
        passed.append(focus_style(page))
        style = focus_ring_check(page)
        if has_focus(target):
            return style
    raise AssertionError(f"{limit} presses of {key} never reached {target} on {page.url}; "
                         f"the focus went to {passed}")


def has_focus(target: Locator) -> bool:
    """Return True when *target* is the focused element."""
    return target.evaluate("el => el === document.activeElement")


def sideways_overflow(page) -> int:
    """Return how many pixels the page scrolls sideways."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


# Shared by several walks: the CSP recorder, the menu entries, seed_demo's members.
# Installed before any page script runs; Playwright's init scripts are not subject to the CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
"""
MENU_ENTRY = {"SCO": "Enroll/Disenroll SCO Members",
              "ONE_CARE": "Enroll/Disenroll One Care Members"}


class Searched(NamedTuple):
    """A demo member as typed into Member Search."""

    member_id: str
    last_name: str
    first_name: str
    provider_id: str
    program: str


# seed_demo's fillers: enrolled with CCA's plan (disenroll) or eligible for it (enroll).
SCO_ENROLLED = (Searched("100000000173", "FAUXLEY", "ALMA", CCA_SCO, "SCO"),
                Searched("100000000221", "MOCKFORD", "ALMA", CCA_SCO, "SCO"))
SCO_ELIGIBLE = (Searched("100000000141", "DEMOWITZ", "PEARL", CCA_SCO, "SCO"),
                Searched("100000000111", "EXAMPLAR", "WILMA", CCA_SCO, "SCO"))
OC_ENROLLED = (Searched("100000000104", "MOCKFORD", "VERN", CCA_ONE_CARE, "ONE_CARE"),
               Searched("100000000146", "NONESUCH", "DEAN", CCA_ONE_CARE, "ONE_CARE"))
OC_ELIGIBLE = (Searched("100000000102", "DEMOWITZ", "HUGO", CCA_ONE_CARE, "ONE_CARE"),
               Searched("100000000106", "PRETENDA", "LLOYD", CCA_ONE_CARE, "ONE_CARE"))
ACCOUNTS = {"SCO": "cca.sco", "ONE_CARE": "cca.onecare"}


def demo_check(*members: Searched) -> None:
    """Fail clearly if seed_demo no longer gives these members (names, enrolled or not)."""
    for m in members:
        row = Member.objects.get(pk=m.member_id)
        assert (row.last_name, row.first_name) == (m.last_name, m.first_name)


def open_search(walk: Walk, program: str) -> None:
    """Open the program's Member Search panel from the left menu."""
    walk.follow("Manage Members", "manage_members")
    walk.follow("Enrollment", "enrollment")
    walk.follow(MENU_ENTRY[program], "member_search", "Member Search")
