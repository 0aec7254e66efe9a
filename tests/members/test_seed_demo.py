"""seed_demo, the reference-data fixtures and the roles (demo-data.md)."""

import csv
import datetime
import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from enrollment.selectors import mmis_request_build
from posc.members.demo import (
    DEMO_ACCOUNTS,
    DEMO_CASES,
    DEMO_PASSWORD,
    FILLER_COUNT,
    NAMED_MEMBERS,
    SAMPLE_MEMBERS,
    DemoCase,
    demo_case,
    filler_members,
)
from posc.members.management.commands.seed_demo import plan_areas
from posc.members.models import (
    County,
    EnrollmentSpan,
    Member,
    Plan,
    Program,
    Provider,
    ProviderLink,
    RateCell,
    ServiceArea,
)
from posc.mmis.types import Action, Code, MmisResponse
from posc.mmis.validator import validate
from posc.roles import ENROLLMENT_OPERATIONS, role_permissions, roles_sync
from tests.transactions import rolled_back

# The kernel's permissions and those the apps registered in AppConfig.ready().
ROLE_PERMISSIONS = role_permissions()

User = get_user_model()
TODAY = datetime.date(2026, 11, 22)  # the brief's fixed "today"; E = 2026-12-01
SAMPLE_CSV = Path(__file__).resolve().parents[2] / "docs" / "samples" / "member-feed-sample.csv"

# demo-data.md "Health plans": provider ID -> (program, name, number of counties served).
PLANS = {
    "110000001A": ("SCO", "Commonwealth Care Alliance SCO", 12),
    "110000002A": ("SCO", "Senior Whole Health SCO", 8),
    "110000003A": ("SCO", "Fallon Health NaviCare SCO", 8),
    "110000004A": ("SCO", "Tufts Health Plan Senior Care Options", 6),
    "110000005A": ("SCO", "UnitedHealthcare Senior Care Options", 10),
    "110000006A": ("SCO", "WellSense Senior Care Options", 6),
    "120000001A": ("ONE_CARE", "Commonwealth Care Alliance One Care", 12),
    "120000002A": ("ONE_CARE", "Tufts Health One Care", 8),
    "120000003A": ("ONE_CARE", "UnitedHealthcare Connected for One Care", 9),
    "130000001A": ("MCO", "Tufts Health Together", 0),
    "130000002A": ("MCO", "WellSense Essential MCO", 0),
    "140000001A": ("MBHP", "Massachusetts Behavioral Health Partnership", 0),
}
PROVIDERS = {
    ("100000101A", "Example Community Hospital", "1234567893"),
    ("100000102A", "Example Home Health Agency", "1558598797"),
}
# demo-data.md "Rate cells": (program code, category) -> (label, setting), for GB and RS.
CATEGORIES = {
    ("SCO", "CW"): ("Community Well", "community"),
    ("SCO", "CNHC"): ("Community Nursing Home Certifiable", "community"),
    ("SCO", "T1"): ("Institutional Tier 1", "institutional"),
    ("SCO", "T2"): ("Institutional Tier 2", "institutional"),
    ("SCO", "T3"): ("Institutional Tier 3", "institutional"),
    ("OC", "F1"): ("Facility-based Care", "institutional"),
    ("OC", "C3A"): ("Community Tier 3 – High Community Need (A)", "community"),
    ("OC", "C3B"): ("Community Tier 3 – High Community Need (B)", "community"),
    ("OC", "C2A"): ("Community Tier 2 – Community High Behavioral Health (A)", "community"),
    ("OC", "C2B"): ("Community Tier 2 – Community High Behavioral Health (B)", "community"),
    ("OC", "C1"): ("Community Tier 1 – Community Other", "community"),
}
RATE_CELLS = {f"{p}-{c}-{r}": v for (p, c), v in CATEGORIES.items() for r in ("GB", "RS")}


def seed(*args: str) -> str:
    """Run seed_demo and return what it printed."""
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed("--allow-demo-accounts")


