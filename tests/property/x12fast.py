"""pyx12 for hundreds of small files: load each map once, not once per file.

pyx12 spends about 90 % of a small file's check parsing its XML maps (0.1 s a file here).
``pyx12_errors`` below checks the same way as tests/x12check.py, with the maps cached (pyx12
4 keeps the loop counts of a file in its walker's node counter, not in the map);
``test_fast_check_agrees_with_x12check`` proves it reports what the uncached check does.
"""

import contextlib
from collections.abc import Iterator

import pyx12.map_if

from tests import x12check

_load_map_file = pyx12.map_if.load_map_file
_maps: dict[tuple, object] = {}


def _cached_load_map_file(map_file, param, map_path=None):
    key = (map_file, map_path)
    if key not in _maps:
        _maps[key] = _load_map_file(map_file, param, map_path)
    return _maps[key]


@contextlib.contextmanager
def cached_maps() -> Iterator[None]:
    """Let pyx12 reuse its maps while the block runs."""
    pyx12.map_if.load_map_file = _cached_load_map_file
    try:
        yield
    finally:
        pyx12.map_if.load_map_file = _load_map_file


def pyx12_errors(text: str) -> list[str]:
    """Return pyx12's errors for the 834 *text* ([] when valid), with the maps cached."""
    with cached_maps():
        return x12check.pyx12_errors(text)
