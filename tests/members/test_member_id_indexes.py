"""No varchar_pattern_ops ("_like") index on a member ID column (migrations members.0003 and
0005): no query runs LIKE 'prefix%' on a member ID, and each such index slows the import."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("table", ["members_member", "members_enrollmentspan",
                                   "members_feedline"])
def test_no_pattern_ops_index_on_member_ids(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s"
                       " AND indexdef LIKE '%%varchar_pattern_ops%%'", [table])
        assert cursor.fetchall() == []
