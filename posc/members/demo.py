"""The invented demo members, demo cases and demo accounts that ``seed_demo`` creates.

demo-data.md: a fresh database must let a trainee follow the SCO and One Care job aids at
once. Every value here is fixed (no clock, no randomness) so that seeding twice changes
nothing and tests and browser tests can look members up by purpose (``demo_case``)
instead of hard-coding IDs. Dates are chosen to stay valid for years: SCO members were
born 1940-1958, One Care members 1970-1995, and every span started in the past.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import NamedTuple

from posc.members.models import County, CoverageType, Program, Residence
from posc.mmis.types import Action, Code
from posc.roles import (
    CSR,
    ENROLLMENT_OPERATIONS,
    PROVIDER_STAFF,
    QC_TEAM_LEAD,
    STATE_MONITOR,
    SUPERVISOR,
)

DEMO_PASSWORD = "posc-demo"  # demo-data.md: development only

CCA_SCO = "110000001A"
SWH_SCO = "110000002A"
FALLON_SCO = "110000003A"
CCA_ONE_CARE = "120000001A"
TUFTS_ONE_CARE = "120000002A"
HOSPITAL = "100000101A"

# A town and ZIP code per county, for invented addresses.
COUNTY_TOWNS: dict[str, tuple[str, str]] = {
    County.BARNSTABLE: ("HYANNIS", "02601"),
    County.BERKSHIRE: ("PITTSFIELD", "01201"),
    County.BRISTOL: ("NEW BEDFORD", "02740"),
    County.DUKES: ("EDGARTOWN", "02539"),
    County.ESSEX: ("LYNN", "01901"),
    County.FRANKLIN: ("GREENFIELD", "01301"),
    County.HAMPDEN: ("SPRINGFIELD", "01103"),
    County.HAMPSHIRE: ("NORTHAMPTON", "01060"),
    County.MIDDLESEX: ("CAMBRIDGE", "02139"),
    County.NANTUCKET: ("NANTUCKET", "02554"),
    County.NORFOLK: ("QUINCY", "02169"),
    County.PLYMOUTH: ("BROCKTON", "02301"),
    County.SUFFOLK: ("BOSTON", "02118"),
    County.WORCESTER: ("WORCESTER", "01608"),
}
STREETS = ("SAMPLE ST", "EXAMPLE AVE", "DEMO RD", "TEST LN", "PLACEHOLDER WAY", "MOCK CT")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # a group of posc.roles, or "superuser"
    provider_id: str = ""
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def group(self) -> str:
        return "" if self.is_superuser else self.role


# demo-data.md "Demo accounts"
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("cca.sco", PROVIDER_STAFF, CCA_SCO),
    DemoAccount("fallon.sco", PROVIDER_STAFF, FALLON_SCO),
    DemoAccount("cca.onecare", PROVIDER_STAFF, CCA_ONE_CARE),
    DemoAccount("tufts.onecare", PROVIDER_STAFF, TUFTS_ONE_CARE),
    DemoAccount("hospital", PROVIDER_STAFF, HOSPITAL),
    DemoAccount("ops", ENROLLMENT_OPERATIONS, is_staff=True),
    DemoAccount("csr", CSR),
    DemoAccount("qc", QC_TEAM_LEAD),
    DemoAccount("monitor", STATE_MONITOR),
    DemoAccount("supervisor", SUPERVISOR),
    DemoAccount("admin", "superuser", is_staff=True, is_superuser=True),
)


@dataclass(frozen=True)
class DemoMember:
    """A demo member, in the feed's columns (member-feed.md)."""

    member_id: str
    last_name: str
    first_name: str
    date_of_birth: date
    county: str
    rating_category: str
    sex: str = "F"
    middle_initial: str = ""
    coverage_type: str = CoverageType.STANDARD
    coverage_start: date = date(2015, 1, 1)
    coverage_end: date | None = None
    medicare_a_start: date | None = date(2016, 1, 1)
    medicare_a_end: date | None = None
    medicare_b_start: date | None = date(2016, 1, 1)
    medicare_b_end: date | None = None
    mbi: str = ""
    address_line1: str = ""
    city: str = ""
    zip: str = ""
    residence: str = Residence.COMMUNITY
    esrd: bool = False
    deductible_period: bool = False
    date_of_death: date | None = None
    current_plan_provider_id: str = ""
    current_plan_start: date | None = None

    def member_fields(self) -> dict:
        """Return the keyword arguments of the Member row."""
        fields = asdict(self)
        del fields["current_plan_provider_id"], fields["current_plan_start"]
        return fields


