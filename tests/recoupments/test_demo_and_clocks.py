"""The demo rows seed_demo adds, and the clocks a submission starts."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from posc.members.models import ProviderLink
from posc.roles import ENROLLMENT_OPERATIONS, roles_sync
from recoupments import demo
from recoupments.models import Recoupment, RecoupmentEvent, Status
from recoupments.services import recoupment_submit
from tests.factories import UserFactory
from tests.recoupments.helpers import HOSPITAL, NOW, form_input

pytestmark = pytest.mark.django_db
EASTERN = ZoneInfo("America/New_York")


def test_demo_requests_are_created_once(recoupment_data):
    roles_sync()
    hospital = UserFactory(username="hospital")
    ProviderLink.objects.create(user=hospital, provider_id=HOSPITAL)
    UserFactory(username="ops", is_staff=True).groups.add(
        Group.objects.get(name=ENROLLMENT_OPERATIONS))
    summary = demo.demo_seed(stdout=StringIO(), now=NOW)
    assert summary.startswith("recoupments: 4 of 4 demo requests created for hospital")
    # Submitted at the moment the caller gave (seed_demo reads the clock once).
    assert set(Recoupment.objects.values_list("submitted_at", flat=True)) == {NOW}
    assert all(r.reference.startswith("RCP-20261123-") for r in Recoupment.objects.all())
    statuses = set(Recoupment.objects.values_list("status", flat=True))
    assert statuses == {Status.SUBMITTED, Status.RETURNED, Status.APPROVAL,
                        Status.MASSHEALTH_BILLING}
    events = RecoupmentEvent.objects.count()
    assert demo.demo_seed(stdout=StringIO(), now=NOW).startswith("recoupments: 0 of 4")
    assert Recoupment.objects.count() == 4 and RecoupmentEvent.objects.count() == events
    # Each demo row's history leads from Submit to its status.
    for recoupment in Recoupment.objects.all():
        last = recoupment.events.order_by("pk").last()
        assert last.to_status == recoupment.status


def test_demo_without_accounts_creates_no_requests(recoupment_data):
    assert "no demo requests" in demo.demo_seed(stdout=StringIO(), now=NOW)
    assert not Recoupment.objects.exists()


@pytest.mark.parametrize("submitted, day0, research_due, payment_due", [
    # Friday 11/20/2026 4:59 pm: day 0 is that Friday.
    (datetime.datetime(2026, 11, 20, 16, 59), datetime.date(2026, 11, 20),
     datetime.date(2026, 11, 30), datetime.date(2026, 12, 14)),
    # 5:01 pm: day 0 is Monday 11/23; 5 business days skip Thanksgiving.
    (datetime.datetime(2026, 11, 20, 17, 1), datetime.date(2026, 11, 23),
     datetime.date(2026, 12, 1), datetime.date(2026, 12, 15)),
    # Christmas Eve: the targets cross Christmas, the year end, New Year's Day and MLK Day.
    (datetime.datetime(2026, 12, 24, 9, 0), datetime.date(2026, 12, 24),
     datetime.date(2027, 1, 4), datetime.date(2027, 1, 19)),
])
def test_a_submission_starts_the_clocks(hospital, submitted, day0, research_due, payment_due):
    recoupment = recoupment_submit(actor=hospital, data=form_input(),
                                   now=submitted.replace(tzinfo=EASTERN))
    assert (recoupment.received_on, recoupment.research_due, recoupment.payment_due) == (
        day0, research_due, payment_due)
    assert recoupment.reference.startswith(f"RCP-{submitted:%Y%m%d}-")
