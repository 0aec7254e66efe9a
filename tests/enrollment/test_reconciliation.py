"""Roster reconciliation: the CSV's checks, the differences, the page, the sheet, Operations."""

import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from enrollment.models import Reconciliation, ReconciliationDifference
from enrollment.reconciliation import (
    MAX_ROSTER_BYTES,
    MAX_ROSTER_ROWS,
    RosterRejected,
    reconciliation_run,
    roster_read,
)
from posc.members.demo import CCA_SCO, FALLON_SCO
from posc.members.models import County, Plan
from posc.roles import ENROLLMENT_OPERATIONS, roles_sync
from tests.enrollment.helpers import span_open
from tests.factories import MemberFactory, UserFactory

DEC_1 = datetime.date(2026, 12, 1)
HEADER = "Member ID,Rate Cell,Start Date\n"


def csv_file(text: str, name: str = "roster.csv") -> io.BytesIO:
    upload = io.BytesIO(text.encode())
    upload.name = name
    return upload


def problems(text: str) -> list[str]:
    with pytest.raises(RosterRejected) as refused:
        roster_read(csv_file(text))
    return refused.value.problems


class TestRosterFile:
    def test_good_rows_in_both_date_forms_with_a_bom_and_blank_rows(self):
        rows = roster_read(io.BytesIO(("\ufeff" + HEADER + "100000000121,sco-cw-gb,01/01/2026\n"
                                       "\n100000000122, SCO-CNHC-RS ,2026-03-01\n").encode()))
        assert [(r.row, r.member_id, r.rate_cell, r.start_date) for r in rows] == [
            (2, "100000000121", "SCO-CW-GB", datetime.date(2026, 1, 1)),
            (4, "100000000122", "SCO-CNHC-RS", datetime.date(2026, 3, 1))]

    def test_every_bad_row_is_named_by_its_number(self):
        found = problems(HEADER + "100000000121,SCO-CW-GB,01/01/2026\n"
                                  "12345,SCO-CW-GB,01/01/2026\n"
                                  "100000000123,CW,01/01/2026\n"
                                  "100000000124,SCO-CW-GB,13/45/2026\n"
                                  "100000000121,SCO-CW-GB,01/01/2026\n"
                                  "100000000125,SCO-CW-GB\n")
        assert [p.split(":")[0] for p in found] == ["Row 3", "Row 4", "Row 5", "Row 6", "Row 7"]
        assert "not 12 digits" in found[0] and "rate cell code" in found[1]
        assert "MM/DD/YYYY" in found[2] and "already on row 2" in found[3]
        assert "expected 3 values" in found[4]

    def test_a_number_excel_rewrote_gets_a_hint(self):
        assert "format the column as Text" in problems(HEADER + "1.00000E+11,SCO-CW-GB,"
                                                                "01/01/2026\n")[0]

    def test_the_header_is_required(self):
        assert problems("100000000121,SCO-CW-GB,01/01/2026\n") == [
            "Row 1 must be the header Member ID,Rate Cell,Start Date."]

    def test_a_roster_without_members_is_refused(self):
        assert "lists no member" in problems(HEADER)[0]

    def test_many_problems_are_cut_with_a_count(self):
        found = problems(HEADER + "x,SCO-CW-GB,01/01/2026\n" * 30)
        assert len(found) == 26 and found[-1] == "… and 5 more problems."

    def test_size_and_row_limits(self):
        too_big = csv_file(HEADER + "x" * MAX_ROSTER_BYTES)
        with pytest.raises(RosterRejected, match="larger than 5 MB"):
            roster_read(too_big)
        rows = "".join(f"{100000000000 + n},SCO-CW-GB,01/01/2026\n"
                       for n in range(MAX_ROSTER_ROWS + 1))
        with pytest.raises(RosterRejected, match="more than 120,000 rows"):
            roster_read(csv_file(HEADER + rows))

    def test_a_binary_file_is_not_csv(self):
        assert problems("PK\x03\x04\x00\x00") == ["The file is not a CSV file."]