def _member(member_id: str, last_name: str, first_name: str, born: date, county: str,
            rating_category: str, **fields) -> DemoMember:
    """Return a demo member with an invented address in *county*; Medicare from age 65."""
    city, zip_code = COUNTY_TOWNS[county]
    number = int(member_id[-3:])
    defaults = {
        "address_line1": f"{10 + number % 90} {STREETS[number % len(STREETS)]}",
        "city": city,
        "zip": zip_code,
    }
    if born.year <= 1958:  # an SCO-age member: Medicare from the month of the 65th birthday
        defaults["medicare_a_start"] = defaults["medicare_b_start"] = date(born.year + 65,
                                                                           born.month, 1)
    return DemoMember(member_id, last_name, first_name, born, county, rating_category,
                      **(defaults | fields))


# The three members of member-feed-sample.csv, exactly as in that file.
SAMPLE_MEMBERS: tuple[DemoMember, ...] = (
    DemoMember("100000000001", "EXAMPLE", "ROSE", date(1950, 4, 12), County.SUFFOLK, "CW",
               middle_initial="A", coverage_start=date(2016, 7, 1),
               medicare_a_start=date(2015, 4, 1), medicare_b_start=date(2015, 4, 1),
               mbi="1EG4TE5MK72", address_line1="12 SAMPLE ST", city="BOSTON", zip="02118"),
    DemoMember("100000000002", "SPECIMEN", "WALTER", date(1982, 9, 30), County.WORCESTER, "C2A",
               sex="M", coverage_type=CoverageType.COMMONHEALTH, coverage_start=date(2019, 1, 1),
               medicare_a_start=date(2021, 3, 1), medicare_b_start=date(2021, 3, 1),
               address_line1="4 DEMO AVE", city="WORCESTER", zip="01608",
               current_plan_provider_id=TUFTS_ONE_CARE, current_plan_start=date(2024, 2, 1)),
    DemoMember("100000000003", "PLACEHOLDER", "IRIS", date(1941, 1, 5), County.HAMPDEN, "T2",
               coverage_start=date(2010, 1, 1), medicare_a_start=date(2006, 1, 1),
               medicare_b_start=date(2006, 1, 1), address_line1="77 TEST RD",
               city="SPRINGFIELD", zip="01103", residence=Residence.NURSING_FACILITY,
               current_plan_provider_id=CCA_SCO, current_plan_start=date(2022, 10, 1)),
)

