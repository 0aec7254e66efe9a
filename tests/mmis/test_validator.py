"""The MMIS stub's answers: one test per rule, its boundaries, and disenrollment (mmis-rules.md).

Pure: no database, today's date passed in. Every request below is built from an eligible
baseline (SCO or One Care) changed in one way, so each case fails exactly one rule.
"""

from dataclasses import replace
from datetime import date

import pytest

from posc.mmis import validator
from posc.mmis.dates import enrollment_effective_date
from posc.mmis.types import (
    Action,
    Code,
    MemberRecord,
    MmisRequest,
    PlanRecord,
    RateCellRecord,
    SpanRecord,
)
from posc.mmis.validator import RULES, Rule, medicare_status_on, message, validate

TODAY = date(2026, 11, 22)
E = date(2026, 12, 1)  # enrollment effective date for TODAY
MONTH_END = date(2026, 11, 30)  # disenrollment effective date for TODAY

ALL_BUT_ISLANDS = frozenset({
    "Barnstable", "Berkshire", "Bristol", "Essex", "Franklin", "Hampden", "Hampshire",
    "Middlesex", "Norfolk", "Plymouth", "Suffolk", "Worcester",
})
SCO_PLAN = PlanRecord("110000001A", "SCO", "Commonwealth Care Alliance SCO", ALL_BUT_ISLANDS)
OTHER_SCO_ID = "110000003A"
OC_PLAN = PlanRecord(
    "120000002A", "ONE_CARE", "Tufts Health One Care",
    frozenset({"Suffolk", "Middlesex", "Norfolk", "Essex", "Worcester", "Plymouth", "Bristol",
               "Hampden"}),
)
OTHER_OC_ID = "120000001A"

CATEGORIES = {"SCO": ("CW", "CNHC", "T1"), "ONE_CARE": ("F1", "C2A", "C1")}
PROGRAM_CODES = {"SCO": "SCO", "ONE_CARE": "OC"}
RATE_CELLS = tuple(
    RateCellRecord(
        program=program, category=category, region=region,
        code=f"{PROGRAM_CODES[program]}-{category}-{region}", label=f"Category {category}",
        setting="institutional" if category in ("T1", "F1") else "community",
        effective_from=date(2024, 1, 1),
    )
    for program, categories in CATEGORIES.items()
    for category in categories
    for region in ("GB", "RS")
)

SCO_MEMBER = MemberRecord(
    member_id="100000000001", last_name="Testperson", first_name="Avery",
    date_of_birth=date(1950, 3, 14), sex="F",
    coverage_type="STANDARD", coverage_start=date(2015, 1, 1),
    county="Suffolk", residence="COMMUNITY", rating_category="CNHC",
    medicare_a_start=date(2015, 3, 1), medicare_b_start=date(2015, 3, 1),
)
OC_MEMBER = MemberRecord(
    member_id="100000000002", last_name="Examplar", first_name="Jordan",
    date_of_birth=date(1980, 6, 15), sex="M",
    coverage_type="COMMONHEALTH", coverage_start=date(2020, 1, 1),
    county="Worcester", residence="COMMUNITY", rating_category="C2A",
    medicare_a_start=date(2020, 1, 1), medicare_b_start=date(2020, 1, 1),
)


def cell(program: str, category: str, region: str) -> RateCellRecord:
    """Return the baseline rate cell for *program*, *category* and *region*."""
    return next(c for c in RATE_CELLS
                if (c.program, c.category, c.region) == (program, category, region))


def span(provider_id: str, start: date, end: date | None = None, *,
         accepted: bool = False) -> SpanRecord:
    """Return a span with *provider_id* (11… is SCO, 12… One Care)."""
    program = "SCO" if provider_id.startswith("11") else "ONE_CARE"
    return SpanRecord(provider_id=provider_id, program=program, start_date=start, end_date=end,
                      disenrollment_accepted=accepted)


def _request(program: str, plan: PlanRecord, member: MemberRecord, action: Action,
             spans: tuple[SpanRecord, ...]) -> MmisRequest:
    return MmisRequest(
        action=action, program=program, provider_id=plan.provider_id,
        member_id=member.member_id, last_name=member.last_name, first_name=member.first_name,
        user_provider_ids=frozenset({plan.provider_id}), plan=plan, member=member,
        spans=spans, rate_cells=RATE_CELLS,
    )


def sco(*, action: Action = Action.ENROLL, spans: tuple[SpanRecord, ...] = (),
        **member_changes: object) -> MmisRequest:
    """Return an SCO request for the eligible baseline member changed by *member_changes*."""
    return _request("SCO", SCO_PLAN, replace(SCO_MEMBER, **member_changes), action, spans)


