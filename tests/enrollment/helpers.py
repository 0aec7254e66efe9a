"""Walk the panels through the test client, as a clerk following the job aids would.

Each Member Search that opens a panel starts a flow of its own (enrollment/panel.py): its
panels have the flow in their address, and their forms carry a page seal. ``Panel`` is
what a page gives the clerk: where it posts, its one-time token and its seal.
"""

import datetime
import uuid
from typing import NamedTuple

from django.urls import reverse

from enrollment.models import EnrollmentTransaction
from enrollment.services import enrollment_submit
from posc.members.demo import CCA_SCO
from posc.members.models import County
from tests.factories import MemberFactory


class Panel(NamedTuple):
    url: str
    token: str
    seal: str

    def data(self, **values) -> dict:
        """Return the panel's form as its page posts it, with *values* filled in."""
        return {"token": self.token, "seal": self.seal, **values}


def search(client, slug: str, member, provider_id: str, **overrides):
    """Post the Member Search panel for *member*; return the response (not followed)."""
    data = {"provider_id": provider_id, "member_id": member.member_id,
            "last_name": member.last_name, "first_name": member.first_name, **overrides}
    return client.post(reverse("enrollment:search", kwargs={"program": slug}), data)


def panel_open(client, url: str) -> Panel:
    """Open the panel at *url*; return its address, one-time token and page seal."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    form = response.context.get("form")
    token = form["token"].value() if form is not None else ""
    return Panel(url, str(token), response.context.get("seal", ""))


def reach_verification(client, slug: str, member, provider_id: str) -> Panel:
    """Search; return the Verification panel the search opened."""
    return panel_open(client, search(client, slug, member, provider_id)["Location"])


def reach_certification(client, slug: str, member, provider_id: str) -> Panel:
    """Search and Confirm; return the Certification panel."""
    verification = reach_verification(client, slug, member, provider_id)
    return panel_open(client, client.post(verification.url, verification.data())["Location"])


def reach_disenrollment(client, slug: str, member, provider_id: str) -> Panel:
    """Search a member of the plan; return the Disenrollment panel the search opened."""
    return panel_open(client, search(client, slug, member, provider_id)["Location"])


def enroll(client, slug: str, member, provider_id: str):
    """Search, Confirm, certify and Submit; return the Submit response (not followed)."""
    panel = reach_certification(client, slug, member, provider_id)
    return client.post(panel.url, panel.data(certify="on"))


def disenroll(client, slug: str, member, provider_id: str, reason: str = "MBR_REQ"):
    """Search, pick the reason and Submit; return the Submit response (not followed)."""
    panel = reach_disenrollment(client, slug, member, provider_id)
    return client.post(panel.url, panel.data(reason=reason))


# The daily 834 batch (tests/enrollment/test_daily_834_task.py, tests/test_tasks.py).
TODAY = datetime.date(2026, 11, 22)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                              "QUEUES": ["default"]}}


def span_open(plan, *, start, end=None, cancelled: bool = False, member=None):
    """Return a feed span of *member* (a new one by default) with *plan* from *start*."""
    from posc.members.models import EnrollmentSpan

    return EnrollmentSpan.objects.create(
        member=member or MemberFactory(), plan=plan, program=plan.program, start_date=start,
        end_date=end, cancelled=cancelled, source=EnrollmentSpan.Source.FEED)


def accept(user, provider_id: str = CCA_SCO, program: str = "SCO") -> EnrollmentTransaction:
    """Enroll a new member in *provider_id*'s plan; fail unless MMIS accepts it."""
    if program == "SCO":
        member = MemberFactory()
    else:  # One Care: 21-64, CommonHealth, in CCA One Care's area
        member = MemberFactory(date_of_birth=datetime.date(1985, 3, 9), rating_category="C2A",
                               coverage_type="COMMONHEALTH", county=County.WORCESTER)
    txn = enrollment_submit(token=uuid.uuid4(), program=program, provider_id=provider_id,
                            member=member, last_name=member.last_name,
                            first_name=member.first_name, actor=user, today=TODAY)
    assert txn.status == EnrollmentTransaction.Status.ACCEPTED, txn.errors
    return txn


def control_number(path) -> int:
    """Return ISA13 of the 834 at *path*."""
    return int(path.read_text().split("~")[0].split("*")[13])