# Each named member fails at most one rule, so that its case shows one code alone.
NAMED_MEMBERS: tuple[DemoMember, ...] = SAMPLE_MEMBERS + (
    # SCO (130 CMR 508.008(A); mmis-rules.md)
    _member("100000000004", "TESTWELL", "MARGARET", date(1947, 3, 8), County.PLYMOUTH, "CNHC"),
    _member("100000000005", "TESTWELL", "HAROLD", date(1944, 11, 21), County.MIDDLESEX, "CW",
            sex="M", middle_initial="J",
            current_plan_provider_id=CCA_SCO, current_plan_start=date(2024, 3, 1)),
    _member("100000000006", "SPECIMEN", "DOROTHY", date(1943, 6, 2), County.SUFFOLK, "CW",
            date_of_death=date(2025, 6, 14)),
    _member("100000000007", "SPECIMEN", "ARTHUR", date(1949, 10, 17), County.NORFOLK, "CW",
            sex="M", coverage_start=date(2012, 1, 1), coverage_end=date(2025, 3, 31)),
    _member("100000000008", "PLACEHOLDER", "EDITH", date(1952, 5, 26), County.ESSEX, "CW",
            medicare_a_start=None, medicare_b_start=None),
    _member("100000000009", "PLACEHOLDER", "RAYMOND", date(1975, 8, 9), County.BRISTOL, "CW",
            sex="M", medicare_a_start=date(2019, 2, 1), medicare_b_start=date(2019, 2, 1)),
    _member("100000000010", "SAMPLEY", "GLORIA", date(1946, 1, 30), County.DUKES, "CW"),
    _member("100000000011", "SAMPLEY", "FRANK", date(1950, 7, 4), County.WORCESTER, "CW",
            sex="M", esrd=True),
    _member("100000000012", "MOCKINGTON", "LOUISE", date(1953, 12, 1), County.HAMPDEN, "CW",
            deductible_period=True),
    _member("100000000013", "MOCKINGTON", "GEORGE", date(1948, 9, 12), County.BERKSHIRE, "T1",
            sex="M", residence=Residence.ICF_IID),
    _member("100000000014", "MOCKINGTON", "HAZEL", date(1944, 4, 23), County.ESSEX, "T1",
            residence=Residence.CHRONIC_REHAB_INPATIENT),
    _member("100000000015", "DEMOTOWN", "PAULINE", date(1951, 2, 14), County.SUFFOLK, "C3A"),
    _member("100000000016", "DEMOTOWN", "EUGENE", date(1945, 8, 19), County.SUFFOLK, "CW",
            sex="M", current_plan_provider_id=SWH_SCO, current_plan_start=date(2023, 5, 1)),
    _member("100000000017", "TESTWELL", "BEATRICE", date(1942, 12, 3), County.WORCESTER, "CW",
            current_plan_provider_id=FALLON_SCO, current_plan_start=date(2024, 3, 1)),
    # One Care (130 CMR 508.007; mmis-rules.md)
    _member("100000000021", "EXEMPLAR", "JOANNE", date(1984, 2, 17), County.SUFFOLK, "C2A",
            coverage_type=CoverageType.COMMONHEALTH, coverage_start=date(2017, 5, 1),
            medicare_a_start=date(2018, 8, 1), medicare_b_start=date(2018, 8, 1)),
    _member("100000000022", "EXEMPLAR", "MARCUS", date(1978, 6, 5), County.HAMPDEN, "C1",
            sex="M", medicare_a_start=date(2017, 1, 1), medicare_b_start=date(2017, 1, 1)),
    _member("100000000023", "EXEMPLAR", "DENISE", date(1979, 11, 28), County.ESSEX, "C3A",
            medicare_a_start=date(2016, 4, 1), medicare_b_start=date(2016, 4, 1),
            current_plan_provider_id=CCA_ONE_CARE, current_plan_start=date(2024, 3, 1)),
    _member("100000000024", "FACSIMILE", "VICTOR", date(1976, 3, 15), County.MIDDLESEX, "C1",
            sex="M", date_of_death=date(2025, 9, 3)),
    _member("100000000025", "FACSIMILE", "NORA", date(1983, 7, 21), County.NORFOLK, "C2B",
            coverage_type=CoverageType.CAREPLUS),
    _member("100000000026", "FACSIMILE", "LEON", date(1987, 1, 9), County.PLYMOUTH, "C1",
            sex="M", medicare_b_start=None),
    _member("100000000027", "PROTOTYPE", "AGNES", date(1955, 2, 11), County.SUFFOLK, "C1"),
    _member("100000000028", "PROTOTYPE", "CALVIN", date(1981, 10, 6), County.NANTUCKET, "C1",
            sex="M"),
    _member("100000000029", "PROTOTYPE", "SYLVIA", date(1986, 4, 30), County.BRISTOL, "CNHC"),
)


