"""The seed's intake rules as small pure functions over the request and today's date."""

import datetime
import re

from crm_tracker.models import CaseType, ProviderTermination
from posc.exceptions import DomainError

# 130 CMR 508.003(C) (domain.md D1): a newly enrolled member, auto-assigned included, may
# change plans for any reason during the first 90 days of the enrollment.
RIGHT_TO_CHANGE_DAYS = 90


class IntakeRefused(DomainError):
    """A request that is not a tracker case; the message says where it goes instead."""

    default_code = "INTAKE_REFUSED"


# SSA, "Social Security Number Randomization" (2011): area numbers 000 and 666, group
# number 00 and serial number 0000 are never issued. Area 9xx is not issued either, but the
# demo data and the tests use 9xx on purpose (numbers that belong to nobody): kept accepted.
NEVER_ISSUED = (
    (slice(0, 3), ("000", "666"), "area number {} (the first three digits) is never issued"),
    (slice(3, 5), ("00",), "group number {} (the middle two digits) is never issued"),
    (slice(5, 9), ("0000",), "serial number {} (the last four digits) is never issued"),
)


def ssn_refusal(digits: str) -> str:
    """Return why the 9 *digits* cannot be an SSN the SSA issued; "" when they can."""
    reasons = [why.format(digits[part]) for part, never, why in NEVER_ISSUED
               if digits[part] in never]
    if not reasons:
        return ""
    return (f"{digits[:3]}-{digits[3:5]}-{digits[5:]} is not an SSN: {'; '.join(reasons)}. "
            "Check the number on the consumer's record.")


def with_article(label: str) -> str:
    """Return *label* after "a" or "an" as it is said: "an MCT Span", "an Angela Melody"."""
    first = label.split()[0]
    # An initialism is spelled out: M is "em", so "an MCT"; a word goes by its first letter.
    vowel_sound = (first[0] in "AEFHILMNORSX" if first.isupper() and len(first) > 1
                   else first[0].lower() in "aeiou")
    return f"{'an' if vowel_sound else 'a'} {label}"


def right_to_change_end(start: datetime.date) -> datetime.date:
    """Return the last day of the 90-day plan selection period that starts on *start*."""
    return start + datetime.timedelta(days=RIGHT_TO_CHANGE_DAYS - 1)


def check_angela_melody_period(*, termination: ProviderTermination,
                               today: datetime.date) -> None:
    """Refuse an Angela Melody request outside its provider's choice period (seed 003)."""
    if termination.choice_period_start <= today <= termination.choice_period_end:
        return
    # Seed 003: "Request after that, if applicable, are processed through 'For Cause
    # Reason' guidelines" (domain.md D2, exception 8: key network providers have left).
    raise IntakeRefused(
        f"Today is outside the choice period of {termination.provider_name} leaving "
        f"{termination.plan.name} ({termination.choice_period_start:%m/%d/%Y}–"
        f"{termination.choice_period_end:%m/%d/%Y}). Angela Melody changes are processed only "
        "during that period; use For Cause Reason instead if a for-cause reason applies.",
        code="ANGELA_MELODY_PERIOD")


def check_right_to_change(*, case_type: str, auto_assigned: bool,
                          current_mco_start: datetime.date | None,
                          today: datetime.date) -> None:
    """Refuse auto-assignments that HBX handles under the 90 Day Right to Change Rule."""
    if not auto_assigned:
        return
    if current_mco_start is None:
        raise IntakeRefused("Enter the Current MCO start date of the auto-assignment.",
                            code="START_DATE_REQUIRED")
    if current_mco_start > today:
        raise IntakeRefused(
            f"The Current MCO start date {current_mco_start:%m/%d/%Y} is in the future: enter "
            "the date the auto-assigned MCO started (MM/DD/YYYY).", code="START_DATE_FUTURE")
    end = right_to_change_end(current_mco_start)
    if today <= end:
        raise IntakeRefused(
            f"The consumer was auto-assigned on {current_mco_start:%m/%d/%Y} and may change "
            f"MCO for any reason until {end:%m/%d/%Y} under the 90 Day Right to Change Rule "
            "(130 CMR 508.003(C)). Process the change in HBX; it is not a tracker case.",
            code="RIGHT_TO_CHANGE")
    if case_type == CaseType.INCORRECT_SELECTION:
        # Seed 003: Incorrect MCO Selection cases "do not include auto-assignments".
        raise IntakeRefused(
            "Incorrect Selection cases do not include auto-assignments. After the 90-day "
            "right to change, use For Cause Reason if a for-cause reason applies.",
            code="AUTO_ASSIGNED")


# Dates as a clerk types them, on the MMIS Processing page and in the State Monitor's sheet
# alike (issue 13 point 12): 11/22/2026, 1/5/2026, or ISO 2026-11-22 (a CSV written by
# another tool, with or without a midnight time). A two-digit year is refused: 1/5/26
# could be 1926.
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")


def parse_clerk_date(text: str) -> datetime.date:
    """Return the date a clerk typed as *text*; ValueError when it is not one."""
    text = text.strip()
    if match := US_DATE.match(text):
        month, day, year = map(int, match.groups())
    elif match := ISO_DATE.match(text):
        year, month, day = map(int, match.groups())
    else:
        raise ValueError(text)
    return datetime.date(year, month, day)  # ValueError for 02/31/2026


def mmis_date_refusal(*, processed_on: datetime.date, opened_on: datetime.date,
                      today: datetime.date) -> str:
    """Return the code of the rule the Date processed in MMIS breaks ("" when none).

    The State Monitor records a processing that happened: not in the future, and not
    before the case was opened (seed 003: the case reaches them after QC).
    """
    if processed_on > today:
        return "DATE_FUTURE"
    if processed_on < opened_on:
        return "DATE_BEFORE_CASE"
    return ""
