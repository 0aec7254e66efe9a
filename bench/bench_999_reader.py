"""Time reading a plan's 999 (pyx12 validation and our own reading), by hand, not in tests.

    .venv/bin/python bench/bench_999_reader.py [--errors 0 1000 10000]

The upload on 834 Files reads the file inside the request, so this is the time a plan
waits for a 999 naming that many loops in error (the upload is bounded at 2 MB, about
22,000 named loops).
"""

import argparse
import datetime
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make posc importable

from machine import print_machine  # noqa: E402

from posc.mmis.x12_999 import ack_read  # noqa: E402
from posc.mmis.x12_999_write import AckSpec, LoopError, render_999  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", type=int, nargs="+", default=[0, 1000, 10000])
    args = parser.parse_args()
    print_machine()
    at = datetime.datetime(2026, 12, 7, 10, 30)
    for count in args.errors:
        errors = tuple(LoopError(8 + 12 * i, f"{100000000000 + i}") for i in range(count))
        text = render_999(AckSpec("110000001A", "MASSHEALTH", 1, at, 3, errors=errors,
                                  reject=bool(count)))
        start = time.perf_counter()
        ack_read(text.encode("ascii"))
        print(f"{count:>6} loops in error, {len(text):>9,} bytes: "
              f"{time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
