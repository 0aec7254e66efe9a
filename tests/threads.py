"""Real threads on real PostgreSQL, for the concurrency tests."""

import threading

from django.db import connection


def run_in_threads(count: int, work) -> list:
    """Start *count* threads together on their own connections; return their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