def one_care(*, action: Action = Action.ENROLL, spans: tuple[SpanRecord, ...] = (),
             **member_changes: object) -> MmisRequest:
    """Return a One Care request for the eligible baseline member changed by *member_changes*."""
    return _request("ONE_CARE", OC_PLAN, replace(OC_MEMBER, **member_changes), action, spans)


def cells_changed(**changes: object) -> tuple[RateCellRecord, ...]:
    return tuple(replace(c, **changes) for c in RATE_CELLS)


# ------------------------------------------------------------------- acceptance

@pytest.mark.parametrize(
    ("request_", "today", "rate_cell"),
    [
        pytest.param(sco(), TODAY, "SCO-CNHC-GB", id="sco-baseline"),
        pytest.param(one_care(), TODAY, "OC-C2A-RS", id="oc-baseline"),
        pytest.param(replace(sco(), member_id=" 100000000001 ", last_name="  TESTPERSON ",
                             first_name="avery"), TODAY, "SCO-CNHC-GB",
                     id="names-trimmed-any-case"),
        pytest.param(sco(date_of_death=date(2026, 12, 2)), TODAY, "SCO-CNHC-GB",
                     id="death-after-E"),
        pytest.param(sco(coverage_end=E), TODAY, "SCO-CNHC-GB", id="coverage-ends-on-E"),
        pytest.param(sco(coverage_start=E), TODAY, "SCO-CNHC-GB", id="coverage-starts-on-E"),
        pytest.param(sco(medicare_a_start=E, medicare_b_start=E), TODAY, "SCO-CNHC-GB",
                     id="medicare-starts-on-E"),
        pytest.param(sco(residence="NURSING_FACILITY", rating_category="T1"), TODAY,
                     "SCO-T1-GB", id="sco-nursing-facility"),
        pytest.param(sco(county="Worcester", rating_category="CW"), TODAY, "SCO-CW-RS",
                     id="sco-rest-of-state"),
        pytest.param(sco(spans=(span(OTHER_SCO_ID, date(2020, 1, 1), MONTH_END, accepted=True),)),
                     TODAY, "SCO-CNHC-GB", id="other-plan-ends-before-E"),
        pytest.param(sco(spans=(span(SCO_PLAN.provider_id, date(2020, 1, 1), MONTH_END,
                                     accepted=True),)),
                     TODAY, "SCO-CNHC-GB", id="re-enroll-after-own-disenrollment"),
        pytest.param(sco(spans=(SpanRecord("130000001A", "MCO", date(2020, 1, 1)),)), TODAY,
                     "SCO-CNHC-GB", id="mco-span-does-not-block"),
        pytest.param(one_care(coverage_type="STANDARD"), TODAY, "OC-C2A-RS", id="oc-standard"),
        pytest.param(one_care(esrd=True, deductible_period=True, residence="ICF_IID"), TODAY,
                     "OC-C2A-RS", id="oc-sco-only-exclusions-do-not-apply"),
        pytest.param(one_care(date_of_birth=date(1962, 12, 1)), TODAY, "OC-C2A-RS",
                     id="oc-64-on-E"),
        pytest.param(one_care(county="Suffolk", rating_category="F1"), TODAY, "OC-F1-GB",
                     id="oc-greater-boston"),
    ],
)
def test_eligible_enrollment_is_accepted_with_its_rate_cell(
    request_: MmisRequest, today: date, rate_cell: str
) -> None:
    response = validate(request_, today=today)
    assert response.accepted
    assert response.errors == ()
    assert response.effective_date == E
    assert response.rate_cell is not None and response.rate_cell.code == rate_cell
    assert response.span is None and not response.cancellation


def test_acceptance_returns_the_rate_cell_effective_on_e() -> None:
    old = replace(cell("SCO", "CNHC", "GB"), label="old", effective_to=MONTH_END)
    new = replace(cell("SCO", "CNHC", "GB"), label="new", effective_from=E)
    response = validate(replace(sco(), rate_cells=(old, new)), today=TODAY)
    assert response.accepted
    assert response.rate_cell == new


@pytest.mark.parametrize(
    ("county", "region"),
    [("Suffolk", "GB"), ("Middlesex", "GB"), ("Norfolk", "GB"), ("Essex", "RS"),
     ("Worcester", "RS"), ("Barnstable", "RS"), ("Nantucket", "RS")],
)
def test_rate_region_is_greater_boston_or_rest_of_state(county: str, region: str) -> None:
    assert validator.region_of(county) == region


# -------------------------------------------------------------- one rule failing

