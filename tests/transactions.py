"""A transaction for a test's own rollback, in which the services' durable blocks still open."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a transaction that is always rolled back.

    Services open ``transaction.atomic(durable=True)``, which refuses to nest in another
    atomic block except the ones Django's TestCase opens around each test (it marks them
    ``_from_testcase``, django/test/testcases.py). This block carries the same mark, so a
    service called inside it behaves as it does inside a test.
    """
    atomic = transaction.atomic()
    atomic._from_testcase = True
    with atomic:
        yield
        transaction.set_rollback(True)