def checksum() -> str:
    """Return a digest of every row seed_demo writes, timestamps and password hashes included."""
    tables = [Plan, ServiceArea, Provider, RateCell, Member, EnrollmentSpan, User, ProviderLink,
              Group, Group.permissions.through, User.groups.through]
    rows = [list(model.objects.order_by("pk").values_list()) for model in tables]
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


# ---------------------------------------------------------------------- reference data

def test_seed_loads_every_plan_of_the_contract(seeded):
    plans = {p.provider_id: (p.program, p.name, p.service_areas.count())
             for p in Plan.objects.prefetch_related("service_areas")}
    assert plans == PLANS


def test_all_but_dukes_and_nantucket_is_the_other_twelve_counties(seeded):
    for provider_id in ("110000001A", "120000001A"):
        counties = set(ServiceArea.objects.filter(plan__provider_id=provider_id)
                       .values_list("county", flat=True))
        assert counties == set(County.values) - {County.DUKES, County.NANTUCKET}


def test_service_area_counties_are_county_choices(seeded):
    assert set(ServiceArea.objects.values_list("county", flat=True)) <= set(County.values)
    tufts = ServiceArea.objects.filter(plan__provider_id="110000004A")
    assert set(tufts.values_list("county", flat=True)) == {
        "Suffolk", "Middlesex", "Norfolk", "Essex", "Worcester", "Plymouth"}


def test_seed_loads_the_non_plan_providers(seeded):
    assert set(Provider.objects.values_list("provider_id", "name", "npi")) == PROVIDERS


def test_seed_loads_every_rate_cell_in_both_regions(seeded):
    cells = {c.code: (c.label, c.setting) for c in RateCell.objects.all()}
    assert cells == RATE_CELLS
    assert "SCO-CNHC-GB" in cells and "OC-C2A-RS" in cells
    assert set(RateCell.objects.values_list("effective_from", "effective_to")) == {
        (datetime.date(2020, 1, 1), None)}


@pytest.mark.parametrize(("fixture", "model", "count"), [
    ("plans", Plan, 12),
    ("rate_cells", RateCell, 22),
])
def test_each_fixture_loads_alone(db, fixture, model, count):
    call_command("loaddata", fixture, verbosity=0)
    assert model.objects.count() == count


# -------------------------------------------------------------------------- idempotence

def test_running_twice_changes_nothing(seeded):
    counts = [m.objects.count() for m in (Plan, ServiceArea, RateCell, Member, EnrollmentSpan,
                                          User, ProviderLink, Group)]
    before = checksum()
    out = seed("--allow-demo-accounts")
    assert checksum() == before
    assert [m.objects.count() for m in (Plan, ServiceArea, RateCell, Member, EnrollmentSpan,
                                        User, ProviderLink, Group)] == counts
    assert "0 of" in out and "0 spans created; 0 accounts created" in out


def test_seed_leaves_a_span_changed_since_alone(seeded):
    span = EnrollmentSpan.objects.get(member_id=demo_case("sco_disenroll").member_id)
    span.end_date = datetime.date(2026, 11, 30)
    span.save()
    seed("--allow-demo-accounts")
    assert list(EnrollmentSpan.objects.filter(member_id=span.member_id)
                .values_list("end_date", flat=True)) == [datetime.date(2026, 11, 30)]


def test_seed_restores_a_changed_demo_password(seeded):
    user = User.objects.get(username="cca.sco")
    user.set_password("something-else")
    user.save()
    seed("--allow-demo-accounts")
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


# ------------------------------------------------------------------------------ members

def test_seed_creates_a_few_hundred_members_with_demo_ids(seeded):
    ids = list(Member.objects.values_list("member_id", flat=True))
    assert len(ids) == len(NAMED_MEMBERS) + FILLER_COUNT >= 300
    assert all(len(i) == 12 and i.startswith("1000000") for i in ids)


