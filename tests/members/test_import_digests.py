"""A re-import matches the lines an earlier import wrote by their digests (issue 19 §2):
those are neither checked nor written again, and what only the whole file and the spans
show (repeats, conflicts, new spans) is still found for every line."""

import datetime

import pytest

from posc.exceptions import ImportRejected
from posc.members.demo import CCA_SCO, FALLON_SCO
from posc.members.importer import NAMES, members_import
from posc.members.importer.digests import salt
from posc.members.models import EnrollmentSpan, FeedLine, Member, Program
from tests.factories import MemberFactory
from tests.members.helpers import NOW, ROW, SAMPLE, TODAY, feed

pytestmark = pytest.mark.django_db
LATER = NOW + datetime.timedelta(days=1)


def sample(tmp_path):
    path = tmp_path / "sample.csv"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def problems(path, *, today=TODAY) -> list[str]:
    with pytest.raises(ImportRejected) as refusal:
        members_import(path=path, today=today, now=LATER)
    return refusal.value.extra["problems"]


def test_the_lines_written_are_remembered_and_an_unchanged_file_rewrites_nothing(
        tmp_path, plans):
    path = sample(tmp_path)
    members_import(path=path, today=TODAY, now=NOW)
    lines = {f.member_id: (f.current_plan_provider_id, f.current_plan_start, f.checked_on)
             for f in FeedLine.objects.all()}
    assert lines == {
        "100000000001": ("", None, TODAY),
        "100000000002": ("120000002A", datetime.date(2024, 2, 1), TODAY),
        "100000000003": (CCA_SCO, datetime.date(2022, 10, 1), TODAY)}
    digests = set(FeedLine.objects.values_list("digest", flat=True))

    result = members_import(path=path, today=TODAY, now=LATER)

    assert (result.rows, result.created, result.updated, result.spans_created) == (3, 0, 0, 0)
    assert set(Member.objects.values_list("updated_at", flat=True)) == {NOW}
    assert set(FeedLine.objects.values_list("digest", flat=True)) == digests


def test_a_changed_line_is_checked_and_named_on_its_line(tmp_path, plans):
    members_import(path=sample(tmp_path), today=TODAY, now=NOW)
    changed = tmp_path / "changed.csv"
    changed.write_text(SAMPLE.replace(",02118,", ",2118,"), encoding="utf-8")

    assert problems(changed) == ["line 2: zip: must be 5 digits, not '2118'"]
    changed.write_text(SAMPLE.replace(",02118,", ",02119,"), encoding="utf-8")
    assert members_import(path=changed, today=TODAY, now=LATER).updated == 1
    assert Member.objects.get(pk="100000000001").zip == "02119"
    assert FeedLine.objects.count() == 3


def test_a_matched_line_repeated_is_named_on_both_lines(tmp_path, plans):
    path = feed(tmp_path, [ROW])
    members_import(path=path, today=TODAY, now=NOW)
    twice = feed(tmp_path, [ROW, ROW], name="twice.csv")

    assert problems(twice) == [
        "line 2: member_id: 100000000001 is repeated: also on line 3",
        "line 3: member_id: 100000000001 is repeated: also on line 2"]


def imported_then_cancelled(tmp_path):
    """Import the sample; then the portal cancels member ...003's CCA enrollment. Return the
    sample's path."""
    path = sample(tmp_path)
    members_import(path=path, today=TODAY, now=NOW)
    EnrollmentSpan.objects.filter(member_id="100000000003").update(
        cancelled=True, end_date=datetime.date(2022, 10, 1))
    return path


def test_a_matched_line_still_meets_a_portal_enrollment_made_since(tmp_path, plans):
    # Since the last feed the portal cancelled the CCA enrollment and enrolled in Fallon.
    path = imported_then_cancelled(tmp_path)
    EnrollmentSpan.objects.create(member_id="100000000003", plan=plans[FALLON_SCO],
                                  program=Program.SCO, start_date=datetime.date(2023, 1, 1))

    assert problems(path) == [
        f"line 4: current_plan_provider_id: the member is enrolled with {FALLON_SCO} from "
        "2023-01-01 with no end; an import does not change that enrollment"]


def test_a_matched_line_brings_back_a_span_cancelled_since(tmp_path, plans):
    path = imported_then_cancelled(tmp_path)

    assert members_import(path=path, today=TODAY, now=LATER).spans_created == 1


def test_a_line_checked_on_a_day_is_checked_again_for_an_earlier_day(tmp_path, plans):
    born_today = feed(tmp_path, [{**ROW, "date_of_birth": TODAY.isoformat()}])
    members_import(path=born_today, today=TODAY, now=NOW)
    yesterday = TODAY - datetime.timedelta(days=1)

    assert problems(born_today, today=yesterday) == [
        f"line 2: date_of_birth: is in the future ({TODAY.isoformat()})"]


def test_a_line_of_a_plan_no_longer_integrated_is_checked_again(tmp_path, plans):
    path = sample(tmp_path)
    members_import(path=path, today=TODAY, now=NOW)
    plans[CCA_SCO].program = Program.MCO
    plans[CCA_SCO].save()

    assert problems(path) == [
        f"line 4: current_plan_provider_id: {CCA_SCO} is not an SCO or One Care plan (MCO)"]


def test_lines_are_numbered_alike_around_a_record_over_two_lines(tmp_path, plans):
    rows = [ROW, {**ROW, "member_id": "100000000002"}, {**ROW, "member_id": "100000000003"}]
    members_import(path=feed(tmp_path, rows), today=TODAY, now=NOW)
    path = feed(tmp_path, [
        rows[0],
        {**rows[1], "address_line1": "12 SAMPLE ST,\nAPT 4"},  # lines 3 and 4
        rows[2], rows[2]], name="second.csv")  # lines 5 and 6: matched, repeated

    assert problems(path) == [
        "line 3: address_line1: contains a line break or another non-printing character",
        "line 5: member_id: 100000000003 is repeated: also on line 6",
        "line 6: member_id: 100000000003 is repeated: also on line 5"]


def test_a_member_not_written_by_the_feed_is_compared_as_before(tmp_path, plans):
    MemberFactory(member_id=ROW["member_id"], last_name="OLDNAME")
    path = feed(tmp_path, [ROW])

    assert members_import(path=path, today=TODAY, now=NOW).updated == 1
    assert Member.objects.get(pk=ROW["member_id"]).last_name == ROW["last_name"]


def test_the_digests_depend_on_the_header_and_the_plans():
    names = list(NAMES)
    plans = {CCA_SCO: Program.SCO}

    assert salt(names, plans) == salt(list(NAMES), dict(plans))
    assert salt(names, plans) != salt(names[::-1], plans)
    assert salt(names, plans) != salt(names, {CCA_SCO: Program.MCO})
