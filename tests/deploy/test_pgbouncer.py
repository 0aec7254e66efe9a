"""Issue 14 section 4: the portal behind Debian's PgBouncer in transaction pooling.

PgBouncer (pool_mode = transaction) in front of the test database; gunicorn with production
settings, DB_POOL_MODE=transaction and two workers; clerks at once doing Member Search and
the Submits of the enrollment and disenrollment panels, a clerk downloading an 834 file, and
`export_834` cutting and writing the next batch, all through the pooler. No request fails,
every member gets exactly one transaction, and JIT is off through the pooler.
"""

import datetime
import re
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from enrollment.models import Batch834, BatchEntry, EnrollmentTransaction
from enrollment.services import batch_cut, batch_write, enrollment_submit
from posc import clock
from posc.members.demo import CCA_SCO
from posc.members.models import Plan, Program
from tests.deploy.servers import (
    ROOT,
    Browser,
    database_url,
    gunicorn,
    pgbouncer,
    production_env,
    production_password,
)
from tests.factories import MemberFactory, SpanFactory
from tests.helpers import provider_user
from tests.threads import run_in_threads

CLERKS = 4  # each enrolls ENROLLS members, disenrolls one, and makes a refused search
ENROLLS = 2
DOWNLOADS = 3
SCO_PANELS = "Enroll/Disenroll SCO Members"  # the left menu's link to Member Search

pytestmark = pytest.mark.slow  # starts PgBouncer, gunicorn and export_834


@pytest.fixture
def pooled(transactional_db, reference_data, static_root, tmp_path):
    """PgBouncer in front of the test database and gunicorn through it; stopped before the flush."""
    db = connection.settings_dict
    bouncer = pgbouncer(db, tmp_path)
    env = production_env(tmp_path, static_root=static_root, DB_POOL_MODE="transaction",
                         database=database_url(db, host="127.0.0.1", port=bouncer.port))
    try:
        web = gunicorn(env, tmp_path, workers=2)
    except AssertionError:
        bouncer.stop()
        raise
    yield bouncer, web, env
    web.stop()
    bouncer.stop()


def enroll(browser: Browser, start: str, member) -> str:
    """Member Search, Confirm, certify and Submit, following the pages; return the reference."""
    search = browser.get(start)
    verification = browser.submit(search, search.form("member_id", "last_name", "first_name"),
                                  member_id=member.member_id, last_name=member.last_name,
                                  first_name=member.first_name)
    assert "<h1>Verification</h1>" in verification.text, verification.text
    certification = browser.submit(verification, verification.form())
    assert "<h1>Certification</h1>" in certification.text, certification.text
    confirmation = browser.submit(certification, certification.form("certify"), certify="on")
    assert "Enrollment validated by MMIS" in confirmation.text, confirmation.text
    return confirmation.text


def disenroll(browser: Browser, start: str, member) -> str:
    """Member Search, pick the reason and Submit, following the pages."""
    search = browser.get(start)
    panel = browser.submit(search, search.form("member_id", "last_name", "first_name"),
                           member_id=member.member_id, last_name=member.last_name,
                           first_name=member.first_name)
    assert "<h1>Disenrollment</h1>" in panel.text, panel.text
    confirmation = browser.submit(panel, panel.form("reason"), reason="MBR_REQ")
    assert "<h1>Disenrollment Confirmation</h1>" in confirmation.text, confirmation.text
    return confirmation.text


def refused_search(browser: Browser, start: str, member) -> str:
    """A Member Search MMIS refuses (the name is not the member's): the panel shows why."""
    search = browser.get(start)
    answer = browser.submit(search, search.form("member_id", "last_name", "first_name"),
                            member_id=member.member_id, last_name="NOTTHENAME",
                            first_name=member.first_name)
    assert answer.status == 200 and "<h1>Member Search</h1>" in answer.text, answer.text
    return answer.text


