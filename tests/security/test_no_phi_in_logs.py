"""No PHI in logs (issue 6, item 6): whole flows, with every log record the portal writes.

Each test walks a flow through the test client with invented members whose names, member
IDs, SSNs and dates of birth are distinctive, while every configured handler writes into a
buffer with the root logger at DEBUG. None of those values may appear in that output, nor in
the body of any error page (HIPAA 45 CFR 164.312(b); OWASP ASVS 4.0.3 7.1.1, 7.4.1).
"""

import datetime
import io
import logging
import re
import runpy
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from crm_tracker.models import Case, CaseType, SupervisorAssignment
from enrollment.models import Batch834
from posc import clock
from posc.logging import RedactPHIFilter, redact
from posc.members.demo import CCA_SCO
from posc.members.models import Plan, ProviderLink
from posc.roles import CSR, QC_TEAM_LEAD, STATE_MONITOR, SUPERVISOR, roles_sync
from recoupments.models import Recoupment
from tests.crm_tracker.helpers import intake_post
from tests.enrollment.helpers import disenroll, enroll, search
from tests.factories import MemberFactory, SpanFactory, UserFactory
from tests.members.helpers import ROW, feed
from tests.recoupments.helpers import do as admin_move
from tests.recoupments.helpers import form_post

pytestmark = pytest.mark.django_db

# Invented people, each value distinctive enough that finding it anywhere is a leak.
ENROLLEE = dict(member_id="904417220386", last_name="QUILLFEATHER", first_name="ZEBEDIAH",
                date_of_birth=datetime.date(1949, 3, 17))
LEAVER = dict(member_id="904417220512", last_name="MARROWBRIDGE", first_name="OTTILIE",
              date_of_birth=datetime.date(1951, 8, 29))
TRACKED = dict(participant_names="VANTERPOOL, CASSIUS", masshealth_id="904417220777",
               ssn="900-41-7788")
CLAIMANT = dict(member_first_name="PERPETUA", member_last_name="GOLDWATERS",
                member_ids="904417220901\n904417220902")
FED = dict(member_id="904417220999", last_name="THISTLEWAITE", first_name="ABERNATHY",
           date_of_birth="02/14/1944")


def _needles() -> list[str]:
    """Every PHI value of the invented people, in each spelling a log line could use."""
    values = []
    for person in (ENROLLEE, LEAVER):
        dob = person["date_of_birth"]
        values += [person["member_id"], person["last_name"], person["first_name"],
                   dob.isoformat(), dob.strftime("%m/%d/%Y"), dob.strftime("%Y%m%d")]
    values += ["VANTERPOOL", "CASSIUS", TRACKED["masshealth_id"], TRACKED["ssn"],
               TRACKED["ssn"].replace("-", "")]
    values += [CLAIMANT["member_first_name"], CLAIMANT["member_last_name"],
               *CLAIMANT["member_ids"].split()]
    values += [FED["member_id"], FED["last_name"], FED["first_name"], FED["date_of_birth"]]
    return values


NEEDLES = _needles()


def leaks(text: str) -> list[str]:
    """Return the PHI values found in *text* (ignoring case)."""
    folded = text.casefold()
    return [n for n in NEEDLES if n.casefold() in folded]


class Output:
    """What the configured handlers wrote, and the error pages the flow was shown."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream
        self.error_pages: list[str] = []

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def page(self, response) -> None:
        """Keep *response*'s body when it is an error page."""
        if response.status_code >= 400:
            self.error_pages.append(
                b"".join(response.streaming_content).decode() if response.streaming
                else response.content.decode())

    def assert_no_phi(self) -> None:
        assert self.text, "nothing was logged: the capture is not working"
        assert leaks(self.text) == [], self.text
        for body in self.error_pages:
            assert leaks(body) == [], body


def _configured_handlers() -> list[logging.Handler]:
    """Return the handlers settings.LOGGING attached (root, django.server), not pytest's."""
    loggers = [logging.getLogger(), logging.getLogger("django.server")]
    return [h for lg in loggers for h in lg.handlers
            if h.name in ("console", "django.server")]


@pytest.fixture
def output(caplog) -> Iterator[Output]:
    """Send every configured handler's output to a buffer, with the root logger at DEBUG."""
    stream = io.StringIO()
    handlers = _configured_handlers()
    assert handlers, "settings.LOGGING configured no handler"
    old_streams = [h.setStream(stream) for h in handlers]
    django_logger = logging.getLogger("django")
    old_level = django_logger.level
    django_logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)  # the root logger, and every record kept in caplog
    try:
        yield Output(stream)
    finally:
        django_logger.setLevel(old_level)
        for handler, old in zip(handlers, old_streams, strict=True):
            handler.setStream(old)


