"""Run export_834 or the daily 834 task in a child process that stops at a chosen point.

    python -m tests.security.export_child write|cut command EXPORT_834_ARGS...
    python -m tests.security.export_child write|cut daily PROVIDER_ID OUTBOX

At the point ("write": the first chunk of the 834 is in the temporary file; "cut": inside
batch_cut's transaction, just after the batch row is inserted) the child prints PAUSED on
stdout and waits on stdin, so that tests/security/test_export_crash.py can SIGKILL it
exactly there. Only the crash point is arranged: the code, the database (DATABASE_URL,
the test's own) and the files are real. If the test goes away, stdin closes and the child
exits.
"""

import os
import sys
from pathlib import Path

PAUSED = "PAUSED"


def pause() -> None:
    """Tell the test that the crash point is reached, then wait to be killed."""
    print(PAUSED, flush=True)
    sys.stdin.read()
    os._exit(3)  # the test never lets this happen: it kills the process first


def pause_after_first_chunk() -> None:
    from enrollment import services

    stream = services.batch_stream

    def first_chunk_then_pause(*, batch):
        chunks = stream(batch=batch)
        yield next(chunks)
        pause()  # resumed only once the writer has written the first chunk
        yield from chunks

    services.batch_stream = first_chunk_then_pause


def pause_inside_cut() -> None:
    from django.db.models.signals import post_save

    from enrollment.models import Batch834

    def on_save(sender, created, **kwargs):
        if created:
            pause()

    post_save.connect(on_save, sender=Batch834, weak=False)


def main(point: str, mode: str, *args: str) -> None:
    import django

    django.setup()
    {"write": pause_after_first_chunk, "cut": pause_inside_cut}[point]()
    if mode == "command":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "export_834", *args])
    else:
        from django.conf import settings

        from enrollment.tasks import batch_daily

        provider_id, outbox = args
        settings.X12_OUTBOX = Path(outbox)
        batch_daily.call(provider_id=provider_id)


if __name__ == "__main__":
    main(*sys.argv[1:])