@pytest.fixture
def cca(reference_data) -> Plan:
    return Plan.objects.get(provider_id=CCA_SCO)


def run(plan, user, text: str, month=DEC_1) -> Reconciliation:
    return reconciliation_run(plan=plan, month=month, roster=roster_read(csv_file(text)),
                              file_name="roster.csv", token=uuid.uuid4(), actor=user)


class TestDifferences:
    def test_each_kind_is_found_counted_and_stored(self, cca, cca_sco):
        same = span_open(cca, start=datetime.date(2026, 1, 1))
        cell = span_open(cca, start=datetime.date(2026, 2, 1))  # Suffolk CW: SCO-CW-GB
        start = span_open(cca, start=datetime.date(2026, 3, 1))
        both = span_open(cca, start=datetime.date(2026, 4, 1))
        missing = span_open(cca, start=datetime.date(2026, 5, 1),
                            member=MemberFactory(county=County.WORCESTER))
        span_open(cca, start=datetime.date(2027, 1, 1))  # not in force on Dec 1: not compared
        rec = run(cca, cca_sco, HEADER
                  + f"{same.member_id},SCO-CW-GB,01/01/2026\n"
                  + f"{cell.member_id},SCO-CNHC-GB,02/01/2026\n"
                  + f"{start.member_id},SCO-CW-GB,03/15/2026\n"
                  + f"{both.member_id},SCO-CNHC-GB,04/02/2026\n"
                  + "999999999999,SCO-CW-GB,01/01/2026\n")
        assert (rec.roster_count, rec.state_count, rec.matched_count) == (5, 5, 1)
        assert (rec.state_only_count, rec.plan_only_count, rec.rate_cell_count,
                rec.start_date_count) == (1, 1, 2, 2)
        found = {(d.kind, d.member_id) for d in rec.differences.all()}
        assert found == {("STATE_ONLY", missing.member_id), ("PLAN_ONLY", "999999999999"),
                         ("RATE_CELL", cell.member_id), ("RATE_CELL", both.member_id),
                         ("START_DATE", start.member_id), ("START_DATE", both.member_id)}
        state_only = rec.differences.get(kind="STATE_ONLY")
        assert (state_only.state_rate_cell, state_only.state_start_date,
                state_only.roster_row) == ("SCO-CW-RS", datetime.date(2026, 5, 1), None)
        cell_row = rec.differences.get(kind="RATE_CELL", member_id=cell.member_id)
        assert (cell_row.state_rate_cell, cell_row.roster_rate_cell, cell_row.roster_row) == (
            "SCO-CW-GB", "SCO-CNHC-GB", 3)

    def test_another_plans_member_is_not_the_states_for_this_plan(self, cca, cca_sco):
        other = span_open(Plan.objects.get(provider_id=FALLON_SCO),
                          start=datetime.date(2026, 1, 1))
        rec = run(cca, cca_sco, HEADER + f"{other.member_id},SCO-CW-GB,01/01/2026\n")
        assert (rec.state_count, rec.plan_only_count) == (0, 1)

    def test_a_repost_of_the_same_form_returns_the_first(self, cca, cca_sco):
        token = uuid.uuid4()
        rows = roster_read(csv_file(HEADER + "999999999999,SCO-CW-GB,01/01/2026\n"))
        first = reconciliation_run(plan=cca, month=DEC_1, roster=rows, file_name="r.csv",
                                   token=token, actor=cca_sco)
        again = reconciliation_run(plan=cca, month=DEC_1, roster=rows, file_name="r.csv",
                                   token=token, actor=cca_sco)
        assert first == again and Reconciliation.objects.count() == 1


def page_post(client, text: str, month: str = "2026-12", name: str = "roster.csv",
              provider_id: str = CCA_SCO):
    page = client.get(reverse("enrollment:reconciliation"))
    token = page.context["form"]["submission_token"].value()
    return client.post(reverse("enrollment:reconciliation"), {
        "provider_id": provider_id, "month": month, "submission_token": token,
        "roster": SimpleUploadedFile(name, text.encode(), content_type="text/csv")})