def test_clerks_submit_search_and_export_at_once_through_pgbouncer(pooled, tmp_path):
    bouncer, web, env = pooled
    plan = Plan.objects.get(provider_id=CCA_SCO)
    clerks = [provider_user(f"cca.sco.{i}", CCA_SCO) for i in range(CLERKS + 1)]
    for clerk in clerks:
        production_password(clerk)
    to_enroll = [[MemberFactory() for _ in range(ENROLLS)] for _ in range(CLERKS)]
    to_disenroll = [SpanFactory(plan=plan, start_date=datetime.date(2024, 1, 1)).member
                    for _ in range(CLERKS)]
    # Batch 1 is there to download; one accepted enrollment waits for the next batch.
    earlier = [MemberFactory(), MemberFactory()]
    for member in earlier:
        txn = enrollment_submit(token=uuid.uuid4(), program=Program.SCO, provider_id=CCA_SCO,
                                member=member, last_name=member.last_name,
                                first_name=member.first_name, actor=clerks[-1],
                                today=clock.today())
        assert txn.accepted, txn.errors
        if member is earlier[0]:
            batch_write(batch=batch_cut(plan=plan), path=tmp_path / "batch1.x12")
    export_to = tmp_path / "export.x12"

    def work(i: int):
        if i == CLERKS:  # the 834 file's clerk
            browser = Browser(web.port)
            home = browser.sign_in(clerks[-1].username)
            files = browser.get(home.links()["834 Files"])
            [link] = [href for text, href in files.links().items()
                      if text == f"Download 834_{CCA_SCO}_000001.x12"]
            bodies = [browser.get(link) for _ in range(DOWNLOADS)]
            assert {(p.status, p.headers["content-type"]) for p in bodies} == {
                (200, "application/edi-x12")}
            return {p.body for p in bodies}
        if i == CLERKS + 1:  # the operator's export_834, through the pooler too
            return subprocess.run(
                [sys.executable, "manage.py", "export_834", "--provider-id", CCA_SCO,
                 "--output", str(export_to)],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        browser = Browser(web.port)
        start = browser.sign_in(clerks[i].username).links()[SCO_PANELS]
        done = [enroll(browser, start, member) for member in to_enroll[i]]
        done.append(disenroll(browser, start, to_disenroll[i]))
        done.append(refused_search(browser, start, to_enroll[i][0]))
        return len(done)

    results = run_in_threads(CLERKS + 2, work)

    log = web.output()
    assert "Traceback" not in log and not re.search(r'" 5\d\d ', log), log
    assert results[:CLERKS] == [ENROLLS + 2] * CLERKS, (results, log)
    [downloaded] = results[CLERKS]
    assert downloaded.startswith(b"ISA*") and downloaded.rstrip().endswith(b"~")
    export = results[CLERKS + 1]
    assert export.returncode == 0, export.stdout + export.stderr
    assert export.stdout.startswith(f"wrote batch 2 for {CCA_SCO}"), export.stdout

    # Exactly one transaction per member, accepted, and one 834 entry for it.
    for member in [m for ms in to_enroll for m in ms] + to_disenroll + earlier:
        [txn] = EnrollmentTransaction.objects.filter(member=member)
        assert txn.accepted and BatchEntry.objects.filter(transaction=txn).count() == 1
    assert EnrollmentTransaction.objects.filter(kind="ENROLL").count() == CLERKS * ENROLLS + 2
    assert EnrollmentTransaction.objects.filter(kind="DISENROLL").count() == CLERKS
    # Batch 2 holds what was pending when export_834 cut it, and its file lists exactly that.
    batch = Batch834.objects.get(plan=plan, number=2)
    assert 1 <= batch.loop_count == BatchEntry.objects.filter(batch=batch).count()
    segments = [segment.strip() for segment in export_to.read_text().split("~")]
    assert sum(segment.startswith("INS*") for segment in segments) == batch.loop_count

    # PgBouncer passes no `-c jit=off`: the database's own setting (posc 0002) holds.
    db = connection.settings_dict
    with psycopg.connect(host="127.0.0.1", port=bouncer.port, dbname=db["NAME"],
                         user=db["USER"], password=db["PASSWORD"] or None) as through_pooler:
        assert through_pooler.execute("SHOW jit").fetchone() == ("off",)
