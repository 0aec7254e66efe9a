"""import_members: the member eligibility feed, all or nothing (contracts/member-feed.md)."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from posc.exceptions import ImportRejected
from posc.members import importer
from posc.members.demo import CCA_SCO, FALLON_SCO, TUFTS_ONE_CARE
from posc.members.importer import NAMES, members_import
from posc.members.models import EnrollmentSpan, Member, Program
from tests.factories import MemberFactory, SpanFactory
from tests.members.helpers import MCO, NOW, ROW, SAMPLE, TODAY, feed

pytestmark = pytest.mark.django_db


def row(**changes: str) -> dict:
    """Return the valid row with *changes*."""
    return {**ROW, **changes}


def run(path: Path, *args: str) -> tuple[str, str]:
    """Run the command successfully; return its stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_members", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(path: Path, *args: str) -> list[str]:
    """Run the command expecting a refusal; return the lines it wrote to stderr."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_members", str(path), *args, stdout=out, stderr=err)
    assert out.getvalue() == ""
    return err.getvalue().splitlines()


def test_sample_imports_three_members_with_canonical_values_and_two_spans(tmp_path, plans):
    path = tmp_path / "sample.csv"
    path.write_text(SAMPLE, encoding="utf-8")

    out, _ = run(path)

    assert out == "imported 3 members (3 created, 0 updated)\n"
    rose = Member.objects.get(pk="100000000001")
    assert (rose.last_name, rose.first_name, rose.middle_initial) == ("EXAMPLE", "ROSE", "A")
    assert rose.date_of_birth == datetime.date(1950, 4, 12)
    assert (rose.sex, rose.coverage_type, rose.county, rose.residence) == (
        "F", "STANDARD", "Suffolk", "COMMUNITY")
    assert rose.coverage_start == datetime.date(2016, 7, 1) and rose.coverage_end is None
    assert rose.medicare_a_start == rose.medicare_b_start == datetime.date(2015, 4, 1)
    assert (rose.mbi, rose.address_line1, rose.city, rose.zip) == (
        "1EG4TE5MK72", "12 SAMPLE ST", "BOSTON", "02118")
    assert (rose.rating_category, rose.esrd, rose.deductible_period) == ("CW", False, False)
    assert Member.objects.get(pk="100000000002").middle_initial == ""
    spans = {s.member_id: s for s in EnrollmentSpan.objects.select_related("plan")}
    assert set(spans) == {"100000000002", "100000000003"}
    one_care, sco = spans["100000000002"], spans["100000000003"]
    assert (one_care.plan.provider_id, one_care.program, one_care.start_date) == (
        TUFTS_ONE_CARE, Program.ONE_CARE, datetime.date(2024, 2, 1))
    assert (sco.plan.provider_id, sco.program, sco.start_date) == (
        CCA_SCO, Program.SCO, datetime.date(2022, 10, 1))
    for span in spans.values():
        assert span.end_date is None and not span.cancelled
        assert span.source == EnrollmentSpan.Source.FEED


def test_reimport_updates_changed_members_without_duplicates(tmp_path, plans):
    first = tmp_path / "first.csv"
    first.write_text(SAMPLE, encoding="utf-8")
    run(first)
    second = tmp_path / "second.csv"
    second.write_text(SAMPLE.replace("4 DEMO AVE,WORCESTER", "9 OTHER ST,WORCESTER"),
                      encoding="utf-8")

    assert run(second)[0] == "imported 3 members (0 created, 1 updated)\n"
    assert run(second)[0] == "imported 3 members (0 created, 0 updated)\n"
    assert Member.objects.count() == 3
    assert Member.objects.get(pk="100000000002").address_line1 == "9 OTHER ST"
    assert EnrollmentSpan.objects.count() == 2


def test_new_and_existing_members_are_counted_apart(tmp_path, plans):
    MemberFactory(member_id=ROW["member_id"], last_name="OLDNAME")
    path = feed(tmp_path, [row(last_name="NEWNAME"), row(member_id="100000000009")])

    assert run(path)[0] == "imported 2 members (1 created, 1 updated)\n"
    assert Member.objects.get(pk=ROW["member_id"]).last_name == "NEWNAME"


def test_enumerations_match_ignoring_case_and_are_stored_canonical(tmp_path, plans):
    path = feed(tmp_path, [row(
        sex=" f ", coverage_type="commonHealth", county="SUFFOLK", residence="nursing_facility",
        rating_category="c2a", esrd="y", deductible_period="Y", middle_initial="a",
        mbi="1eg4te5mk72", current_plan_provider_id="120000002a", current_plan_start="2024-02-01",
    )])

    run(path)

    member = Member.objects.get(pk=ROW["member_id"])
    assert (member.sex, member.coverage_type, member.county, member.residence) == (
        "F", "COMMONHEALTH", "Suffolk", "NURSING_FACILITY")
    assert (member.rating_category, member.esrd, member.deductible_period) == ("C2A", True, True)
    assert (member.middle_initial, member.mbi) == ("A", "1EG4TE5MK72")
    assert EnrollmentSpan.objects.get().plan == plans[TUFTS_ONE_CARE]


def test_columns_in_any_order_and_optional_ones_absent(tmp_path, plans):
    optional = {"middle_initial", "mbi", "date_of_death", "coverage_end", "medicare_a_end",
                "medicare_b_end", "current_plan_provider_id", "current_plan_start"}
    header = tuple(reversed([n for n in NAMES if n not in optional]))

    run(feed(tmp_path, [row(), row(member_id="100000000002", address_line1="1 A ST, APT 2")],
             header=header))

    assert Member.objects.get(pk="100000000002").address_line1 == "1 A ST, APT 2"
    assert Member.objects.get(pk=ROW["member_id"]).mbi == ""


def test_bom_and_crlf_line_ends_are_read(tmp_path, plans):
    path = tmp_path / "windows.csv"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.replace("\n", "\r\n").encode())

    assert run(path)[0] == "imported 3 members (3 created, 0 updated)\n"


@pytest.mark.parametrize(("header", "problem"), [
    ((*NAMES[:-1], "current_plan_stat"), "line 1: current_plan_stat: unknown column"),
    (tuple(n for n in NAMES if n != "zip"), "line 1: zip: required column missing"),
    ((*NAMES, "sex"), "line 1: sex: column repeated"),
])
def test_header_problems_are_refused(tmp_path, plans, header, problem):
    assert problem in refused(feed(tmp_path, [row()], header=header))
    assert not Member.objects.exists()


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")

    assert refused(path)[0] == "line 1: header: the file is empty"


# (changes to the valid row, the problem reported for it on line 3)
BAD_ROWS = [
    ({"member_id": "12345"}, "member_id: must be 12 digits, not '12345'"),
    ({"member_id": "1000000000O1"}, "member_id: must be 12 digits, not '1000000000O1'"),
    ({"last_name": "  "}, "last_name: is required"),
    ({"last_name": "1234"}, "last_name: must contain a letter A-Z, not '1234'"),
    ({"first_name": "A" * 36}, "first_name: is longer than 35 characters"),
    ({"middle_initial": "AB"}, "middle_initial: must be one letter, not 'AB'"),
    ({"city": "BOS\tTON"}, "city: contains a line break or another non-printing character"),
    ({"address_line1": "X" * 101}, "address_line1: is longer than 100 characters"),
    ({"date_of_birth": "04/12/1950"}, "date_of_birth: must be a date YYYY-MM-DD, not '04/12/1950'"),
    ({"date_of_birth": "1950-02-30"}, "date_of_birth: is not a calendar date: 1950-02-30"),
    ({"coverage_start": ""}, "coverage_start: is required"),
    ({"coverage_end": "2016-06-30"}, "coverage_end: is before coverage_start (2016-07-01)"),
    ({"medicare_a_end": "2015-03-31"}, "medicare_a_end: is before medicare_a_start (2015-04-01)"),
    ({"medicare_b_start": "", "medicare_b_end": "2020-01-31"},
     "medicare_b_end: is given without medicare_b_start"),
    ({"date_of_death": "1950-04-11"}, "date_of_death: is before date_of_birth (1950-04-12)"),
    ({"sex": "X"}, "sex: must be one of F, M, U, not 'X'"),
    ({"coverage_type": "GOLD"}, "coverage_type: must be one of STANDARD, COMMONHEALTH, CAREPLUS, "
                                "FAMILY_ASSISTANCE, LIMITED, NONE, not 'GOLD'"),
    ({"county": "Kings"}, "county: must be one of Barnstable, Berkshire, Bristol, Dukes, Essex, "
                          "Franklin, Hampden, Hampshire, Middlesex, Nantucket, Norfolk, "
                          "Plymouth, Suffolk, Worcester, not 'Kings'"),
    ({"residence": "HOTEL"}, "residence: must be one of COMMUNITY, NURSING_FACILITY, ICF_IID, "
                             "CHRONIC_REHAB_INPATIENT, not 'HOTEL'"),
    ({"rating_category": "C4"}, "rating_category: must be one of CW, CNHC, T1, T2, T3, F1, C3A, "
                                "C3B, C2A, C2B, C1, not 'C4'"),
    ({"esrd": "yes"}, "esrd: must be one of Y, N, not 'yes'"),
    ({"deductible_period": "1"}, "deductible_period: must be one of Y, N, not '1'"),
    ({"mbi": "1SG4TE5MK72"}, "mbi: must be an MBI in the CMS format, not '1SG4TE5MK72'"),
    ({"mbi": "1EG4TE5MK7"}, "mbi: must be an MBI in the CMS format, not '1EG4TE5MK7'"),
    ({"zip": "2118"}, "zip: must be 5 digits, not '2118'"),
    ({"current_plan_start": "2024-02-01"},
     "current_plan_start: is given without current_plan_provider_id"),
    ({"current_plan_provider_id": CCA_SCO},
     "current_plan_start: is required with current_plan_provider_id"),
    ({"current_plan_provider_id": CCA_SCO, "current_plan_start": "2024-02-15"},
     "current_plan_start: must be the first day of a month, not 2024-02-15"),
    ({"current_plan_provider_id": "119999999A", "current_plan_start": "2024-02-01"},
     "current_plan_provider_id: no plan has the provider ID '119999999A'"),
    ({"current_plan_provider_id": MCO, "current_plan_start": "2024-02-01"},
     f"current_plan_provider_id: {MCO} is not an SCO or One Care plan (MCO)"),
]


@pytest.mark.parametrize(("changes", "problem"), BAD_ROWS)
def test_each_bad_value_is_named_on_its_line_and_nothing_is_written(
        tmp_path, plans, changes, problem):
    path = feed(tmp_path, [row(member_id="100000000002"), row(**changes)])

    assert refused(path) == [f"line 3: {problem}"]
    assert not Member.objects.exists()


def test_a_file_with_several_bad_lines_names_each_and_writes_nothing(tmp_path, plans):
    kept = MemberFactory(member_id="100000000050", last_name="KEPT")
    rows = [row(member_id=f"1000000000{n:02d}", **changes)
            for n, (changes, _) in enumerate(BAD_ROWS, 10)
            if "member_id" not in changes]
    rows.insert(3, row(member_id="100000000050", last_name="CHANGED"))  # a good row: line 5

    lines = refused(feed(tmp_path, rows))

    named = {int(line.split(":")[0].removeprefix("line ")) for line in lines}
    assert named == set(range(2, len(rows) + 2)) - {5}
    assert not Member.objects.exclude(pk=kept.pk).exists()
    kept.refresh_from_db()
    assert kept.last_name == "KEPT"


def test_birth_date_after_today_is_refused(tmp_path, plans):
    path = feed(tmp_path, [row(date_of_birth="2025-01-15"), row(member_id="100000000002",
                                                                date_of_birth="2025-01-16")])

    with pytest.raises(ImportRejected) as refusal:
        members_import(path=path, today=TODAY, now=NOW)

    assert refusal.value.extra["problems"] == [
        "line 3: date_of_birth: is in the future (2025-01-16)"]


def test_birth_date_before_1800_is_refused(tmp_path, plans):
    """Found by tests/property: 0001-01-01 was imported, enrolled, and broke the 834 (DMG02)."""
    path = feed(tmp_path, [row(date_of_birth="1800-01-01"), row(member_id="100000000002",
                                                                date_of_birth="0001-01-01")])

    with pytest.raises(ImportRejected) as refusal:
        members_import(path=path, today=TODAY, now=NOW)

    assert refusal.value.extra["problems"] == [
        "line 3: date_of_birth: is before 1800-01-01 (0001-01-01)"]
    assert not Member.objects.exists()


def test_repeated_member_id_names_both_lines(tmp_path, plans):
    path = feed(tmp_path, [row(), row(member_id="100000000002"), row(city="SALEM")])

    assert refused(path) == [
        "line 2: member_id: 100000000001 is repeated: also on line 4",
        "line 4: member_id: 100000000001 is repeated: also on line 2",
    ]


def test_wrong_field_count_and_bad_bytes_are_named(tmp_path, plans):
    path = feed(tmp_path, [row(), row(member_id="100000000002")])
    text = path.read_bytes().splitlines()
    text[1] += b",EXTRA"
    text[2] = text[2].replace(b"SAMPLE ST", b"SAMPLE \xff ST")
    path.write_bytes(b"\n".join(text) + b"\n")

    assert refused(path) == [
        "line 2: row: has 26 fields, the header 25",
        "line 3: address_line1: is not valid UTF-8",
    ]


def test_quoted_field_with_a_line_break_keeps_the_line_numbers_right(tmp_path, plans):
    path = feed(tmp_path, [
        row(address_line1="12 SAMPLE ST,\nAPT 4"),  # lines 2 and 3
        row(member_id="100000000002", address_line1='4 "DEMO" AVE, APT 1'),  # line 4
        row(member_id="100000000003", zip="1103"),  # line 5
    ])

    assert refused(path) == [
        "line 2: address_line1: contains a line break or another non-printing character",
        "line 5: zip: must be 5 digits, not '1103'",
    ]


def test_unterminated_quote_is_named(tmp_path, plans):
    path = feed(tmp_path, [row()])
    with open(path, "a", encoding="utf-8") as out:
        out.write('100000000002,"SPECIMEN,WALTER\n')

    assert refused(path) == ["line 3: row: cannot be read as CSV: unexpected end of data"]


def test_more_than_fifty_problems_print_fifty_then_a_count(tmp_path, plans):
    path = feed(tmp_path, [row(member_id=f"1000000001{n:02d}", zip="1") for n in range(60)])

    lines = refused(path)

    assert len(lines) == 51
    assert lines[0] == "line 2: zip: must be 5 digits, not '1'"
    assert lines[49] == "line 51: zip: must be 5 digits, not '1'"
    assert lines[50] == "… and 10 more problems"
    with pytest.raises(ImportRejected) as refusal:
        members_import(path=path, today=TODAY, now=NOW)
    assert len(refusal.value.extra["problems"]) == 60


def test_dry_run_checks_and_writes_nothing(tmp_path, plans):
    path = tmp_path / "sample.csv"
    path.write_text(SAMPLE, encoding="utf-8")

    out, _ = run(path, "--dry-run")

    assert out == ("dry run: 3 members checked, no problems (3 would be created, 0 updated); "
                   "nothing written\n")
    assert not Member.objects.exists()
    assert not EnrollmentSpan.objects.exists()
    assert refused(feed(tmp_path, [row(zip="1")]), "--dry-run") == [
        "line 2: zip: must be 5 digits, not '1'"]


def test_conflict_with_a_portal_enrollment_in_another_plan_is_named(tmp_path, plans):
    member = MemberFactory(member_id=ROW["member_id"])
    portal = SpanFactory(member=member, plan=plans[CCA_SCO],
                         start_date=datetime.date(2024, 1, 1), source=EnrollmentSpan.Source.PORTAL)
    path = feed(tmp_path, [row(current_plan_provider_id=FALLON_SCO,
                               current_plan_start="2024-03-01")])

    assert refused(path) == [
        f"line 2: current_plan_provider_id: the member is enrolled with {CCA_SCO} from "
        "2024-01-01 with no end; an import does not change that enrollment"]
    assert list(EnrollmentSpan.objects.all()) == [portal]


def test_enrollment_ended_before_the_feed_plan_starts_is_no_conflict(tmp_path, plans):
    member = MemberFactory(member_id=ROW["member_id"])
    SpanFactory(member=member, plan=plans[CCA_SCO], start_date=datetime.date(2020, 1, 1),
                end_date=datetime.date(2023, 12, 31), source=EnrollmentSpan.Source.PORTAL)
    path = feed(tmp_path, [row(current_plan_provider_id=FALLON_SCO,
                               current_plan_start="2024-01-01")])

    run(path)

    new = EnrollmentSpan.objects.get(plan=plans[FALLON_SCO])
    assert (new.start_date, new.end_date, new.source) == (
        datetime.date(2024, 1, 1), None, EnrollmentSpan.Source.FEED)


def test_portal_span_of_the_same_plan_is_left_unchanged(tmp_path, plans):
    member = MemberFactory(member_id=ROW["member_id"])
    portal = SpanFactory(member=member, plan=plans[CCA_SCO],
                         start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2025, 3, 31),
                         source=EnrollmentSpan.Source.PORTAL)
    before = EnrollmentSpan.objects.values().get()
    path = feed(tmp_path, [row(current_plan_provider_id=CCA_SCO,
                               current_plan_start="2023-06-01")])

    run(path)

    assert list(EnrollmentSpan.objects.values()) == [before]
    assert EnrollmentSpan.objects.get() == portal


def test_row_without_a_plan_leaves_the_members_spans_alone(tmp_path, plans):
    member = MemberFactory(member_id=ROW["member_id"])
    SpanFactory(member=member, plan=plans[CCA_SCO], source=EnrollmentSpan.Source.PORTAL)
    before = list(EnrollmentSpan.objects.values())

    run(feed(tmp_path, [row()]))

    assert list(EnrollmentSpan.objects.values()) == before


def test_progress_is_reported_on_stderr(tmp_path, plans, monkeypatch):
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)
    path = tmp_path / "sample.csv"
    path.write_text(SAMPLE, encoding="utf-8")

    _, err = run(path)

    assert err == "checked 2 rows\n"


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_members", str(tmp_path / "absent.csv"))


@pytest.mark.parametrize(("changes", "problem"), BAD_ROWS)
def test_fast_path_refuses_every_bad_row(plans, changes, problem):
    accept = importer.fast_checker(NAMES, plan_programs=_programs(plans), today="2025-01-15",
                                   valid_dates={""})
    line = ",".join(row(**changes)[n] for n in NAMES)

    assert not accept(line + "\n")
    assert accept(",".join(ROW[n] for n in NAMES) + "\n")


def test_fast_path_accepts_only_rows_the_converters_leave_unchanged(plans):
    programs = _programs(plans)
    accept = importer.fast_checker(NAMES, plan_programs=programs, today="2025-01-15",
                                   valid_dates={""})
    convs = importer.converters(plan_programs=programs, valid_dates={""})
    rows = [r.split(",") for r in SAMPLE.splitlines()[1:]] + [
        list(row(sex="f").values()), list(row(last_name=" EXAMPLE").values()),
        list(row(middle_initial="a").values()), list(row(date_of_death="1950-04-12").values()),
        list(row(last_name="O'NEIL-SMITH JR.", address_line1="1/2 MAIN ST #3").values())]
    for fields in rows:
        problems: list = []
        out = importer.convert_row(convs, fields, line=2, today="2025-01-15", problems=problems)
        unchanged = not problems and [v or "" for v in out] == fields
        assert accept(",".join(fields)) == unchanged, fields


def _programs(plans: dict) -> dict[str, str]:
    return {provider_id: plan.program for provider_id, plan in plans.items()}


@pytest.mark.django_db(transaction=True)
def test_refused_file_rolls_back_a_real_transaction(tmp_path, plans):
    good = tmp_path / "sample.csv"
    good.write_text(SAMPLE, encoding="utf-8")
    run(good)
    bad = feed(tmp_path, [row(last_name="CHANGED"), row(member_id="100000000009", zip="1")])

    refused(bad)

    assert Member.objects.get(pk=ROW["member_id"]).last_name == "EXAMPLE"
    assert not Member.objects.filter(pk="100000000009").exists()
    assert Member.objects.count() == 3 and EnrollmentSpan.objects.count() == 2


def test_one_member_is_counted_in_the_singular(tmp_path, plans):
    """Issue 12: "imported 1 members" read wrongly; 1 member, 2 members."""
    assert run(feed(tmp_path, [row()]))[0] == "imported 1 member (1 created, 0 updated)\n"
    assert run(feed(tmp_path, [row()]), "--dry-run")[0].startswith("dry run: 1 member checked")
