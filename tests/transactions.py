"""A test's own outer transaction, which services' durable transactions may run inside."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


def outer_atomic() -> transaction.Atomic:
    """Return an atomic block marked as Django's TestCase marks its own.

    Services open their transactions with ``atomic(durable=True)``, which refuses to run
    inside another atomic block, except one a test case opened (``_from_testcase``,
    django/test/testcases.py): a fixture that wraps many tests, or one example, in a
    transaction to roll back marks it the same way.
    """
    atomic = transaction.atomic()
    atomic._from_testcase = True
    return atomic


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in an outer_atomic() transaction that is always rolled back."""
    with outer_atomic():
        yield
        transaction.set_rollback(True)
