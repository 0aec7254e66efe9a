"""gunicorn settings, read from the working directory (`gunicorn posc.wsgi`, README).

No PHI in logs (issue 6; HIPAA 45 CFR 164.312(b), OWASP ASVS 4.0.3 7.1.1): an access log
line (written when --access-logfile is given) names the path without its query string, which
carries what was searched for (the admin's ?q=<member name>), and without the Referer, a
whole URL with its query string. The path itself may hold a member ID (the admin's
/admin/members/member/<member ID>/change/): gunicorn's loggers mask it like the portal's.
"""

import logging

# gunicorn's default is '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"':
# %(r)s is the request line with the query string, %(f)s the Referer.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'


def on_starting(server) -> None:
    """Mask member IDs, SSNs and dates in every line gunicorn logs (workers inherit this)."""
    from posc.logging import RedactPHIFilter

    for name in ("gunicorn.access", "gunicorn.error"):
        logging.getLogger(name).addFilter(RedactPHIFilter())
