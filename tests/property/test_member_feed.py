"""Property: any feed file is imported per the contract or refused whole with its problems,
and a refused file writes nothing (contracts/member-feed.md: all or nothing).

Files are built from the contract's sample: its header and rows, with hostile values put
in some cells, columns dropped, repeated or unknown, a byte-order mark, other encodings,
quotes and stray line breaks; or bytes that are not a CSV at all.
"""

import csv
import datetime
import io

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from posc.exceptions import ImportRejected
from posc.members.importer import COLUMNS, NAMES, converters, members_import
from posc.members.models import EnrollmentSpan, FeedLine, Member, Plan
from tests.property.helpers import changed_tables, example_savepoint, table_snapshot
from tests.property.strategies import any_text, iso_date_text
from tests.x12check import SAMPLES

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)
NOW = datetime.datetime(2026, 11, 22, 15, 0, tzinfo=datetime.timezone.utc)
SAMPLE = (SAMPLES / "member-feed-sample.csv").read_text("utf-8")
HEADER, *ROWS = list(csv.reader(io.StringIO(SAMPLE)))
DATE_COLUMNS = {name for name, _, kind in COLUMNS if kind == "date"}


def _cell(column: str) -> st.SearchStrategy[str]:
    return iso_date_text() if column in DATE_COLUMNS else any_text()


@st.composite
def feeds(draw) -> bytes:
    """Return the bytes of a feed file: the sample, changed in a few hostile ways."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    header = list(HEADER)
    rows = [list(r) for r in draw(st.lists(st.sampled_from(ROWS), min_size=0, max_size=4))]
    for i, row in enumerate(rows):  # distinct member IDs unless a repeat is drawn
        if not draw(st.integers(0, 5)) == 0:
            row[0] = f"1000000001{i:02d}"
    for _ in range(draw(st.integers(0, 3))):
        if not rows:
            break
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(header) - 1))
        rows[r][c] = draw(_cell(header[c]))
    change = draw(st.sampled_from(["none", "none", "drop", "repeat", "unknown", "case",
                                   "short row"]))
    if change == "drop":
        c = draw(st.integers(0, len(header) - 1))
        header.pop(c)
        for row in rows:
            row.pop(c)
    elif change == "repeat":
        header.append(draw(st.sampled_from(HEADER)))
        for row in rows:
            row.append("")
    elif change == "unknown":
        header.append(draw(any_text(max_size=12)))
        for row in rows:
            row.append("x")
    elif change == "case":
        header = [f" {h.upper()} " for h in header]
    elif change == "short row" and rows:
        rows[0] = rows[0][:draw(st.integers(0, len(rows[0]) - 1))]
    out = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    csv.writer(out, quoting=quoting, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))
               ).writerows([header, *rows])
    text = out.getvalue()
    if draw(st.integers(0, 5)) == 0:  # a quote never closed, a NUL, a lone CR
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(['"', "\x00", "\r", "\n\n", ","])) + text[at:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return text.encode(encoding, errors="replace")


def _expected(raw_rows: list[dict]) -> dict[str, dict]:
    """Return what each row should store, by the per-column converters (the contract)."""
    convs = dict(zip(NAMES, converters(plan_programs=dict(
        Plan.objects.values_list("provider_id", "program")), valid_dates=set()), strict=True))
    return {row["member_id"].strip(): {name: convs[name](row.get(name, ""))
                                       for name in ("last_name", "first_name", "city",
                                                    "date_of_birth", "county", "sex")}
            for row in raw_rows}


@given(content=feeds(), after_sample=st.booleans())
def test_member_feed_import(reference_data, tmp_path, content, after_sample):
    """members_import: every row stored as its converters say, or a refusal that writes nothing.

    *after_sample*: the contract's sample was imported first, so that the lines it shares
    with the feed are matched by their digests (importer.digests) and not checked again.
    """
    path = tmp_path / "feed.csv"
    path.write_bytes(content)
    with example_savepoint():
        if after_sample:
            sample = tmp_path / "sample.csv"
            sample.write_text(SAMPLE, encoding="utf-8")
            members_import(path=sample, today=TODAY, now=NOW)
            event("after the sample")
        before = table_snapshot()
        try:
            result = members_import(path=path, today=TODAY, now=NOW)
        except ImportRejected as refusal:
            event("refused")
            problems = refusal.extra["problems"]
            assert problems and all(p.startswith("line ") for p in problems), problems
            assert "nothing was imported" in refusal.message
            assert changed_tables(before, table_snapshot()) == []
            return
        event("imported")
        records = [r for r in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
                   if r]  # blank lines are skipped (the importer's rule too)
        names = [h.strip().lower() for h in records[0]]
        raw = [dict(zip(names, r, strict=True)) for r in records[1:]]
        assert result.rows == len(raw)
        assert set(changed_tables(before, table_snapshot())) <= {
            Member._meta.db_table, EnrollmentSpan._meta.db_table, FeedLine._meta.db_table}
        for member_id, fields in _expected(raw).items():
            stored = Member.objects.get(pk=member_id)
            for name, value in fields.items():
                got = getattr(stored, name)
                assert (got.isoformat() if isinstance(got, datetime.date) else got) == value
