"""The development mailer: who an e-mail goes to and its subject, never its body.

Django's console backend printed whole e-mails (member names and IDs in the body) to the
server's output, around the logging's PHI filter (issue 15). This one prints the
recipients and the subject, masked like the logs (posc.logging.redact), and the body's
length only.
"""

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

from posc.logging import redact


class RedactedConsoleBackend(ConsoleEmailBackend):
    """Write one line per e-mail: recipients, masked subject, body length."""

    def write_message(self, message) -> None:
        self.stream.write(f"E-mail to {', '.join(message.recipients())}: "
                          f"{redact(message.subject)} ({len(message.body)} characters of body "
                          "not shown: it may name members)\n")
