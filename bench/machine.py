"""The machine a benchmark ran on, printed above every table (no Django needed)."""

import os
import platform


def machine() -> str:
    """Return cores, CPU model, Python and the load average now (at the start of a run)."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            model = next(line.split(":", 1)[1].strip() for line in info
                         if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"machine: {os.cpu_count()} cores, {model}, Python {platform.python_version()}; "
            f"load average {load} (1, 5, 15 min) at start")


def print_machine() -> None:
    """Print the machine line; warn when the machine is busy (figures then run slow)."""
    print(machine())
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        print("warning: the machine is loaded: figures are taken under load")