def _login(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def roles(db):
    """Load the plans, rate cells and the tracker's and recoupments' fixtures; sync roles."""
    call_command("loaddata", "plans", "rate_cells", "crm_taxonomy", "crm_provider_terminations",
                 "edit_codes", "recoupment_mce_contacts", verbosity=0)
    return roles_sync()


def _role_user(groups, role: str, username: str):
    user = UserFactory(username=username)
    user.groups.add(groups[role])
    return user


# ---------------------------------------------------------------------------- enrollment

def test_sco_enrollment_disenrollment_and_834_log_no_phi(roles, cca_sco, output, tmp_path):
    enrollee = MemberFactory(**ENROLLEE)
    leaver = MemberFactory(**LEAVER)
    SpanFactory(member=leaver, plan=Plan.objects.get(provider_id=CCA_SCO))
    client = _login(cca_sco)
    # Refused searches: a wrong name, an unknown member ID.
    for wrong in ({"last_name": "NOTQUILL"}, {"member_id": "904417220000"}):
        response = search(client, "sco", enrollee, CCA_SCO, **wrong)
        assert response.status_code == 200
    response = enroll(client, "sco", enrollee, CCA_SCO)
    assert response.status_code == 302
    output.page(client.get(response["Location"]))
    response = disenroll(client, "sco", leaver, CCA_SCO)
    assert response.status_code == 302
    output.page(client.get(response["Location"]))
    # The 834: the command, then the daily task, then the download.
    out, err = io.StringIO(), io.StringIO()
    call_command("export_834", provider_id=CCA_SCO, output=str(tmp_path / "cut.x12"),
                 stdout=out, stderr=err)
    assert leaks(out.getvalue() + err.getvalue()) == []
    enrollee2 = MemberFactory(member_id="904417220387", last_name="QUILLFEATHER",
                              first_name="ZEBEDIAH", date_of_birth=ENROLLEE["date_of_birth"])
    assert enroll(client, "sco", enrollee2, CCA_SCO).status_code == 302
    out = io.StringIO()
    call_command("enqueue_daily_834", stdout=out, stderr=out)
    assert leaks(out.getvalue()) == []
    assert "wrote 834 batch" in output.text  # enrollment.tasks logged the batch it wrote
    for batch in Batch834.objects.all():
        response = client.get(reverse("enrollment:file_download", args=[batch.pk]))
        assert response.status_code == 200
        assert ENROLLEE["member_id"] in b"".join(response.streaming_content).decode() or (
            batch.number > 1)
    output.page(client.get(reverse("enrollment:file_download", args=[999999])))
    output.assert_no_phi()


def test_an_834_name_the_writer_refuses_is_not_logged(roles, cca_sco, output):
    """A last name with no X12 character: whatever the portal answers, the log omits it."""
    member = MemberFactory(member_id="904417220388", last_name="闫闫闫", first_name="ZEBEDIAH")
    client = _login(cca_sco, raise_request_exception=False)
    response = enroll(client, "sco", member, CCA_SCO)
    output.page(response)
    assert "闫" not in output.text
    output.assert_no_phi()


# ---------------------------------------------------------------------------- error pages

def boom(request, member_id):
    """A view that fails with member data in its exception (as a careless message would)."""
    raise RuntimeError(f"cannot load member {member_id} born 03/17/1949, SSN 900-41-7788")


urlpatterns = [
    path("boom/<str:member_id>/", boom),
    path("", include("posc.urls")),
]


@override_settings(ROOT_URLCONF=__name__)
def test_error_responses_log_and_show_no_phi(roles, cca_sco, output, caplog):
    member = MemberFactory(**ENROLLEE)
    anyone = _login(cca_sco, raise_request_exception=False)
    # 500: the path and the exception both carry member data.
    response = anyone.get(f"/boom/{member.member_id}/?last={member.last_name}")
    assert response.status_code == 500
    output.page(response)
    # 404: a path of no pattern, and the admin's catch-all, each with a member ID.
    staff = UserFactory(username="staffer", is_staff=True)
    admin_client = _login(staff)
    for url in (f"/members/{member.member_id}/", f"/admin/members/{member.member_id}/"):
        response = admin_client.get(url)
        assert response.status_code == 404, url
        output.page(response)
    # 403: staff without the permission, at the member's admin page; a CSR, with a query.
    url = reverse("admin:members_member_change", args=[member.member_id])
    response = admin_client.get(f"{url}?q={member.last_name}")
    assert response.status_code == 403
    output.page(response)
    csr = _login(_role_user(roles, CSR, "csr"))
    response = csr.get(reverse("crm_tracker:monitor_queue"), {"q": member.member_id})
    assert response.status_code == 403
    output.page(response)
    # 403 CSRF: a member search posted without a token.
    strict = _login(cca_sco, enforce_csrf_checks=True)
    response = search(strict, "sco", member, CCA_SCO)
    assert response.status_code == 403
    output.page(response)
    # 400: a host not allowed.
    response = anyone.get("/", HTTP_HOST=f"{member.member_id}.invalid")
    assert response.status_code == 400
    output.page(response)
    # The records were written (so the test could fail), and they are redacted.
    raw = "\n".join(r.getMessage() for r in caplog.records)
    assert "Internal Server Error" in raw and "Not Found" in raw and "Forbidden" in raw
    assert "RuntimeError: cannot load member [redacted]" in output.text
    output.assert_no_phi()


# ---------------------------------------------------------------------------- tracker

def test_tracker_intake_vet_monitor_and_outreach_log_no_phi(roles, output, monkeypatch):
    csr = _role_user(roles, CSR, "csr")
    qc = _role_user(roles, QC_TEAM_LEAD, "qc")
    monitor = _role_user(roles, STATE_MONITOR, "monitor")
    supervisor = _role_user(roles, SUPERVISOR, "supervisor")
    SupervisorAssignment.objects.create(csr=csr, supervisor=supervisor)
    url = reverse("crm_tracker:case_intake", args=["mct-span"])
    for _ in range(2):
        response = _login(csr).post(url, intake_post(CaseType.MCT_SPAN, **TRACKED))
        assert response.status_code == 302, response.content.decode()[-2000:]
    true_case, false_case = Case.objects.order_by("case_number")
    qc_client = _login(qc)
    for case, result in ((true_case, "true"), (false_case, "false")):
        output.page(qc_client.get(case.get_absolute_url()))
        response = qc_client.post(reverse("crm_tracker:case_vet", args=[case.number]),
                                  {"result": result, "reason": "Checked MMIS screen 9."})
        assert response.status_code == 302
    monitor_client = _login(monitor)
    for fmt in ("xlsx", "csv"):
        assert monitor_client.get(reverse("crm_tracker:monitor_export", args=[fmt])
                                  ).status_code == 200
    # A monitor sheet that is not a workbook: refused, with a message.
    response = monitor_client.post(reverse("crm_tracker:monitor_import"), {
        "sheet": SimpleUploadedFile("sheet.xlsx", TRACKED["ssn"].encode())})
    assert response.status_code == 200
    today = clock.today().strftime("%m/%d/%Y")  # the page's today (the cases opened on it)
    response = monitor_client.post(reverse("crm_tracker:case_mmis", args=[true_case.number]),
                                   {"result": "processed", "processed_on": today})
    assert response.status_code == 302
    outreach = reverse("crm_tracker:case_outreach", args=[false_case.number])
    response = _login(supervisor).post(outreach, {"documentation": "Called, no answer.",
                                                  "attempt": "1", "outcome": "NO_ANSWER",
                                                  "contact": "617-555-0100"})
    assert response.status_code == 302
    assert f"tracker case {true_case.number} opened by csr" in output.text
    output.assert_no_phi()


# ---------------------------------------------------------------------------- recoupments

def test_recoupment_submission_and_admin_moves_log_no_phi(roles, output):
    hospital = UserFactory(username="hospital")
    ProviderLink.objects.create(user=hospital, provider_id="100000101A")
    response = _login(hospital).post(reverse("recoupments:submit"), form_post(**CLAIMANT))
    assert response.status_code == 302, response.content.decode()[-3000:]
    recoupment = Recoupment.objects.get()
    ops = _login(UserFactory(username="opsadmin", is_staff=True, is_superuser=True))
    recoupment = admin_move(ops, recoupment, "confirm_complete", {"note": "All present."})
    admin_move(ops, recoupment, "record_research", {
        "enrollments_documented": "904417220901: no span."})
    # The admin's search, by member name and by member ID.
    for q in (CLAIMANT["member_last_name"], "904417220901"):
        assert ops.get(reverse("admin:recoupments_recoupment_changelist"), {"q": q}
                       ).status_code == 200
    logging.getLogger("posc.test").info("recoupment flow done")  # something is written
    output.assert_no_phi()


# ---------------------------------------------------------------------------- feed, SQL

def test_member_feed_import_with_a_bad_row_logs_no_phi(roles, output, tmp_path):
    bad = ROW | {"member_id": FED["member_id"], "last_name": FED["last_name"],
                 "first_name": FED["first_name"], "date_of_birth": FED["date_of_birth"]}
    with pytest.raises(CommandError):
        # The problems go to the operator who supplied the file (member-feed.md), not to a log.
        call_command("import_members", str(feed(tmp_path, [ROW, bad])),
                     stdout=io.StringIO(), stderr=io.StringIO())
    logging.getLogger("posc.test").info("import refused")
    output.assert_no_phi()


def test_sql_and_its_parameters_are_never_logged(roles, output):
    """django.db.backends logs each query with its parameters at DEBUG: kept off, always."""
    member = MemberFactory(**ENROLLEE)
    ops = _login(UserFactory(username="opsadmin", is_staff=True, is_superuser=True))
    with CaptureQueriesContext(connection) as queries:  # the debug cursor, as DEBUG=True
        response = ops.get(reverse("admin:members_member_changelist"), {"q": member.last_name})
    assert response.status_code == 200
    assert any(member.last_name in q["sql"] for q in queries.captured_queries)
    logging.getLogger("posc.test").info("search done")
    output.assert_no_phi()


def test_runserver_request_lines_omit_the_query_string(output):
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /admin/members/member/?q=QUILLFEATHER HTTP/1.1", "200", "1234")
    assert '"GET /admin/members/member/ HTTP/1.1" 200 1234' in output.text
    output.assert_no_phi()


# ---------------------------------------------------------------------------- the filter

def test_every_configured_handler_redacts():
    handlers = _configured_handlers()
    assert {h.name for h in handlers} == {"console", "django.server"}
    assert all(any(isinstance(f, RedactPHIFilter) for f in h.filters) for h in handlers)
    django_logger = logging.getLogger("django")
    assert django_logger.handlers == []  # Django's console and mail_admins have no filter


@pytest.mark.parametrize("text, expected", [
    ("member 904417220386 at /admin/members/member/904417220386/change/",
     "member [redacted] at /admin/members/member/[redacted]/change/"),
    ("SSN 900-41-7788 or 900417788", "SSN [redacted] or [redacted]"),
    ("born 1949-03-17 or 3/17/1949", "born [redacted] or [redacted]"),
    # Not PHI, and not mangled: provider IDs, NPIs, references, times, ports, task ids.
    ("plan 110000001A NPI 1234567893 ENR-20261122-0001 10:15:30 :8000",
     "plan 110000001A NPI 1234567893 ENR-20261122-0001 10:15:30 :8000"),
    ("task 0b6e9a8e-3c1d-4f2a-9d7e-123456789012", "task 0b6e9a8e-3c1d-4f2a-9d7e-123456789012"),
])
def test_redact(text, expected):
    assert redact(text) == expected


def test_the_record_time_is_kept_and_only_the_message_masked():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPHIFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d"))
    logger = logging.getLogger("posc.test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("member %s", "904417220386")
    finally:
        logger.removeHandler(handler)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} member \[redacted\]\n", stream.getvalue())


def test_gunicorn_access_lines_omit_the_query_and_mask_the_path(settings):
    """gunicorn.conf.py: a request line with a member ID and a name in its URL and Referer."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    conf = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    config = Config()
    config.set("access_log_format", conf["access_log_format"])
    config.set("accesslog", "-")
    gunicorn_log = Logger(config)
    conf["on_starting"](None)
    stream = io.StringIO()
    for handler in gunicorn_log.access_log.handlers:
        handler.setStream(stream)
    url = "/admin/members/member/904417220386/change/"
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": url, "QUERY_STRING": "q=QUILLFEATHER",
               "RAW_URI": f"{url}?q=QUILLFEATHER", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "192.0.2.1", "HTTP_REFERER": "https://posc.example/?q=ZEBEDIAH"}
    response = SimpleNamespace(status="200 OK", headers=[], response_length=5, sent=5)
    try:
        gunicorn_log.access(response, SimpleNamespace(headers=[]), environ,
                            datetime.timedelta(milliseconds=3))
    finally:
        for name in ("gunicorn.access", "gunicorn.error"):
            logging.getLogger(name).filters.clear()
    assert '"GET /admin/members/member/[redacted]/change/ HTTP/1.1" 200 5' in stream.getvalue()
    assert leaks(stream.getvalue()) == []
