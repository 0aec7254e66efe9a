"""The programs the portal enrolls, their codes and the rate regions: one definition each.

Pure data (no Django): the MMIS stub, the 834 writer and the shared model all read it.
"""

SCO = "SCO"
ONE_CARE = "ONE_CARE"
# SCO and One Care enrollments exclude each other (mmis-rules.md ALREADY_ENROLLED).
INTEGRATED_PROGRAMS = (SCO, ONE_CARE)
PROGRAM_NAMES = {SCO: "SCO", ONE_CARE: "One Care"}
# The code used in rate cells and the 834 REF*1L (demo-data.md: SCO and OC).
PROGRAM_CODES = {SCO: "SCO", ONE_CARE: "OC"}

# demo-data.md Rate cells: region GB is these counties, every other county is RS.
GREATER_BOSTON_COUNTIES = frozenset({"Suffolk", "Middlesex", "Norfolk"})


def region_of(county: str) -> str:
    """Return the rate region of *county*: GB (Greater Boston) or RS (rest of state)."""
    return "GB" if county in GREATER_BOSTON_COUNTIES else "RS"


def rate_cell_code(program: str, category: str, region: str) -> str:
    """Return the code of a rate cell shown to users and sent in the 834, e.g. ``SCO-CNHC-GB``."""
    return f"{PROGRAM_CODES[program]}-{category}-{region}"