@dataclass(frozen=True)
class DemoCase:
    """One thing to try: log in as *account*, search with these values, expect *expected*.

    ``expected`` is the single rejection code MMIS answers, or None when it accepts.
    """

    purpose: str
    account: str
    program: str
    action: Action
    member_id: str
    last_name: str
    first_name: str
    provider_id: str
    expected: Code | None
    note: str


_ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
_MEMBERS = {m.member_id: m for m in NAMED_MEMBERS}
_ACCOUNT_PROGRAMS = {"cca.sco": Program.SCO, "fallon.sco": Program.SCO,
                     "cca.onecare": Program.ONE_CARE, "tufts.onecare": Program.ONE_CARE}


def _case(purpose: str, account: str, action: Action, member_id: str, expected: Code | None,
          note: str, *, last_name: str = "", first_name: str = "",
          provider_id: str = "") -> DemoCase:
    """Return a case typed with the member's own names and the account's provider ID."""
    member = _MEMBERS[member_id]
    program = _ACCOUNT_PROGRAMS[account]
    return DemoCase(purpose, account, program, action, member_id,
                    last_name or member.last_name, first_name or member.first_name,
                    provider_id or _ACCOUNTS[account].provider_id, expected, note)


DEMO_CASES: tuple[DemoCase, ...] = (
    # cca.sco: "Enroll a Member in Senior Care Options" and "Disenroll a Member from SCO"
    _case("sco_enroll", "cca.sco", Action.ENROLL, "100000000001", None,
          "eligible; rate cell SCO-CW-GB"),
    _case("sco_enroll_rest_of_state", "cca.sco", Action.ENROLL, "100000000004", None,
          "eligible; rate cell SCO-CNHC-RS"),
    _case("sco_disenroll", "cca.sco", Action.DISENROLL, "100000000003", None,
          "enrolled with CCA SCO since 10/01/2022 (nursing facility)"),
    _case("sco_disenroll_community", "cca.sco", Action.DISENROLL, "100000000005", None,
          "enrolled with CCA SCO since 03/01/2024"),
    _case("sco_no_match", "cca.sco", Action.ENROLL, "100000000001", Code.NO_MATCH,
          "existing Member ID typed with a wrong last name", last_name="SAMPLE"),
    _case("sco_provider", "cca.sco", Action.ENROLL, "100000000001", Code.PROVIDER,
          "another plan's Provider ID (Fallon)", provider_id=FALLON_SCO),
    _case("sco_deceased", "cca.sco", Action.ENROLL, "100000000006", Code.DECEASED,
          "died 06/14/2025"),
    _case("sco_coverage", "cca.sco", Action.ENROLL, "100000000007", Code.COVERAGE,
          "MassHealth Standard ended 03/31/2025"),
    _case("sco_medicare", "cca.sco", Action.ENROLL, "100000000008", Code.MEDICARE,
          "no Medicare Part A or B (required from 01/01/2026)"),
    _case("sco_age", "cca.sco", Action.ENROLL, "100000000009", Code.AGE, "born 1975: under 65"),
    _case("sco_service_area", "cca.sco", Action.ENROLL, "100000000010", Code.SERVICE_AREA,
          "lives in Dukes County, outside CCA's service area"),
    _case("sco_esrd", "cca.sco", Action.ENROLL, "100000000011", Code.ESRD,
          "end-stage renal disease"),
    _case("sco_deductible", "cca.sco", Action.ENROLL, "100000000012", Code.DEDUCTIBLE,
          "in a six-month deductible period"),
    _case("sco_residence", "cca.sco", Action.ENROLL, "100000000013", Code.RESIDENCE,
          "lives in an ICF/IID"),
    _case("sco_residence_inpatient", "cca.sco", Action.ENROLL, "100000000014", Code.RESIDENCE,
          "chronic or rehabilitation hospital inpatient"),
    _case("sco_rate_cell", "cca.sco", Action.ENROLL, "100000000015", Code.RATE_CELL,
          "rating category C3A belongs to One Care"),
    _case("sco_already_enrolled", "cca.sco", Action.ENROLL, "100000000016", Code.ALREADY_ENROLLED,
          "enrolled with Senior Whole Health SCO since 05/01/2023"),
    _case("sco_not_enrolled", "cca.sco", Action.DISENROLL, "100000000016", Code.NOT_ENROLLED,
          "not enrolled with CCA SCO (enrolled with Senior Whole Health SCO)"),
    # fallon.sco
    _case("fallon_sco_disenroll", "fallon.sco", Action.DISENROLL, "100000000017", None,
          "enrolled with Fallon NaviCare SCO since 03/01/2024"),
    # cca.onecare: "Disenroll a Member from One Care" and enrollment
    _case("oc_enroll", "cca.onecare", Action.ENROLL, "100000000021", None,
          "eligible; rate cell OC-C2A-GB"),
    _case("oc_enroll_rest_of_state", "cca.onecare", Action.ENROLL, "100000000022", None,
          "eligible; rate cell OC-C1-RS"),
    _case("oc_disenroll", "cca.onecare", Action.DISENROLL, "100000000023", None,
          "enrolled with CCA One Care since 03/01/2024"),
    _case("oc_no_match", "cca.onecare", Action.ENROLL, "100000000021", Code.NO_MATCH,
          "existing Member ID typed with a wrong first name", first_name="JOAN"),
    _case("oc_provider", "cca.onecare", Action.ENROLL, "100000000021", Code.PROVIDER,
          "an SCO plan's Provider ID", provider_id=CCA_SCO),
    _case("oc_deceased", "cca.onecare", Action.ENROLL, "100000000024", Code.DECEASED,
          "died 09/03/2025"),
    _case("oc_coverage", "cca.onecare", Action.ENROLL, "100000000025", Code.COVERAGE,
          "MassHealth CarePlus: neither Standard nor CommonHealth"),
    _case("oc_medicare", "cca.onecare", Action.ENROLL, "100000000026", Code.MEDICARE,
          "Medicare Part A only, no Part B"),
    _case("oc_age", "cca.onecare", Action.ENROLL, "100000000027", Code.AGE, "born 1955: over 64"),
    _case("oc_service_area", "cca.onecare", Action.ENROLL, "100000000028", Code.SERVICE_AREA,
          "lives in Nantucket County, outside CCA's service area"),
    _case("oc_rate_cell", "cca.onecare", Action.ENROLL, "100000000029", Code.RATE_CELL,
          "rating category CNHC belongs to SCO"),
    _case("oc_already_enrolled", "cca.onecare",
          Action.ENROLL, "100000000002", Code.ALREADY_ENROLLED,
          "enrolled with Tufts Health One Care since 02/01/2024"),
    _case("oc_not_enrolled", "cca.onecare", Action.DISENROLL, "100000000002", Code.NOT_ENROLLED,
          "not enrolled with CCA One Care (enrolled with Tufts Health One Care)"),
    # tufts.onecare
    _case("tufts_oc_disenroll", "tufts.onecare", Action.DISENROLL, "100000000002", None,
          "enrolled with Tufts Health One Care since 02/01/2024"),
)

