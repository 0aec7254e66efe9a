"""What the member tests share: the contract's sample feed, a valid row, a feed writer;
linking two Member IDs, enrolling a member on LINK_TODAY."""

import csv
import datetime
import uuid
from pathlib import Path

from enrollment.models import EnrollmentTransaction
from enrollment.services import enrollment_submit
from posc.members.demo import CCA_SCO
from posc.members.importer import NAMES
from posc.members.models import Member, MemberLink
from posc.members.services import member_link

# A copy of contracts/member-feed-sample.csv.
SAMPLE = (
    "member_id,last_name,first_name,middle_initial,date_of_birth,sex,coverage_type,"
    "coverage_start,coverage_end,medicare_a_start,medicare_a_end,medicare_b_start,"
    "medicare_b_end,mbi,address_line1,city,zip,county,residence,rating_category,esrd,"
    "deductible_period,date_of_death,current_plan_provider_id,current_plan_start\n"
    "100000000001,EXAMPLE,ROSE,A,1950-04-12,F,STANDARD,2016-07-01,,2015-04-01,,2015-04-01,,"
    "1EG4TE5MK72,12 SAMPLE ST,BOSTON,02118,Suffolk,COMMUNITY,CW,N,N,,,\n"
    "100000000002,SPECIMEN,WALTER,,1982-09-30,M,COMMONHEALTH,2019-01-01,,2021-03-01,,"
    "2021-03-01,,,4 DEMO AVE,WORCESTER,01608,Worcester,COMMUNITY,C2A,N,N,,120000002A,"
    "2024-02-01\n"
    "100000000003,PLACEHOLDER,IRIS,,1941-01-05,F,STANDARD,2010-01-01,,2006-01-01,,2006-01-01,,,"
    "77 TEST RD,SPRINGFIELD,01103,Hampden,NURSING_FACILITY,T2,N,N,,110000001A,2022-10-01\n"
)
# A valid row (the sample's first member) to change one value at a time.
ROW = dict(zip(NAMES, SAMPLE.splitlines()[1].split(","), strict=True))
TODAY = datetime.date(2025, 1, 15)
NOW = datetime.datetime(2025, 1, 15, 15, 0, tzinfo=datetime.timezone.utc)
MCO = "130000001A"  # demo-data.md: Tufts Health Together


def feed(tmp_path: Path, rows: list[dict], *, header: tuple[str, ...] = NAMES,
         name: str = "feed.csv") -> Path:
    """Write *rows* (dicts by column) as a feed CSV and return its path."""
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([row.get(column, "") for column in header] for row in rows)
    return path


LINK_TODAY = datetime.date(2026, 11, 22)
LINK_NOW = datetime.datetime(2026, 11, 22, 15, 0, tzinfo=datetime.UTC)


def link(primary: Member, secondary: Member, actor,
         reason: str = "Member reported a second MassHealth ID") -> MemberLink:
    """Link *secondary*'s Member ID to *primary*'s as *actor* did at LINK_NOW."""
    return member_link(primary_id=primary.pk, secondary_id=secondary.pk, reason=reason,
                       actor=actor, now=LINK_NOW)


def enroll(user, member: Member, provider_id: str = CCA_SCO) -> EnrollmentTransaction:
    """Submit an SCO enrollment of *member* with *provider_id* as *user*, on LINK_TODAY."""
    return enrollment_submit(token=uuid.uuid4(), program="SCO", provider_id=provider_id,
                             member=member, last_name=member.last_name,
                             first_name=member.first_name, actor=user, today=LINK_TODAY)
