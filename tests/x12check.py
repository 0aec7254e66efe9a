"""Check 834 files the way shared/tools/validate834 does: pyx12 4.0.0, and the tool itself.

Shared test helper: any test that writes an 834 validates it with ``assert_valid_834``.
"""

import io
import logging
import subprocess
from pathlib import Path

import pyx12.errors
import pyx12.params
import pyx12.x12n_document

# shared/ sits beside the project checkout (/work/main -> /work/shared).
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
VALIDATE834 = SHARED / "tools" / "validate834"


class _Collect(logging.Handler):
    """Keep the message of every ERROR record pyx12 logs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pyx12_errors(path_or_text: str | Path) -> list[str]:
    """Return pyx12's errors for an 834 file (a Path, or text starting with ISA); [] if valid."""
    if isinstance(path_or_text, str) and path_or_text.lstrip("\ufeff").startswith("ISA"):
        source: str | io.StringIO = io.StringIO(path_or_text)
    else:
        source = str(path_or_text)
    collector = _Collect()
    logger = logging.getLogger("pyx12")
    old_level = logger.level
    logger.addHandler(collector)
    logger.setLevel(logging.ERROR)  # pyx12 is chatty at INFO and DEBUG
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(), src_file=source, fd_997=io.StringIO(),
            fd_html=None, fd_xmldoc=None)
    except (pyx12.errors.EngineError, pyx12.errors.X12Error) as exc:
        # e.g. EngineError "Map not found" for a wrong GS08 (as validate834 reports it)
        ok = False
        collector.messages.append(f"stopped: {type(exc).__name__}: {exc}")
    finally:
        logger.removeHandler(collector)
        logger.setLevel(old_level)
    errors = list(collector.messages)
    if not ok and not errors:
        errors.append("pyx12 reported failure without a message")
    return errors


def assert_valid_834(path: str | Path) -> None:
    """Fail unless pyx12's 834 map finds no error in the file at *path*."""
    errors = pyx12_errors(Path(path))
    assert errors == [], f"{path}: pyx12 errors:\n" + "\n".join(errors)


def validate834_strict(paths: list[Path] | list[str]) -> tuple[int, str]:
    """Run validate834 --strict on *paths*; return its exit status and its output."""
    # A missing tool must fail the test, never skip it.
    assert VALIDATE834.is_file(), f"validate834 not found at {VALIDATE834}"
    result = subprocess.run(
        [str(VALIDATE834), "--strict", "--max-lines", "100000", *map(str, paths)],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode in (0, 1), (
        f"validate834 could not run (exit {result.returncode}):\n{result.stderr}")
    return result.returncode, result.stdout
