"""The seed's intake rules as small pure functions over the request and today's date."""

import datetime

from crm_tracker.models import CaseType, ProviderTermination
from posc.exceptions import DomainError

# 130 CMR 508.003(C) (domain.md D1): a newly enrolled member, auto-assigned included, may
# change plans for any reason during the first 90 days of the enrollment.
RIGHT_TO_CHANGE_DAYS = 90


class IntakeRefused(DomainError):
    """A request that is not a tracker case; the message says where it goes instead."""

    default_code = "INTAKE_REFUSED"


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
