"""Write a file atomically: the whole new file under its name, or the old one, never part.

Used for the 834 files (daily batches and the monthly audit file). The bytes go to a
temporary file in the same directory (".<name>.<random>.tmp", created 0600 by mkstemp: an
834 holds PHI, HIPAA 45 CFR 164.312(a)(1)), which is fsynced and renamed over the name,
and the directory is fsynced so that the rename survives a power cut. A temporary file
left by a killed writer is removed by the next write of the same path.
"""

import fcntl
import glob
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from django.db import transaction

# A writer's temporary file: ".<file name>.<random>.tmp", in the file's own directory.
TEMP_SUFFIX = ".tmp"


def stale_temps_remove(path: Path) -> None:
    """Remove the temporary files of *path* that a killed writer left behind.

    A writer holds an exclusive flock on its temporary file until it has renamed it, and
    the kernel drops the lock when the process ends, however it ends (SIGKILL, the OOM
    killer): a temporary file that nobody holds is a leftover, never a write in progress.
    """
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*{TEMP_SUFFIX}"):
        try:
            fd = os.open(stale, os.O_RDONLY)
        except FileNotFoundError:  # renamed or removed meanwhile
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a live writer's
        else:
            stale.unlink(missing_ok=True)
        finally:
            os.close(fd)


def directory_fsync(directory: Path) -> None:
    """Flush *directory* to disk, so that a rename in it survives a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, chunks: Callable[[], Iterable[bytes]], *,
                     check: Callable[[str], None]) -> str:
    """Write the bytes *chunks()* yields to *path* atomically; return their SHA-256.

    *chunks* runs inside a transaction (a server-side cursor lives in one). *check* gets
    the digest before the rename and may raise to refuse the file (a later write that no
    longer gives the bytes first written): *path* is then left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    stale_temps_remove(path)
    digest = hashlib.sha256()
    # mkstemp creates the file 0600 (owner only); os.replace keeps the mode.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            fcntl.flock(out.fileno(), fcntl.LOCK_EX)  # "being written": see stale_temps_remove
            with transaction.atomic():
                for chunk in chunks():
                    digest.update(chunk)
                    out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
            sha = digest.hexdigest()
            check(sha)
            os.replace(tmp, path)  # still locked: a cleaner never takes a file being renamed
        directory_fsync(path.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return sha