REJECTIONS = [
    # PROVIDER: not the user's plan, no such plan, or a plan of the other program.
    pytest.param(replace(sco(), user_provider_ids=frozenset({OTHER_SCO_ID})), TODAY,
                 Code.PROVIDER, id="sco-provider-not-users"),
    pytest.param(replace(sco(), provider_id="119999999A", plan=None,
                         user_provider_ids=frozenset({"119999999A"})), TODAY,
                 Code.PROVIDER, id="sco-provider-no-plan"),
    pytest.param(replace(sco(), provider_id=OC_PLAN.provider_id, plan=OC_PLAN,
                         user_provider_ids=frozenset({OC_PLAN.provider_id})), TODAY,
                 Code.PROVIDER, id="sco-provider-one-care-plan"),
    pytest.param(replace(one_care(), user_provider_ids=frozenset({OTHER_OC_ID})), TODAY,
                 Code.PROVIDER, id="oc-provider-not-users"),
    pytest.param(replace(one_care(), provider_id=SCO_PLAN.provider_id, plan=SCO_PLAN,
                         user_provider_ids=frozenset({SCO_PLAN.provider_id})), TODAY,
                 Code.PROVIDER, id="oc-provider-sco-plan"),
    # NO_MATCH: no member with that ID, or the names typed are not the record's.
    pytest.param(replace(sco(), member=None), TODAY, Code.NO_MATCH, id="sco-no-member"),
    pytest.param(replace(sco(), last_name="Testpersen"), TODAY, Code.NO_MATCH,
                 id="sco-last-name"),
    pytest.param(replace(sco(), first_name="Avery J"), TODAY, Code.NO_MATCH,
                 id="sco-first-name"),
    pytest.param(replace(sco(), member_id="100000000009"), TODAY, Code.NO_MATCH,
                 id="sco-member-id"),
    pytest.param(replace(one_care(), member=None), TODAY, Code.NO_MATCH, id="oc-no-member"),
    pytest.param(replace(one_care(), first_name="Jordon"), TODAY, Code.NO_MATCH,
                 id="oc-first-name"),
    # DECEASED: a date of death on or before E.
    pytest.param(sco(date_of_death=date(2026, 11, 10)), TODAY, Code.DECEASED,
                 id="sco-deceased"),
    pytest.param(sco(date_of_death=E), TODAY, Code.DECEASED, id="sco-deceased-on-E"),
    pytest.param(one_care(date_of_death=date(2026, 11, 10)), TODAY, Code.DECEASED,
                 id="oc-deceased"),
    # COVERAGE: SCO needs Standard; One Care Standard or CommonHealth; active on E.
    pytest.param(sco(coverage_type="COMMONHEALTH"), TODAY, Code.COVERAGE,
                 id="sco-commonhealth"),
    pytest.param(sco(coverage_end=MONTH_END), TODAY, Code.COVERAGE, id="sco-coverage-ended"),
    pytest.param(sco(coverage_start=date(2026, 12, 2)), TODAY, Code.COVERAGE,
                 id="sco-coverage-starts-after-E"),
    pytest.param(one_care(coverage_type="CAREPLUS"), TODAY, Code.COVERAGE, id="oc-careplus"),
    pytest.param(one_care(coverage_end=MONTH_END), TODAY, Code.COVERAGE,
                 id="oc-coverage-ended"),
    # MEDICARE: Parts A and B on E (SCO only from 2026-01-01).
    pytest.param(sco(medicare_a_start=None), TODAY, Code.MEDICARE, id="sco-no-part-a"),
    pytest.param(sco(medicare_b_start=date(2026, 12, 2)), TODAY, Code.MEDICARE,
                 id="sco-part-b-after-E"),
    pytest.param(one_care(medicare_b_start=None), TODAY, Code.MEDICARE, id="oc-no-part-b"),
    pytest.param(one_care(medicare_a_start=None, medicare_b_start=None), date(2025, 11, 15),
                 Code.MEDICARE, id="oc-no-medicare-2025"),
    # AGE: SCO 65+, One Care 21-64, on E.
    pytest.param(sco(date_of_birth=date(1962, 1, 15)), TODAY, Code.AGE, id="sco-64"),
    pytest.param(one_care(date_of_birth=date(1961, 6, 1)), TODAY, Code.AGE, id="oc-65"),
    pytest.param(one_care(date_of_birth=date(2005, 12, 2)), TODAY, Code.AGE, id="oc-20"),
    # SERVICE_AREA: the member's county is not the plan's.
    pytest.param(sco(county="Dukes"), TODAY, Code.SERVICE_AREA, id="sco-dukes"),
    pytest.param(one_care(county="Berkshire"), TODAY, Code.SERVICE_AREA, id="oc-berkshire"),
    # SCO-only exclusions.
    pytest.param(sco(esrd=True), TODAY, Code.ESRD, id="sco-esrd"),
    pytest.param(sco(deductible_period=True), TODAY, Code.DEDUCTIBLE, id="sco-deductible"),
    pytest.param(sco(residence="ICF_IID"), TODAY, Code.RESIDENCE, id="sco-icf-iid"),
    pytest.param(sco(residence="CHRONIC_REHAB_INPATIENT"), TODAY, Code.RESIDENCE,
                 id="sco-chronic-rehab"),
    # RATE_CELL: program + category + region, effective on E.
    pytest.param(sco(rating_category="C2A"), TODAY, Code.RATE_CELL,
                 id="sco-one-care-category"),
    pytest.param(replace(sco(), rate_cells=cells_changed(effective_to=MONTH_END)), TODAY,
                 Code.RATE_CELL, id="sco-cell-ended-before-E"),
    pytest.param(replace(sco(), rate_cells=cells_changed(effective_from=date(2026, 12, 2))),
                 TODAY, Code.RATE_CELL, id="sco-cell-starts-after-E"),
    pytest.param(replace(sco(county="Worcester"),
                         rate_cells=tuple(c for c in RATE_CELLS if c.region == "GB")),
                 TODAY, Code.RATE_CELL, id="sco-no-cell-for-region"),
    pytest.param(one_care(rating_category="CW"), TODAY, Code.RATE_CELL,
                 id="oc-sco-category"),
    # ALREADY_ENROLLED: another SCO or One Care plan in force on E.
    pytest.param(sco(spans=(span(OTHER_SCO_ID, date(2024, 1, 1)),)), TODAY,
                 Code.ALREADY_ENROLLED, id="sco-other-sco-open"),
    pytest.param(sco(spans=(span(OTHER_OC_ID, date(2024, 1, 1), E),)), TODAY,
                 Code.ALREADY_ENROLLED, id="sco-one-care-ends-on-E"),
    pytest.param(one_care(spans=(span(SCO_PLAN.provider_id, date(2024, 1, 1)),)), TODAY,
                 Code.ALREADY_ENROLLED, id="oc-sco-open"),
    pytest.param(one_care(spans=(span(OTHER_OC_ID, E),)), TODAY,
                 Code.ALREADY_ENROLLED, id="oc-other-one-care-pending"),
    # DUPLICATE: this plan's enrollment already in force on E.
    pytest.param(sco(spans=(span(SCO_PLAN.provider_id, E),)), TODAY, Code.DUPLICATE,
                 id="sco-two-clerks"),
    pytest.param(sco(spans=(span(SCO_PLAN.provider_id, date(2024, 1, 1)),)), TODAY,
                 Code.DUPLICATE, id="sco-already-current"),
    pytest.param(one_care(spans=(span(OC_PLAN.provider_id, E),)), TODAY, Code.DUPLICATE,
                 id="oc-two-clerks"),
]


