"""One clock (posc/clock.py): callers read it once and pass it down; Python's clock is the truth.

A service given a moment far from the real date computes every date from it; a request's
writes and audit rows carry the one moment its view read; and no code but the callers (and
no test) reads or patches a clock of its own.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.models import AuditEvent
from crm_tracker.services import case_intake, case_mmis_record, case_vet
from posc import clock
from posc.exceptions import DomainError
from posc.members.importer import NAMES, members_import
from posc.members.models import Member
from posc.roles import ENROLLMENT_OPERATIONS, roles_sync
from recoupments.models import Move, RecoupmentEvent
from recoupments.services import recoupment_submit
from tests.crm_tracker.fixtures import csr, monitor, qc, supervisor, taxonomy  # noqa: F401
from tests.crm_tracker.helpers import intake_kwargs
from tests.members.fixtures import plans  # noqa: F401  (fixtures)
from tests.members.helpers import SAMPLE, feed
from tests.recoupments.fixtures import hospital, recoupment_data  # noqa: F401  (fixtures)
from tests.recoupments.helpers import form_input

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
# Far from any real date the suite runs on, and from the tests' fixed dates (2025, 2026).
FAR = datetime.datetime(2031, 11, 26, 15, 30, tzinfo=clock.EASTERN)  # before Thanksgiving

# Reading a clock of one's own: Django's or Python's, or the database server's.
OWN_CLOCK = re.compile(r"timezone\.(now|localdate|localtime)\(\)|\bdate\.today\(|"
                       r"datetime\.(now|utcnow|today)\(|\bNow\(\)|(?<![.\w])now\(\)|"
                       r"\b(CURRENT_DATE|CURRENT_TIMESTAMP|LOCALTIMESTAMP|clock_timestamp|"
                       r"statement_timestamp|transaction_timestamp)\b")
# The only reader is posc/clock.py; the audit table's database default stays only for a
# row written outside audit.services (which stamps every row with Python's clock).
# bin/run's supervisor (posc/devrun.py) runs outside Django and reads the wall clock to
# start the daily batch command, which then reads posc.clock itself.
ALLOWED = {"audit/models.py": {"at = models.DateTimeField(db_default=Now(), editable=False, "
                               "db_index=False)"},
           "posc/devrun.py": {"moment = datetime.datetime.now(datetime.UTC)  # a supervisor's "
                              "wall clock, no Django"}}
APPS = ("audit", "crm_tracker", "enrollment", "posc", "recoupments")


def _python_files(*folders: str):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, path.relative_to(ROOT).as_posix()


def test_only_the_callers_read_the_clock_and_only_through_posc_clock():
    found = []
    for path, name in _python_files(*APPS):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if (OWN_CLOCK.search(line) and name != "posc/clock.py"
                    and line.strip() not in ALLOWED.get(name, ())):
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == []


def test_no_test_patches_or_reads_a_clock_of_its_own():
    """Tests pass dates in, or read posc.clock as the views do: never patch Django's clock."""
    patch = re.compile(r"setattr\(\s*[\"']django\.utils\.timezone|setattr\(\s*timezone\b|"
                       r"freeze_?time|time_machine")
    found = []
    for path, name in _python_files("tests"):
        if name == "tests/test_clock.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if patch.search(line) or OWN_CLOCK.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == []


def test_a_tracker_case_opens_and_moves_at_the_moment_given(csr, qc, monitor, supervisor):
    day = clock.today_eastern(FAR)
    case = case_intake(**intake_kwargs(actor=csr, today=day, now=FAR))
    assert case.created_at == FAR
    case.refresh_from_db()
    assert case.created_at == FAR and set(case.history.values_list("changed_at", flat=True)) == {
        FAR}
    later = FAR + datetime.timedelta(days=1)
    case_vet(case=case, true_case=True, reason="Checked MMIS.", actor=qc, now=later)
    # Opened on 11/26/2031 by the moment given: a date before it is refused, that day is not.
    with pytest.raises(DomainError) as refused:
        case_mmis_record(case=case, processed=True, processed_on=day - datetime.timedelta(days=1),
                         reason="", actor=monitor, today=day, now=later)
    assert refused.value.code == "DATE_BEFORE_CASE"
    case = case_mmis_record(case=case, processed=True, processed_on=day, reason="",
                            actor=monitor, today=clock.today_eastern(later), now=later)
    assert case.mmis_processed_on == day
    assert case.history.filter(field="mmis_result").get().changed_at == later


def test_the_member_feed_stamps_its_rows_with_the_moment_given(tmp_path, plans):
    with_plan = dict(zip(NAMES, SAMPLE.splitlines()[3].split(","), strict=True))
    members_import(path=feed(tmp_path, [with_plan]), today=clock.today_eastern(FAR), now=FAR)
    (member,) = Member.objects.all()
    assert member.updated_at == FAR  # Python's moment, not the database server's now()
    assert set(member.spans.values_list("created_at", "updated_at")) == {(FAR, FAR)}


def test_an_admin_move_and_its_audit_rows_carry_the_requests_one_moment(hospital, ops_user,
                                                                       client_for):
    roles_sync()
    ops_user.groups.add(Group.objects.get(name=ENROLLMENT_OPERATIONS))
    recoupment = recoupment_submit(actor=hospital, data=form_input(), now=clock.now())
    url = reverse("admin:recoupments_recoupment_move", args=[recoupment.pk, "confirm_complete"])
    response = client_for(ops_user).post(url, {"note": ""})
    assert response.status_code == 302
    event = RecoupmentEvent.objects.get(recoupment=recoupment, move=Move.CONFIRM_COMPLETE)
    audited = AuditEvent.objects.filter(object_id=recoupment.reference, action="CHANGE",
                                        detail__startswith=Move.CONFIRM_COMPLETE)
    assert audited.count() == 2  # one row per member ID of the form
    assert set(audited.values_list("at", flat=True)) == {event.at}
