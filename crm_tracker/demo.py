"""Demo data of this app, loaded by seed_demo (demo-data.md)."""

FIXTURES: tuple[str, ...] = ()


def demo_seed(*, stdout) -> str:
    """Create this app's demo rows that are missing; return a one-line summary."""
    return ""
