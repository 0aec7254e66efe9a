"""Time the 834 writer on a large batch (run by hand, not by the tests).

    .venv/bin/python bench/bench_834_writer.py [--loops 100000] [--pyx12-loops 10000]

Renders loops from a generator to a file in a temporary directory, once plain (wall
time, peak RSS) and once under tracemalloc (peak Python allocation), then times pyx12
4.0.0 reading a smaller file for scale (--pyx12-loops 0 skips it).
"""

import argparse
import dataclasses
import datetime
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make posc and tests importable

from machine import print_machine  # noqa: E402

from posc.mmis.types import Action, Interchange834, MemberLoop834  # noqa: E402
from posc.mmis.x12_834 import iter_834  # noqa: E402
from tests.x12check import pyx12_errors  # noqa: E402

FILE_DAY = datetime.datetime(2026, 11, 22, 9, 30)
ENROLL = MemberLoop834(
    action=Action.ENROLL, maintenance_reason="28", medicare_status="C",
    member_id="100000000000", program_code="SCO", last_name="Benchmark", first_name="Pat",
    middle_initial="Q", address_line1="12 Elm St", city="Boston", state="MA", zip="02118",
    date_of_birth=datetime.date(1950, 5, 17), sex="F", date=datetime.date(2026, 12, 1),
    rate_cell_code="SCO-65PLUS-GB",
)
DISENROLL = dataclasses.replace(ENROLL, action=Action.DISENROLL, maintenance_reason="14",
                                date=datetime.date(2026, 11, 30), rate_cell_code="")


def loops(count: int) -> Iterator[MemberLoop834]:
    """Yield *count* invented loops: 3 enrollments to 1 disenrollment, every 10th accented."""
    for i in range(count):
        base = DISENROLL if i % 4 == 3 else ENROLL
        last = f"Núñez*Ørsted {i}" if i % 10 == 0 else f"Member {i}"
        yield dataclasses.replace(base, member_id=f"1{i:011d}", last_name=last)


def interchange(count: int) -> Interchange834:
    return Interchange834(
        sender_id="MASSHEALTH", receiver_id="110000001A", plan_name="Bench Senior Care Plan",
        program="SCO", created_at=FILE_DAY, isa_control=1, gs_control=1, st_control=1,
        reference="MHBENCH", loop_count=count, loops=loops(count),
    )


def _chunks(segments: Iterable[str], size: int = 512) -> Iterator[str]:
    """Yield *segments* joined in groups of *size*, to keep write calls few."""
    batch: list[str] = []
    for seg in segments:
        batch.append(seg)
        if len(batch) == size:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


def write_834(interchange: Interchange834, fileobj: BinaryIO) -> int:
    """Write the 834 to the binary *fileobj* as ASCII; return the bytes written."""
    written = 0
    for chunk in _chunks(iter_834(interchange)):
        fileobj.write(chunk.encode("ascii"))
        written += len(chunk)  # ASCII only: one byte a character
    return written


def write(path: Path, count: int) -> tuple[float, int]:
    """Write *count* loops to *path*; return seconds and bytes."""
    start = time.perf_counter()
    with path.open("wb") as f:
        size = write_834(interchange(count), f)
    return time.perf_counter() - start, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=100_000)
    parser.add_argument("--pyx12-loops", type=int, default=10_000)
    args = parser.parse_args()
    print_machine()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.834"
        start = time.perf_counter()
        for _ in loops(args.loops):
            pass
        rows.append((f"loop generator alone, {args.loops:,}",
                     f"{time.perf_counter() - start:.2f} s", "", "(input cost, in the rows below)"))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        seconds, size = write(big, args.loops)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rows.append((f"write_834, {args.loops:,} loops", f"{seconds:.2f} s",
                     f"{size / 1e6:.1f} MB file",
                     f"max RSS {rss_after / 1024:.0f} MB (+{(rss_after - rss_before) / 1024:.1f})"))
        tracemalloc.start()
        seconds, _ = write(big, args.loops)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append(("same under tracemalloc", f"{seconds:.2f} s", "",
                     f"peak {peak / 1024:.0f} KiB"))
        if args.pyx12_loops:
            small = Path(tmp) / "small.834"
            _, small_size = write(small, args.pyx12_loops)
            start = time.perf_counter()
            errors = pyx12_errors(small)
            seconds = time.perf_counter() - start
            rows.append((f"pyx12 read, {args.pyx12_loops:,} loops", f"{seconds:.2f} s",
                         f"{small_size / 1e6:.1f} MB file", f"{len(errors)} errors"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


if __name__ == "__main__":
    main()