@pytest.mark.parametrize(("request_", "today", "code"), REJECTIONS)
def test_each_rule_rejects_on_its_own(request_: MmisRequest, today: date, code: Code) -> None:
    response = validate(request_, today=today)
    assert not response.accepted
    assert response.codes == (code,)
    assert response.errors[0].message == message(Action.ENROLL, code, **_fields(request_, today))
    assert response.effective_date == enrollment_effective_date(today)
    assert response.rate_cell is None


def _fields(request_: MmisRequest, today: date) -> dict[str, str]:
    """Return every field a sentence may name, for comparing messages."""
    program = validator.PROGRAM_NAMES[request_.program]
    e = enrollment_effective_date(today)
    return {"program": program, "date": f"{e:%m/%d/%Y}",
            "coverage": validator.COVERAGE_NAMES[request_.program],
            "ages": validator.AGE_NAMES[request_.program]}


def test_every_code_is_covered_by_a_rejection_case() -> None:
    covered = {case.values[2] for case in REJECTIONS}
    assert covered == set(Code) - {Code.NOT_ENROLLED}


FAILING_CASE: dict[Rule, MmisRequest] = {
    validator.check_deceased: sco(date_of_death=date(2026, 11, 10)),
    validator.check_coverage: sco(coverage_type="COMMONHEALTH"),
    validator.check_medicare: sco(medicare_b_start=None),
    validator.check_age: sco(date_of_birth=date(1962, 1, 15)),
    validator.check_service_area: sco(county="Nantucket"),
    validator.check_esrd: sco(esrd=True),
    validator.check_deductible: sco(deductible_period=True),
    validator.check_residence: sco(residence="ICF_IID"),
    validator.check_rate_cell: sco(rating_category="C1"),
    validator.check_already_enrolled: sco(spans=(span(OTHER_OC_ID, date(2024, 1, 1)),)),
    validator.check_duplicate: sco(spans=(span(SCO_PLAN.provider_id, E),)),
}


