"""The portal's one clock: Massachusetts time, whatever the server's zone.

Only views, admin pages and management commands read the clock, once per request or run
(``request_now``, ``now``), and pass the moment (or its Eastern date) down to services,
selectors and forms as ``now``/``today``: no service or model method reads it on its own,
so a test gives any date to a service and the suite passes whatever the real date.

Which clock is the truth: Python's, never the database server's. The moment is read here
and written as a value (no ``Now()``/``now()``/``CURRENT_DATE`` in SQL or model defaults):
the two clocks can disagree (another host, faketime moves only Python's), and a request's
rows, history and audit rows must all carry the one moment its view read. Bookkeeping
stamps (``updated_at``: ``auto_now``) read Python's clock too.
"""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

# mmis-rules.md: the request date is today in America/New_York; seed 004's business days
# and 5 pm close are Eastern too.
EASTERN = ZoneInfo("America/New_York")


def now() -> datetime.datetime:
    """Return this moment (aware): the one read of the clock, for a caller to pass down."""
    return timezone.now()


def request_now(request) -> datetime.datetime:
    """Return the moment of *request*: read once, the same for everything it calls."""
    moment = getattr(request, "posc_now", None)
    if moment is None:
        moment = request.posc_now = now()
    return moment


def today_eastern(moment: datetime.datetime) -> datetime.date:
    """Return the calendar date in America/New_York of *moment* (an aware datetime)."""
    return moment.astimezone(EASTERN).date()


def today() -> datetime.date:
    """Return today's date in America/New_York, for a caller (a command, a test) to pass."""
    return today_eastern(now())
