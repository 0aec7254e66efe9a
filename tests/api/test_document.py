"""The OpenAPI 3 document and its page (issue 18 §1): served by the portal, every
operation in it, the page's scripts from the portal's own static files (no CDN)."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from enrollment.services import batch_cut
from posc.members.demo import CCA_SCO
from posc.members.models import Plan
from tests.api.helpers import auth, person, post, token_for
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
OPERATIONS = {"member_search", "enroll", "disenroll", "transaction", "batches",
              "batch_download", "acknowledgment_upload"}


def test_the_document_lists_every_operation_with_bearer_security(client):
    document = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert document.status_code == 200
    schema = document.json()
    assert schema["openapi"].startswith("3.")
    found = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert found == OPERATIONS
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    enroll = schema["paths"]["/api/v1/enrollments"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in enroll["parameters"])
    assert "application/problem+json" in enroll["responses"]["422"]["content"]


def test_the_page_loads_swagger_ui_from_the_portal(client):
    page = client.get(reverse("api-docs")).content.decode()
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert len(sources) == 3 and all(s.startswith("/") for s in sources)
    assert "<script>" not in page and "<style" not in page  # CSP: self only
    assert client.get(sources[-1]).status_code == 200  # the init script, a file of its own


def test_reads_are_audited_as_the_pages_they_replace(client, cca_sco):
    secret = token_for(cca_sco)
    member = MemberFactory()
    reference = post(client, reverse("enrollment-api:enroll"), secret,
                     person(member, CCA_SCO, certify=True)).json()["reference"]
    batch = batch_cut(plan=Plan.objects.get(provider_id=CCA_SCO))
    client.get(reverse("enrollment-api:transaction", args=[reference]), **auth(secret))
    download = client.get(reverse("enrollment-api:batch_download", args=[batch.pk]),
                          **auth(secret))
    b"".join(download.streaming_content)
    rows = AuditEvent.objects.filter(user=cca_sco, member_id=member.member_id)
    assert {(r.action, r.object_type) for r in rows} >= {
        ("VIEW", "enrollment transaction"), ("DOWNLOAD", "834 batch")}
