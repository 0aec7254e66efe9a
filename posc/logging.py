"""Keep protected health information out of log output (issue 6, item 6).

The rule is that no code logs a member's name, member ID, SSN or date of birth: log lines
name cases, batches and references, never members. ``RedactPHIFilter`` is defence in depth
behind that rule, attached to every handler in ``settings.LOGGING``: it masks what has a
shape (12-digit member IDs, SSNs, dates) in a record's message, arguments, traceback and
stack, and replaces the request path of Django's request records ("Not Found: /admin/
members/member/<member ID>/change/") by the URL pattern the request matched. Names have no
shape, so they are never logged in the first place (HIPAA 45 CFR 164.312(b), 164.502(b)
minimum necessary; OWASP ASVS 4.0.3 7.1.1: "the application does not log ... sensitive
personal information").

No Django import at module level: gunicorn.conf.py loads this module before Django is set up.
"""

import logging
import re
import traceback
from typing import Any

MASK = "[redacted]"

# domain.md F: the MassHealth member ID is 12 digits. Not the last group of a UUID
# (a task id), which may happen to be all digits.
MEMBER_ID = r"(?<![0-9a-fA-F]{4}-)\b\d{12}\b"
# An SSN, with or without its dashes (crm_tracker stores it as 9 digits).
SSN = r"\b\d{3}-\d{2}-\d{4}\b|\b\d{9}\b"
# A date of birth as the portal reads and shows it: ISO (the feed) or MM/DD/YYYY (pages).
# The record's own time is added by the formatter, after this filter: it is not masked.
DATE = r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{4}\b"
PHI_SHAPES = re.compile("|".join(f"(?:{p})" for p in (MEMBER_ID, SSN, DATE)))
QUERY_STRING = re.compile(r"\?[^\s\"]*")


def redact(text: str) -> str:
    """Return *text* with every member ID, SSN and date in it masked."""
    return PHI_SHAPES.sub(MASK, text)


def request_path_safe(request: Any) -> str:
    """Return what a log line may say of *request*'s path: its URL pattern, not its values.

    A path carries member IDs (the admin's /admin/members/member/<member ID>/change/) and, in
    a mistyped URL, anything at all. A path that matched no pattern keeps only its first
    segment.
    """
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return redact(f"/{match.route}")
    segments = str(getattr(request, "path", "")).strip("/").split("/")
    return redact(f"/{segments[0]}/…" if len(segments) > 1 else f"/{segments[0]}")


class RedactPHIFilter(logging.Filter):
    """Mask member IDs, SSNs and dates in a record, and the request path of request records.

    The record is changed in place, so every handler after this one sees it masked too. The
    message is formatted here (``getMessage``) and the arguments dropped, so that an argument
    cannot bring PHI back in; the traceback is formatted here too and stored as ``exc_text``,
    which the formatter prints instead of formatting the exception again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_phi_redacted", False):
            return True
        request = getattr(record, "request", None)
        if request is not None and getattr(request, "path", "") and isinstance(record.args,
                                                                               tuple):
            # django.utils.log.log_message: "Not Found: %s", "Forbidden (...): %s", ... with
            # request.path escaped by unicode_escape.
            path = str(getattr(request, "path", ""))
            shown = {path, path.encode("unicode_escape").decode("ascii")}
            record.args = tuple(request_path_safe(request) if isinstance(a, str) and a in shown
                                else a for a in record.args)
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError, IndexError):  # bad format: keep it
            message = f"{record.msg!r} {record.args!r}"
        if record.name == "django.server":
            # runserver's request line: a query string carries what was searched for (the
            # admin's ?q=<member name>), which no pattern finds.
            message = QUERY_STRING.sub("", message)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._phi_redacted = True
        return True
