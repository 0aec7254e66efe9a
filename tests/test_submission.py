"""One token-replay helper (posc/submission.py): a re-post returns the row its user made."""

import datetime
import uuid

import pytest
from django.db import transaction

from crm_tracker.models import Vetting, VettingBatch
from posc.exceptions import DomainError
from posc.submission import submission_replay
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 22, 15, 0, tzinfo=datetime.UTC)


def replay(token: uuid.UUID | None, user) -> VettingBatch | None:
    with transaction.atomic():
        return submission_replay(VettingBatch, token=token, user=user,
                                 owner_field="vetted_by_id", refusal="Already vetted.")


@pytest.fixture
def made() -> VettingBatch:
    return VettingBatch.objects.create(submission_token=uuid.uuid4(), vetted_by=UserFactory(),
                                       vetted_at=NOW, vetting=Vetting.TRUE, reason="checked")


def test_a_repost_by_its_user_returns_the_row_made(made):
    assert replay(made.submission_token, made.vetted_by) == made


@pytest.mark.parametrize("token", [None, uuid.UUID(int=7)], ids=["no token", "fresh token"])
def test_a_first_post_gets_none(made, token):
    assert replay(token, made.vetted_by) is None


def test_another_users_token_is_refused(made):
    with pytest.raises(DomainError) as refused:
        replay(made.submission_token, UserFactory())
    assert (refused.value.code, refused.value.message) == ("TOKEN", "Already vetted.")