def test_every_rule_has_a_failing_case() -> None:
    assert len(set(RULES)) == len(RULES)
    assert set(FAILING_CASE) == set(RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_every_rule_is_needed(rule: Rule) -> None:
    request_ = FAILING_CASE[rule]
    assert not validate(request_, today=TODAY).accepted
    without = tuple(other for other in RULES if other is not rule)
    assert validate(request_, today=TODAY, rules=without).accepted


# ------------------------------------------------------------------------ age

@pytest.mark.parametrize(
    ("request_", "today", "accepted"),
    [
        pytest.param(sco(date_of_birth=date(1961, 11, 20)), TODAY, True,
                     id="sco-turns-65-this-month"),
        pytest.param(sco(date_of_birth=date(1961, 12, 1)), TODAY, True,
                     id="sco-turns-65-on-E"),
        pytest.param(sco(date_of_birth=date(1961, 12, 2)), TODAY, False,
                     id="sco-turns-65-on-the-2nd-of-next-month"),
        pytest.param(one_care(date_of_birth=date(1961, 11, 20)), TODAY, False,
                     id="oc-turns-65-this-month"),
        pytest.param(one_care(date_of_birth=date(2005, 11, 20)), TODAY, True,
                     id="oc-turns-21-this-month"),
        # Born 29 February 1960: 65 from 1 March 2025 (a common year).
        pytest.param(sco(date_of_birth=date(1960, 2, 29)), date(2025, 2, 15), True,
                     id="sco-feb-29-turns-65-in-february"),
        pytest.param(sco(date_of_birth=date(1960, 2, 29)), date(2025, 1, 15), False,
                     id="sco-feb-29-still-64-on-february-1"),
        # Born 29 February 1964: 64 on 1 March 2028 (leap year), 65 on 1 March 2029.
        pytest.param(one_care(date_of_birth=date(1964, 2, 29)), date(2028, 2, 10), True,
                     id="oc-feb-29-64-in-leap-year"),
        pytest.param(one_care(date_of_birth=date(1964, 2, 29)), date(2029, 2, 10), False,
                     id="oc-feb-29-65-next-year"),
    ],
)
def test_age_is_counted_on_the_effective_date(
    request_: MmisRequest, today: date, accepted: bool
) -> None:
    response = validate(request_, today=today)
    assert response.accepted is accepted
    assert response.codes == (() if accepted else ("AGE",))


# ------------------------------------------------------------------- Medicare

NO_MEDICARE = {"medicare_a_start": None, "medicare_b_start": None}


@pytest.mark.parametrize(
    ("request_", "today", "accepted"),
    [
        pytest.param(sco(**NO_MEDICARE), date(2025, 11, 15), True,
                     id="2025-12-01-no-medicare-needed"),
        pytest.param(sco(**NO_MEDICARE), date(2025, 12, 15), False,
                     id="2026-01-01-medicare-required"),
        pytest.param(sco(medicare_a_start=None), date(2025, 12, 31), False,
                     id="2026-01-01-part-a-missing"),
        pytest.param(sco(medicare_b_end=MONTH_END), TODAY, False, id="part-b-ended-before-E"),
        pytest.param(sco(medicare_b_end=E), TODAY, True, id="part-b-ends-on-E"),
        pytest.param(sco(medicare_a_end=E, medicare_b_end=E), TODAY, True,
                     id="both-parts-end-on-E"),
    ],
)
def test_sco_medicare_rule_starts_in_2026(
    request_: MmisRequest, today: date, accepted: bool
) -> None:
    response = validate(request_, today=today)
    assert response.accepted is accepted
    assert response.codes == (() if accepted else ("MEDICARE",))


@pytest.mark.parametrize(
    ("changes", "day", "status"),
    [
        ({}, E, "C"),
        ({"medicare_b_start": None}, E, "A"),
        ({"medicare_a_start": None}, E, "B"),
        (NO_MEDICARE, E, "E"),
        ({"medicare_a_end": MONTH_END}, E, "B"),
        ({"medicare_b_end": MONTH_END}, E, "A"),
        ({"medicare_a_end": E, "medicare_b_end": E}, E, "C"),
        ({"medicare_a_start": E, "medicare_b_start": date(2026, 12, 2)}, E, "A"),
        ({"medicare_a_start": date(2026, 12, 2), "medicare_b_start": date(2026, 12, 2)}, E, "E"),
        ({"medicare_a_end": MONTH_END, "medicare_b_end": MONTH_END}, MONTH_END, "C"),
    ],
)
def test_medicare_status_on(changes: dict[str, date | None], day: date, status: str) -> None:
    assert medicare_status_on(replace(SCO_MEMBER, **changes), day) == status


# ------------------------------------------------------------ combined and stops

def test_every_failing_rule_is_reported_together() -> None:
    request_ = sco(medicare_a_start=None, date_of_birth=date(1962, 1, 15), county="Dukes",
                   esrd=True, deductible_period=True,
                   spans=(span(OTHER_SCO_ID, date(2024, 1, 1)),))
    response = validate(request_, today=TODAY)
    assert not response.accepted
    assert response.codes == ("MEDICARE", "AGE", "SERVICE_AREA", "ESRD", "DEDUCTIBLE",
                              "ALREADY_ENROLLED")
    assert all("12/01/2026" in e.message for e in response.errors
               if e.code in (Code.MEDICARE, Code.AGE, Code.ALREADY_ENROLLED))


def _ineligible_everywhere() -> MmisRequest:
    """Return a request that fails every member rule."""
    return sco(date_of_death=date(2026, 1, 5), coverage_type="NONE", medicare_a_start=None,
               date_of_birth=date(1990, 7, 4), county="Dukes", esrd=True,
               deductible_period=True, residence="ICF_IID", rating_category="C1",
               spans=(span(OTHER_OC_ID, date(2024, 1, 1)), span(SCO_PLAN.provider_id, E)))


def test_the_ineligible_everywhere_request_fails_every_rule() -> None:
    assert len(validate(_ineligible_everywhere(), today=TODAY).errors) == len(RULES)


def _reveals_member(text: str) -> bool:
    member = _ineligible_everywhere().member
    assert member is not None
    return any(value.casefold() in text.casefold() for value in (
        member.member_id, member.last_name, member.first_name, member.county,
        f"{member.date_of_birth:%m/%d/%Y}", f"{date(2026, 1, 5):%m/%d/%Y}",
    ))


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize(
    ("changes", "code"),
    [
        pytest.param({"user_provider_ids": frozenset()}, Code.PROVIDER, id="provider"),
        pytest.param({"user_provider_ids": frozenset(), "last_name": "Nobody"}, Code.PROVIDER,
                     id="provider-before-no-match"),
        pytest.param({"last_name": "Nobody"}, Code.NO_MATCH, id="no-match"),
        pytest.param({"member": None}, Code.NO_MATCH, id="no-member"),
    ],
)
def test_provider_and_no_match_stop_the_check(
    changes: dict[str, object], code: Code, action: Action
) -> None:
    request_ = replace(_ineligible_everywhere(), action=action, **changes)
    response = validate(request_, today=TODAY)
    assert not response.accepted
    assert response.codes == (code,)
    assert not _reveals_member(response.errors[0].message)
    assert response.rate_cell is None and response.span is None


def test_no_match_says_only_that_no_member_matches() -> None:
    response = validate(replace(sco(), first_name="Averie"), today=TODAY)
    assert response.errors[0].message == (
        "No member matches this Member ID, Last Name and First Name."
    )


# -------------------------------------------------------------- calendar edges

def test_year_end() -> None:
    today = date(2026, 12, 31)
    enrollment = validate(sco(date_of_birth=date(1962, 1, 1)), today=today)
    assert enrollment.accepted
    assert enrollment.effective_date == date(2027, 1, 1)
    rejected = validate(sco(date_of_birth=date(1962, 1, 2)), today=today)
    assert rejected.codes == ("AGE",)
    assert "01/01/2027" in rejected.errors[0].message
    disenrollment = validate(
        sco(action=Action.DISENROLL, spans=(span(SCO_PLAN.provider_id, date(2024, 1, 1)),)),
        today=today,
    )
    assert disenrollment.accepted
    assert disenrollment.effective_date == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("today", "enrolls_on", "ends_on"),
    [
        (date(2028, 2, 10), date(2028, 3, 1), date(2028, 2, 29)),
        (date(2027, 2, 10), date(2027, 3, 1), date(2027, 2, 28)),
    ],
)
def test_february(today: date, enrolls_on: date, ends_on: date) -> None:
    assert validate(sco(), today=today).effective_date == enrolls_on
    disenrollment = validate(
        sco(action=Action.DISENROLL, spans=(span(SCO_PLAN.provider_id, date(2024, 1, 1)),)),
        today=today,
    )
    assert disenrollment.effective_date == ends_on


