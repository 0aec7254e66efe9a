"""span_no_overlap_integrated in the form migration members.0003 chose (issue 19 §2): with
btree_gist where the server has it, else int8range; the same spans are refused either way."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from posc.members.demo import CCA_SCO, FALLON_SCO
from posc.members.models import EnrollmentSpan
from tests.factories import MemberFactory, SpanFactory
from tests.members.helpers import MCO

pytestmark = pytest.mark.django_db
D = datetime.date


def _definition() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                       " WHERE conname = 'span_no_overlap_integrated'")
        return cursor.fetchone()[0]


def _btree_gist_available() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gist'")
        return cursor.fetchone() is not None


def test_the_btree_gist_form_is_used_where_the_server_has_it():
    definition = _definition()
    if _btree_gist_available():  # CI's PostgreSQL 15 and the embedded 18 have it
        assert "((member_id)::bigint) WITH =" in definition
    else:
        assert "int8range((member_id)::bigint" in definition


def test_one_day_in_common_is_refused_and_the_next_day_is_not(plans):
    member = MemberFactory()
    SpanFactory(member=member, plan=plans[CCA_SCO], start_date=D(2024, 1, 1),
                end_date=D(2024, 6, 30))
    with pytest.raises(IntegrityError), transaction.atomic():
        SpanFactory(member=member, plan=plans[FALLON_SCO], start_date=D(2024, 6, 30))
    SpanFactory(member=member, plan=plans[FALLON_SCO], start_date=D(2024, 7, 1))
    assert EnrollmentSpan.objects.filter(member=member).count() == 2


def test_other_members_and_other_programs_may_overlap(plans):
    first, second = MemberFactory(), MemberFactory()
    SpanFactory(member=first, plan=plans[CCA_SCO], start_date=D(2024, 1, 1))
    SpanFactory(member=second, plan=plans[FALLON_SCO], start_date=D(2024, 1, 1))
    SpanFactory(member=first, plan=plans[MCO], start_date=D(2024, 1, 1))
    assert EnrollmentSpan.objects.count() == 3