class TestPage:
    def test_upload_shows_the_differences_and_the_sheet_has_them(self, cca, cca_sco,
                                                                 client_for):
        span_open(cca, start=datetime.date(2026, 1, 1))
        client = client_for(cca_sco)
        month = client.get(reverse("enrollment:reconciliation")).context["form"].fields[
            "month"].choices[1][0]  # this month
        response = page_post(client, HEADER + "999999999999,SCO-CW-GB,01/01/2026\n", month)
        assert response.status_code == 302
        rec = Reconciliation.objects.get()
        assert response["Location"] == reverse("enrollment:reconciliation_detail",
                                               args=[rec.pk])
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert b"999999999999" in page.content and rec.state_count == 1
        assert AuditEvent.objects.filter(action="VIEW", object_type="reconciliation",
                                         member_id="999999999999").exists()
        sheet = client.get(reverse("enrollment:reconciliation_xlsx", args=[rec.pk]))
        book = load_workbook(io.BytesIO(sheet.content), read_only=True)
        rows = list(book["Differences"].iter_rows(values_only=True))
        assert rows[0][:2] == ("Difference", "Member ID")
        assert sorted(r[1] for r in rows[1:]) == sorted(
            [d.member_id for d in ReconciliationDifference.objects.all()])
        assert len(rows) == 3  # the header, the plan-only member, the state-only member

    def test_a_bad_roster_is_explained_and_nothing_is_saved(self, cca, cca_sco, client_for):
        client = client_for(cca_sco)
        response = page_post(client, HEADER + "12345,SCO-CW-GB,01/01/2026\n"
                                              "100000000121,XX,01/01/2026\n")
        assert response.status_code == 200
        errors = response.context["form"].errors["roster"]
        assert errors[0].startswith("Row 2:") and errors[1].startswith("Row 3:")
        assert b"Row 2: Member ID" in response.content
        assert not Reconciliation.objects.exists()
        assert not ReconciliationDifference.objects.exists()

    def test_another_plans_provider_id_is_refused(self, cca, cca_sco, client_for):
        response = page_post(client_for(cca_sco), HEADER + "999999999999,SCO-CW-GB,01/01/2026\n",
                             provider_id=FALLON_SCO)
        assert "provider_id" in response.context["form"].errors
        assert not Reconciliation.objects.exists()

    def test_another_plans_reconciliation_is_not_found(self, cca, cca_sco, fallon_sco,
                                                       client_for):
        rec = run(cca, cca_sco, HEADER + "999999999999,SCO-CW-GB,01/01/2026\n")
        client = client_for(fallon_sco)
        for name in ("enrollment:reconciliation_detail", "enrollment:reconciliation_xlsx"):
            assert client.get(reverse(name, args=[rec.pk])).status_code == 404


class TestOperations:
    @pytest.fixture
    def ops(self, reference_data):
        groups = roles_sync()
        user = UserFactory(username="ops.recon", is_staff=True)
        user.groups.add(groups[ENROLLMENT_OPERATIONS])
        return user

    def test_every_plans_last_reconciliation_and_its_counts(self, cca, cca_sco, ops,
                                                           client_for):
        run(cca, cca_sco, HEADER + "999999999998,SCO-CW-GB,01/01/2026\n",
            month=datetime.date(2026, 11, 1))
        last = run(cca, cca_sco, HEADER + "999999999999,SCO-CW-GB,01/01/2026\n"
                                          "999999999997,SCO-CW-GB,01/01/2026\n")
        client = client_for(ops)
        response = client.get(reverse("enrollment:reconciliation_overview"))
        rows = dict((plan.provider_id, r) for plan, r in response.context["rows"])
        assert rows[CCA_SCO] == last and rows[FALLON_SCO] is None
        assert b"December 2026" in response.content and b"November 2026" not in response.content
        assert client.get(reverse("enrollment:reconciliation_detail",
                                  args=[last.pk])).status_code == 200

    def test_plan_staff_may_not_see_every_plan(self, cca_sco, client_for):
        client = client_for(cca_sco)
        assert client.get(reverse("enrollment:reconciliation_overview")).status_code == 403