def test_sample_feed_members_are_loaded_exactly(seeded):
    with SAMPLE_CSV.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["member_id"] for r in rows] == [m.member_id for m in SAMPLE_MEMBERS]
    for row in rows:
        member = Member.objects.get(pk=row["member_id"])
        for column, text in row.items():
            if column.startswith("current_plan"):
                continue
            value = getattr(member, column)
            if isinstance(value, bool):
                value = "Y" if value else "N"
            assert ("" if value is None else str(value)) == text, column
        spans = [(s.plan.provider_id, s.start_date.isoformat())
                 for s in member.spans.select_related("plan")]
        expected = ([(row["current_plan_provider_id"], row["current_plan_start"])]
                    if row["current_plan_provider_id"] else [])
        assert spans == expected


def test_seed_spans_are_open_feed_spans_starting_on_a_first_in_the_past(seeded):
    spans = list(EnrollmentSpan.objects.select_related("plan"))
    assert len(spans) > 50
    for span in spans:
        assert span.source == EnrollmentSpan.Source.FEED
        assert span.start_date.day == 1 and span.start_date < TODAY
        assert span.end_date is None and not span.cancelled
        assert span.program == span.plan.program
        assert span.plan.service_areas.filter(county=span.member.county).exists()


# ----------------------------------------------------------------------------- accounts

def test_demo_accounts_have_their_links_groups_and_password(db, settings):
    settings.DEBUG = True
    seed()
    assert set(User.objects.values_list("username", flat=True)) == {
        a.username for a in DEMO_ACCOUNTS}
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password("posc-demo"), account.username
        links = set(user.provider_links.values_list("provider_id", flat=True))
        assert links == ({account.provider_id} if account.provider_id else set())
        groups = set(user.groups.values_list("name", flat=True))
        assert groups == ({account.role} if account.role != "superuser" else set())
        assert (user.is_staff, user.is_superuser) == (
            account.username in ("ops", "admin"), account.username == "admin")


def test_demo_account_links_are_the_contract_ones(seeded):
    links = dict(ProviderLink.objects.values_list("user__username", "provider_id"))
    assert links == {"cca.sco": "110000001A", "fallon.sco": "110000003A",
                     "cca.onecare": "120000001A", "tufts.onecare": "120000002A",
                     "hospital": "100000101A"}


def test_ops_may_view_members_and_maintain_plans_but_not_delete(seeded):
    ops = User.objects.get(username="ops")
    assert ops.has_perms(["members.view_member", "members.view_enrollmentspan",
                          "enrollment.view_enrollmenttransaction", "enrollment.view_batch834",
                          "members.change_plan", "members.add_ratecell"])
    assert not ops.has_perm("members.delete_plan")
    assert not ops.has_perm("members.change_member")
    assert not User.objects.get(username="cca.sco").has_perm("members.view_member")


def test_seed_refuses_accounts_when_debug_is_off(db, settings):
    settings.DEBUG = False
    out = seed()
    assert not User.objects.exists()
    assert "--allow-demo-accounts" in out and "NOT created" in out
    assert Plan.objects.count() == 12 and Member.objects.count() > 300
    assert Group.objects.count() == len(ROLE_PERMISSIONS)


def test_seed_creates_accounts_without_debug_when_allowed(db, settings):
    settings.DEBUG = False
    out = seed("--allow-demo-accounts")
    assert User.objects.count() == len(DEMO_ACCOUNTS)
    assert "NOT created" not in out
    assert "cca.sco" in out and "110000001A" in out and DEMO_PASSWORD in out


# -------------------------------------------------------------------------------- roles

def test_roles_sync_removes_a_permission_added_by_hand(seeded):
    group = Group.objects.get(name=ENROLLMENT_OPERATIONS)
    group.permissions.add(Permission.objects.get(codename="delete_member"))
    roles_sync()
    assert not group.permissions.filter(codename="delete_member").exists()
    assert group.permissions.count() == len(ROLE_PERMISSIONS[ENROLLMENT_OPERATIONS])


def test_enrollment_operations_has_no_delete_permission():
    assert ROLE_PERMISSIONS[ENROLLMENT_OPERATIONS]
    assert not [p for p in ROLE_PERMISSIONS[ENROLLMENT_OPERATIONS] if ".delete_" in p]


# ------------------------------------------------------------------- MMIS demo answers

