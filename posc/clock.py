"""The portal's calendar day: Massachusetts time, whatever the server's zone."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

# mmis-rules.md: the request date is today in America/New_York; seed 004's business days
# and 5 pm close are Eastern too.
EASTERN = ZoneInfo("America/New_York")


def today_eastern(now: datetime.datetime | None = None) -> datetime.date:
    """Return the calendar date in America/New_York of *now* (default: this moment)."""
    return (now or timezone.now()).astimezone(EASTERN).date()