# --------------------------------------------------------------- disenrollment

CURRENT = span(SCO_PLAN.provider_id, date(2024, 1, 1))


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(sco(action=Action.DISENROLL), id="no-spans"),
        pytest.param(sco(action=Action.DISENROLL, spans=(span(OTHER_SCO_ID, date(2024, 1, 1)),)),
                     id="other-sco-plan"),
        pytest.param(sco(action=Action.DISENROLL, spans=(span(OTHER_OC_ID, E),)),
                     id="other-one-care-plan-pending"),
        pytest.param(sco(action=Action.DISENROLL,
                         spans=(span(SCO_PLAN.provider_id, date(2024, 1, 1), date(2026, 11, 21),
                                     accepted=True),)),
                     id="own-span-ended-yesterday"),
        pytest.param(one_care(action=Action.DISENROLL,
                              spans=(span(SCO_PLAN.provider_id, date(2024, 1, 1)),)),
                     id="oc-only-sco-span"),
    ],
)
def test_disenrollment_without_enrollment_is_not_enrolled(request_: MmisRequest) -> None:
    response = validate(request_, today=TODAY)
    assert not response.accepted
    assert response.codes == ("NOT_ENROLLED",)
    assert response.errors[0].message == (
        "The member has no current or pending enrollment with this plan."
    )
    assert response.effective_date == MONTH_END


