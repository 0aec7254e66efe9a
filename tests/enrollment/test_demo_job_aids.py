"""The job aids followed word for word with the demo accounts and members of seed_demo."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from enrollment.models import EnrollmentTransaction
from posc.members.demo import DEMO_CASES, DEMO_PASSWORD, demo_case
from posc.mmis.types import Action
from tests.enrollment.helpers import panel_open

pytestmark = pytest.mark.django_db

SLUGS = {"SCO": "sco", "ONE_CARE": "one-care"}
MENU_ENTRY = {"SCO": "Enroll/Disenroll SCO Members",
              "ONE_CARE": "Enroll/Disenroll One Care Members"}


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # demo accounts are made only in development
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))


def log_in(client, username: str):
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    return client


def follow_steps_1_to_3(client, program: str) -> str:
    """Home → Manage Members → Enrollment → Enroll/Disenroll … Members; return its URL."""
    home = client.get(reverse("home")).content.decode()
    assert f">{MENU_ENTRY[program]}</a>" in home
    assert client.get(reverse("enrollment:manage_members")).status_code == 200
    assert MENU_ENTRY[program] in client.get(reverse("enrollment:enrollment")).content.decode()
    return reverse("enrollment:search", kwargs={"program": SLUGS[program]})


def search(client, case):
    url = follow_steps_1_to_3(client, case.program)
    page = client.get(url).content.decode()
    assert f'value="{case.provider_id}"' in page or case.expected == "PROVIDER"  # step 4
    return client.post(url, {"provider_id": case.provider_id, "member_id": case.member_id,
                             "last_name": case.last_name, "first_name": case.first_name})


@pytest.mark.parametrize("purpose", ["sco_enroll", "oc_enroll"])
def test_enroll_job_aid(client, demo, purpose):
    case = demo_case(purpose)
    log_in(client, case.account)
    response = search(client, case)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<h1>Verification</h1>" in page and ">Confirm</button>" in page
    verification = panel_open(client, response["Location"])
    response = client.post(verification.url, verification.data())
    page = client.get(response["Location"])
    assert "<h1>Certification</h1>" in page.content.decode()
    certification = panel_open(client, response["Location"])
    response = client.post(certification.url, certification.data(certify="on"))
    page = client.get(response["Location"]).content.decode()
    assert "<h1>Confirmation</h1>" in page and "Enrollment validated by MMIS" in page
    assert ">Enroll/Disenroll Another Member</button>" in page
    txn = EnrollmentTransaction.objects.get()
    assert txn.accepted and txn.member_id == case.member_id


@pytest.mark.parametrize("purpose", ["sco_disenroll", "oc_disenroll", "tufts_oc_disenroll",
                                     "fallon_sco_disenroll"])
def test_disenroll_job_aid(client, demo, purpose):
    case = demo_case(purpose)
    log_in(client, case.account)
    response = search(client, case)
    page = client.get(response["Location"])
    assert "<h1>Disenrollment</h1>" in page.content.decode()
    panel = panel_open(client, response["Location"])
    response = client.post(panel.url, panel.data(reason="MBR_REQ"))
    html = client.get(response["Location"]).content.decode()
    assert "<h1>Disenrollment Confirmation</h1>" in html
    assert "Disenrollment validated by MMIS" in html
    # Submitting the same member again is the DUPLICATE the demo list points to.
    html = search(client, case).content.decode()
    assert "DUPLICATE" in html


@pytest.mark.parametrize(
    "case", [c for c in DEMO_CASES if c.expected and c.action == Action.ENROLL],
    ids=lambda c: c.purpose)
def test_each_demo_rejection_shows_its_code(client, demo, case):
    log_in(client, case.account)
    html = search(client, case).content.decode()
    assert "<h1>Member Search</h1>" in html and f">{case.expected}</span>" in html
    assert not EnrollmentTransaction.objects.exists()