# DUPLICATE needs a disenrollment accepted earlier, which only the clock can keep current:
# disenroll a "*_disenroll" member, then submit the same disenrollment again.
DUPLICATE_HINT = "DUPLICATE: disenroll the same member twice (e.g. sco_disenroll)."

_CASES = {c.purpose: c for c in DEMO_CASES}


def demo_case(purpose: str) -> DemoCase:
    """Return the demo case for *purpose*, e.g. ``demo_case("sco_enroll")``."""
    return _CASES[purpose]


def demo_member(member_id: str) -> DemoMember:
    """Return the named demo member with *member_id*."""
    return _MEMBERS[member_id]


def demo_account(username: str) -> DemoAccount:
    """Return the demo account *username*."""
    return _ACCOUNTS[username]


# ----------------------------------------------------------------------------- fillers

FILLER_COUNT = 300
FILLER_FIRST_ID = 100000000101
FILLER_SURNAMES = ("SAMPLESON", "DEMOWITZ", "FICTIVO", "MOCKFORD", "TRIALTON", "PRETENDA",
                   "NONESUCH", "FAUXLEY", "SIMULO", "STANDINE", "EXAMPLAR", "DUMMETT", "TESTARD")
FILLER_FIRST_NAMES = (("ALMA", "F"), ("BERT", "M"), ("CORA", "F"), ("DEAN", "M"), ("EDNA", "F"),
                      ("FRED", "M"), ("GWEN", "F"), ("HUGO", "M"), ("IDA", "F"), ("JUDE", "M"),
                      ("KAY", "F"), ("LLOYD", "M"), ("MAE", "F"), ("NED", "M"), ("OLIVE", "F"),
                      ("OTIS", "M"), ("PEARL", "F"), ("RUFUS", "M"), ("RUTH", "F"), ("SAUL", "M"),
                      ("TESS", "F"), ("VERN", "M"), ("WILMA", "F"), ("ZEKE", "M"))
