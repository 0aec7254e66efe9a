"""Property: whatever a member's record holds, Submit stores an 834 loop that makes a valid
file, or refuses before storing anything (enrollment/services.py, mmis-rules.md "The 834").

The names come from the feed, whose converters are the gate: only what they accept is
tried here (after them the record may hold * ^ : ~, accents, any script with a letter A-Z).
"""

import datetime
import re
import uuid

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from enrollment.services import batch_cut, batch_stream, enrollment_submit
from posc.exceptions import DomainError
from posc.members.demo import CCA_SCO
from posc.members.importer import MAX_LENGTHS, converters
from posc.members.models import Plan
from tests.factories import MemberFactory
from tests.property import x12fast
from tests.property.helpers import (
    assert_well_formed,
    changed_tables,
    example_savepoint,
    table_snapshot,
)
from tests.property.strategies import any_text, edge_dates

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)
_CONVERT = converters(plan_programs={}, valid_dates=set())
_TEXT = {name: _CONVERT[i] for i, name in ((1, "last_name"), (2, "first_name"),
                                           (14, "address_line1"), (15, "city"))}


def _feed_valid(name: str, value: str) -> str:
    """Return *value* made acceptable to the feed's converter of *name*, kept hostile."""
    text = "".join(ch for ch in value if ch.isprintable()).strip()
    if not re.search("[A-Za-z]", text):
        text = f"A{text}"
    return _TEXT[name](text[:MAX_LENGTHS[name]])


def _feed_text(name: str) -> st.SearchStrategy[str]:
    """Return hostile text that the feed would store in *name* (the converter's output)."""
    return any_text().map(lambda v: _feed_valid(name, v))


@given(last_name=_feed_text("last_name"), first_name=_feed_text("first_name"),
       address=_feed_text("address_line1"), city=_feed_text("city"),
       middle=st.sampled_from(["", "A", "Z"]),
       born=st.one_of(st.dates(datetime.date(1800, 1, 1), datetime.date(1961, 1, 1)),
                      edge_dates().filter(lambda d: d <= TODAY)))
def test_enrollment_submit_834(cca_sco, last_name, first_name, address, city,
                               middle, born):
    """Submit: accepted with a loop that makes a valid 834, or refused with nothing stored."""
    with example_savepoint():
        member = MemberFactory(last_name=last_name, first_name=first_name, middle_initial=middle,
                               address_line1=address, city=city, date_of_birth=born)
        before = table_snapshot()
        try:
            txn = enrollment_submit(token=uuid.uuid4(), program="SCO", provider_id=CCA_SCO,
                                    member=member, last_name=last_name,
                                    first_name=first_name, actor=cca_sco, today=TODAY)
        except DomainError as refusal:
            event(f"refused {refusal.code}")
            assert changed_tables(before, table_snapshot()) == []
            return
        event(f"{txn.status}")
        if not txn.accepted:
            assert txn.codes and txn.loop_x12 == ""
            return
        assert_well_formed(txn.loop_x12)
        # The batch's bytes as batch_write writes them (without its fsyncs: one per example).
        batch = batch_cut(plan=Plan.objects.get(provider_id=CCA_SCO))
        text = b"".join(batch_stream(batch=batch)).decode("ascii")
        assert x12fast.pyx12_errors(text) == []