def test_demo_cases_cover_every_rejection_code_in_both_programs():
    # DUPLICATE needs an earlier accepted disenrollment (DUPLICATE_HINT in demo.py);
    # ESRD, DEDUCTIBLE and RESIDENCE are SCO rules only (mmis-rules.md).
    sco_only = {Code.ESRD, Code.DEDUCTIBLE, Code.RESIDENCE}
    wanted = {Program.SCO: set(Code) - {Code.DUPLICATE},
              Program.ONE_CARE: set(Code) - {Code.DUPLICATE} - sco_only}
    for program, codes in wanted.items():
        assert {c.expected for c in DEMO_CASES if c.program == program} >= codes, program
        for action in Action:  # each job aid has an accepted case for the CCA accounts
            assert any(c.expected is None and c.action == action for c in DEMO_CASES
                       if c.program == program and c.account.startswith("cca."))


@pytest.fixture(scope="class")
def seeded_once(django_db_setup, django_db_blocker):
    """Seed once for a class of read-only tests; everything is rolled back after the class."""
    with django_db_blocker.unblock(), rolled_back():
        seed("--allow-demo-accounts")
        yield


def answer(case: DemoCase) -> MmisResponse:
    """Return the MMIS stub's answer to *case* typed by its demo account on TODAY."""
    request = mmis_request_build(
        action=case.action, program=case.program, provider_id=case.provider_id,
        member_id=case.member_id, last_name=case.last_name, first_name=case.first_name,
        user=User.objects.get(username=case.account))
    return validate(request, today=TODAY)


@pytest.mark.usefixtures("seeded_once", "db")
class TestDemoAnswers:
    """Each demo member gets the answer the seed_demo table promises (validator.py)."""

    @pytest.mark.parametrize("case", DEMO_CASES, ids=lambda c: c.purpose)
    def test_demo_case_gets_its_expected_answer(self, case):
        response = answer(case)
        assert response.codes == ((case.expected,) if case.expected else ())
        assert response.accepted == (case.expected is None)

    @pytest.mark.parametrize(("purpose", "code"), [
        ("sco_enroll", "SCO-CW-GB"), ("sco_enroll_rest_of_state", "SCO-CNHC-RS"),
        ("oc_enroll", "OC-C2A-GB"), ("oc_enroll_rest_of_state", "OC-C1-RS"),
    ])
    def test_accepted_enrollments_get_the_rate_cell_the_notes_name(self, purpose, code):
        case = demo_case(purpose)
        assert answer(case).rate_cell.code == code
        assert code in case.note

    def test_filler_members_are_eligible_or_enrolled(self):
        users = {a.provider_id: User.objects.get(username=a.username)
                 for a in DEMO_ACCOUNTS if a.provider_id}
        cca = {Program.SCO: "110000001A", Program.ONE_CARE: "120000001A"}
        tried = 0
        # Every fifth filler: both programs and both enrolled and not (one in three is).
        for m in filler_members(plan_areas())[::5]:
            program = Program.SCO if m.date_of_birth.year <= 1958 else Program.ONE_CARE
            if m.current_plan_provider_id in users:
                action, provider_id = Action.DISENROLL, m.current_plan_provider_id
            elif not m.current_plan_provider_id and m.county not in (County.DUKES,
                                                                      County.NANTUCKET):
                action, provider_id = Action.ENROLL, cca[program]
            else:
                continue
            request = mmis_request_build(
                action=action, program=program, provider_id=provider_id, member_id=m.member_id,
                last_name=m.last_name, first_name=m.first_name, user=users[provider_id])
            assert validate(request, today=TODAY).codes == (), m.member_id
            tried += 1
        assert tried > FILLER_COUNT // 10

    def test_fillers_do_not_depend_on_plan_order(self):
        assert filler_members(plan_areas()) == filler_members(reversed(plan_areas()))

    @pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
    def test_each_role_group_has_exactly_its_permissions(self, role):
        group = Group.objects.get(name=role)
        perms = {f"{p.content_type.app_label}.{p.codename}"
                 for p in group.permissions.select_related("content_type")}
        assert perms == set(ROLE_PERMISSIONS[role])
