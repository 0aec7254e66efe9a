"""A double-click or a re-post of the Recoupment Form makes one request and one e-mail."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from recoupments.inputs import LineInput, RecoupmentInput
from recoupments.models import Recoupment
from recoupments.services import recoupment_submit
from tests.helpers import provider_user
from tests.recoupments.helpers import HOSPITAL, NOW, TUFTS_TOGETHER, form_post
from tests.threads import run_in_threads

SUBMIT = reverse("recoupments:submit")


@pytest.mark.django_db
def test_the_same_page_posted_twice_gives_one_request(hospital, client_for):
    client = client_for(hospital)
    token = client.get(SUBMIT).context["form"]["submission_token"].value()
    assert uuid.UUID(str(token))
    first = client.post(SUBMIT, form_post(submission_token=token))
    second = client.post(SUBMIT, form_post(submission_token=token))
    (recoupment,) = Recoupment.objects.all()
    assert first["Location"] == second["Location"] == reverse(
        "recoupments:detail", args=[recoupment.reference])
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_new_page_gets_a_new_token(hospital, client_for):
    client = client_for(hospital)
    tokens = {str(client.get(SUBMIT).context["form"]["submission_token"].value())
              for _ in range(2)}
    assert len(tokens) == 2
    for token in tokens:
        client.post(SUBMIT, form_post(submission_token=token))
    assert Recoupment.objects.count() == 2


@pytest.mark.django_db
def test_another_users_token_is_refused(hospital, client_for):
    token = str(uuid.uuid4())
    client_for(hospital).post(SUBMIT, form_post(submission_token=token))
    other = Client()
    other.force_login(provider_user("hospital2", HOSPITAL))
    page = other.post(SUBMIT, form_post(submission_token=token)).content.decode()
    assert "This form was already submitted." in page
    assert Recoupment.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_posts_of_one_page_make_one_request(recoupment_data):
    user = provider_user("hospital", HOSPITAL)
    token = uuid.uuid4()
    data = RecoupmentInput(
        provider_id=HOSPITAL, provider_name="Example Community Hospital", provider_npi="",
        mce_provider_ids=(TUFTS_TOGETHER,), member_first_name="ROSE",
        member_last_name="EXAMPLE", member_ids=("100000000001",),
        lines=(LineInput(date_of_service=datetime.date(2025, 3, 4),
                         service="99213", amount=Decimal("10.00")),))
    results = run_in_threads(8, lambda i: recoupment_submit(actor=user, data=data,
                                                            submission_token=token,
                                                            now=NOW).pk)
    assert len(set(results)) == 1
    assert Recoupment.objects.count() == 1 and len(mail.outbox) == 1
