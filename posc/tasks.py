"""Background work of the portal, through Django's tasks API.

Callers enqueue inside their own transaction: with the database backend (production) the
task row commits or rolls back with the business change, so an e-mail is never sent for a
change that did not happen (a transactional outbox). The immediate backend (development,
tests) runs it at once.
"""

from django.core.mail import EmailMessage
from django.tasks import task


@task
def email_send(*, subject: str, body: str, to: list[str], cc: list[str] | None = None,
               reply_to: list[str] | None = None) -> int:
    """Send one plain-text e-mail through the default mailer; return the number sent."""
    message = EmailMessage(subject=subject, body=body, to=to, cc=cc or [],
                           reply_to=reply_to or [])
    return message.send()