@pytest.mark.parametrize(
    ("spans", "today", "ends"),
    [
        pytest.param((span(SCO_PLAN.provider_id, date(2024, 1, 1), MONTH_END, accepted=True),),
                     TODAY, "11/30/2026", id="current-span-ending"),
        pytest.param((span(SCO_PLAN.provider_id, date(2024, 1, 1), MONTH_END, accepted=True),),
                     MONTH_END, "11/30/2026", id="on-its-last-day"),
        pytest.param((span(SCO_PLAN.provider_id, date(2024, 1, 1), date(2026, 12, 31),
                           accepted=True),),
                     TODAY, "12/31/2026", id="names-the-span-end-not-this-month-end"),
    ],
)
def test_second_disenrollment_is_duplicate_naming_the_end_date(
    spans: tuple[SpanRecord, ...], today: date, ends: str
) -> None:
    response = validate(sco(action=Action.DISENROLL, spans=spans), today=today)
    assert not response.accepted
    assert response.codes == ("DUPLICATE",)
    assert response.errors[0].message == (
        f"A disenrollment from this plan was already accepted; the enrollment ends on {ends}."
    )


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(sco(action=Action.DISENROLL, spans=(CURRENT,)), id="sco"),
        pytest.param(sco(action=Action.DISENROLL,
                         spans=(span(OTHER_SCO_ID, date(2020, 1, 1), date(2023, 12, 31)),
                                CURRENT)),
                     id="sco-with-past-other-plan"),
        pytest.param(one_care(action=Action.DISENROLL,
                              spans=(span(OC_PLAN.provider_id, date(2024, 1, 1)),)),
                     id="one-care"),
    ],
)
def test_disenrollment_ends_the_span_on_the_last_day_of_the_month(
    request_: MmisRequest,
) -> None:
    response = validate(request_, today=TODAY)
    assert response.accepted
    assert response.errors == ()
    assert response.effective_date == MONTH_END
    assert response.span == request_.spans[-1]
    assert not response.cancellation


@pytest.mark.parametrize(
    ("own_span", "cancellation", "effective"),
    [
        pytest.param(span(SCO_PLAN.provider_id, E), True, E, id="pending-is-cancelled"),
        pytest.param(span(SCO_PLAN.provider_id, TODAY), False, MONTH_END,
                     id="started-today-is-ended"),
        pytest.param(span(SCO_PLAN.provider_id, date(2024, 1, 1), TODAY), False, MONTH_END,
                     id="ending-today-is-ended"),
    ],
)
def test_disenrollment_before_the_start_cancels_the_span(
    own_span: SpanRecord, cancellation: bool, effective: date
) -> None:
    response = validate(sco(action=Action.DISENROLL, spans=(own_span,)), today=TODAY)
    assert response.accepted
    assert response.span == own_span
    assert response.cancellation is cancellation
    assert response.effective_date == effective


def test_disenrollment_cancels_a_pending_span_after_an_ended_one() -> None:
    ended = span(SCO_PLAN.provider_id, date(2024, 1, 1), MONTH_END, accepted=True)
    pending = span(SCO_PLAN.provider_id, E)
    response = validate(sco(action=Action.DISENROLL, spans=(ended, pending)), today=TODAY)
    assert response.accepted
    assert response.span == pending
    assert response.cancellation
    assert response.effective_date == E


def test_disenrollment_ends_the_current_span_before_a_later_pending_one() -> None:
    # A current span whose end MMIS already set, then a new enrollment with the same plan.
    current = span(SCO_PLAN.provider_id, date(2024, 1, 1), MONTH_END)
    pending = span(SCO_PLAN.provider_id, E)
    response = validate(sco(action=Action.DISENROLL, spans=(pending, current)), today=TODAY)
    assert response.accepted
    assert response.span == current
    assert not response.cancellation
    assert response.effective_date == MONTH_END


def test_eligibility_rules_do_not_apply_to_disenrollment() -> None:
    request_ = replace(_ineligible_everywhere(), action=Action.DISENROLL,
                       spans=(CURRENT,), rate_cells=())
    response = validate(request_, today=TODAY)
    assert response.accepted
    assert response.effective_date == MONTH_END
    assert response.span == CURRENT


# -------------------------------------------------------------------- messages