SCO_CATEGORIES = ("CW", "CNHC", "T1", "T2", "T3")
ONE_CARE_CATEGORIES = ("C1", "C2A", "C2B", "C3A", "C3B", "F1")
INSTITUTIONAL = frozenset({"T1", "T2", "T3", "F1"})


class PlanArea(NamedTuple):
    provider_id: str
    program: str
    counties: frozenset[str]


def filler_members(plans: Iterable[PlanArea]) -> tuple[DemoMember, ...]:
    """Return the unnamed, eligible demo members; a third of them enrolled in a plan serving them.

    Every value is computed from the member's index, so each run gives the same members.
    """
    serving: dict[tuple[str, str], list[str]] = {}
    for plan in sorted(plans):
        for county in plan.counties:
            serving.setdefault((plan.program, county), []).append(plan.provider_id)
    counties = sorted(County.values)
    members = []
    for i in range(FILLER_COUNT):
        sco = i % 2 == 0
        first_name, sex = FILLER_FIRST_NAMES[(i * 7) % len(FILLER_FIRST_NAMES)]
        county = counties[(i * 5) % len(counties)]
        if sco:
            born = date(1940 + (i * 3) % 19, i % 12 + 1, (i * 11) % 28 + 1)
            category = SCO_CATEGORIES[(i // 2) % len(SCO_CATEGORIES)]
            coverage_type = CoverageType.STANDARD
        else:
            born = date(1970 + (i * 7) % 26, i % 12 + 1, (i * 11) % 28 + 1)
            category = ONE_CARE_CATEGORIES[(i // 2) % len(ONE_CARE_CATEGORIES)]
            coverage_type = CoverageType.COMMONHEALTH if i % 3 == 1 else CoverageType.STANDARD
        member = _member(
            f"{FILLER_FIRST_ID + i:012d}", FILLER_SURNAMES[i % len(FILLER_SURNAMES)], first_name,
            born, county, category, sex=sex, coverage_type=coverage_type,
            coverage_start=date(2010 + i % 10, (i * 5) % 12 + 1, 1),
            residence=(Residence.NURSING_FACILITY if category in INSTITUTIONAL
                       else Residence.COMMUNITY))
        if not sco:  # One Care: Medicare from disability entitlement, before 2022
            start = date(2010 + i % 12, (i * 5) % 12 + 1, 1)
            member = replace(member, medicare_a_start=start, medicare_b_start=start)
        choices = serving.get((Program.SCO if sco else Program.ONE_CARE, county), [])
        if i % 3 == 0 and choices:
            member = replace(member, current_plan_provider_id=choices[(i // 3) % len(choices)],
                             current_plan_start=date(2024, i % 12 + 1, 1))
        members.append(member)
    return tuple(members)