def test_every_code_has_a_sentence_for_the_actions_that_use_it() -> None:
    enroll = {code for action, code in validator.MESSAGES if action == Action.ENROLL}
    disenroll = {code for action, code in validator.MESSAGES if action == Action.DISENROLL}
    assert enroll == set(Code) - {Code.NOT_ENROLLED}
    assert disenroll == {Code.PROVIDER, Code.NO_MATCH, Code.NOT_ENROLLED, Code.DUPLICATE}


@pytest.mark.parametrize(
    ("request_", "code", "expected"),
    [
        (sco(coverage_type="COMMONHEALTH"), Code.COVERAGE,
         "The member does not have MassHealth Standard on 12/01/2026, as SCO requires."),
        (one_care(coverage_type="LIMITED"), Code.COVERAGE,
         "The member does not have MassHealth Standard or CommonHealth on 12/01/2026, "
         "as One Care requires."),
        (sco(date_of_birth=date(1970, 1, 1)), Code.AGE,
         "The member is not 65 or older on 12/01/2026, as SCO requires."),
        (one_care(date_of_birth=date(1950, 1, 1)), Code.AGE,
         "The member is not 21 through 64 on 12/01/2026, as One Care requires."),
        (replace(one_care(), user_provider_ids=frozenset()), Code.PROVIDER,
         "This Provider ID is not one of your One Care plans."),
    ],
)
def test_sentences_name_the_program_and_the_date(
    request_: MmisRequest, code: Code, expected: str
) -> None:
    response = validate(request_, today=TODAY)
    assert response.codes == (code,)
    assert response.errors[0].message == expected


# ------------------------------------------------------- several Member IDs (issue 17)
# Enrollment Operations linked another Member ID to the member (job aid "Reporting Multiple
# IDs"): its spans come with ``linked_id`` set, and MMIS sees the person, not the ID.

LINKED_ID = "100000000099"


def linked(provider_id: str, start: date, end: date | None = None, *,
           accepted: bool = False) -> SpanRecord:
    """Return a span of the member's linked Member ID."""
    return replace(span(provider_id, start, end, accepted=accepted), linked_id=LINKED_ID)


@pytest.mark.parametrize(
    ("request_", "codes"),
    [
        pytest.param(sco(spans=(linked(OTHER_SCO_ID, date(2024, 1, 1)),)),
                     ("ALREADY_ENROLLED",), id="linked-id-in-another-sco-plan"),
        pytest.param(sco(spans=(linked(OTHER_OC_ID, date(2024, 1, 1), date(2026, 12, 31)),)),
                     ("ALREADY_ENROLLED",), id="linked-id-in-one-care-until-after-E"),
        pytest.param(sco(spans=(linked(OTHER_SCO_ID, date(2027, 2, 1)),)),
                     ("ALREADY_ENROLLED",), id="linked-id-pending-in-another-plan"),
        pytest.param(sco(spans=(linked(SCO_PLAN.provider_id, date(2024, 1, 1)),)),
                     ("DUPLICATE",), id="linked-id-already-in-this-plan"),
    ],
)
def test_enrollment_sees_the_spans_of_every_linked_id(request_: MmisRequest,
                                                      codes: tuple[str, ...]) -> None:
    response = validate(request_, today=TODAY)
    assert not response.accepted
    assert response.codes == codes


@pytest.mark.parametrize(
    "spans",
    [
        pytest.param((linked(OTHER_SCO_ID, date(2024, 1, 1), MONTH_END, accepted=True),),
                     id="linked-id-leaves-before-E"),
        pytest.param((SpanRecord("130000001A", "MCO", date(2024, 1, 1), linked_id=LINKED_ID),),
                     id="linked-id-in-an-mco"),
    ],
)
def test_a_linked_id_that_is_not_enrolled_on_e_does_not_block(
        spans: tuple[SpanRecord, ...]) -> None:
    assert validate(sco(spans=spans), today=TODAY).accepted


def test_disenrollment_ends_only_a_span_of_the_id_it_names() -> None:
    """The 834 loop carries the typed ID: a linked ID's span is ended by naming that ID."""
    response = validate(sco(action=Action.DISENROLL,
                            spans=(linked(SCO_PLAN.provider_id, date(2024, 1, 1)),)),
                        today=TODAY)
    assert response.codes == ("NOT_ENROLLED",)


def test_disenrollment_duplicate_looks_at_the_named_id_only() -> None:
    """A linked ID's accepted disenrollment is not this ID's: NOT_ENROLLED, not DUPLICATE."""
    spans = (linked(SCO_PLAN.provider_id, date(2024, 1, 1), MONTH_END, accepted=True),)
    response = validate(sco(action=Action.DISENROLL, spans=spans), today=TODAY)
    assert response.codes == ("NOT_ENROLLED",)
