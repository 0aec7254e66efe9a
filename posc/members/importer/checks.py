"""The feed's columns and the checks of one row (contracts/member-feed.md).

The per-column converters alone decide what is a problem and say so; the fast path, one
regular expression for a row already in canonical form, only ever accepts a subset of
what they accept.
"""

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter

from posc.members.models import County, CoverageType, Member, Program, Residence, Sex

# demo-data.md: the SCO and One Care rating categories.
RATING_CATEGORIES = ("CW", "CNHC", "T1", "T2", "T3", "F1", "C3A", "C3B", "C2A", "C2B", "C1")
_DATE_CACHE_LIMIT = 100_000

# (column, required, staging type), in the contract's order. The first 23 are Member fields.
COLUMNS: tuple[tuple[str, bool, str], ...] = (
    ("member_id", True, "text"),
    ("last_name", True, "text"),
    ("first_name", True, "text"),
    ("middle_initial", False, "text"),
    ("date_of_birth", True, "date"),
    ("sex", True, "text"),
    ("coverage_type", True, "text"),
    ("coverage_start", True, "date"),
    ("coverage_end", False, "date"),
    ("medicare_a_start", False, "date"),
    ("medicare_a_end", False, "date"),
    ("medicare_b_start", False, "date"),
    ("medicare_b_end", False, "date"),
    ("mbi", False, "text"),
    ("address_line1", True, "text"),
    ("city", True, "text"),
    ("zip", True, "text"),
    ("county", True, "text"),
    ("residence", True, "text"),
    ("rating_category", True, "text"),
    ("esrd", True, "boolean"),
    ("deductible_period", True, "boolean"),
    ("date_of_death", False, "date"),
    ("current_plan_provider_id", False, "text"),
    ("current_plan_start", False, "date"),
)
NAMES = tuple(name for name, _, _ in COLUMNS)
MEMBER_FIELDS = NAMES[:23]
_I = {name: i for i, name in enumerate(NAMES)}
# The free-text columns and their lengths in the model (contract: names 1-60 and 1-35).
MAX_LENGTHS = {name: Member._meta.get_field(name).max_length
               for name in ("last_name", "first_name", "address_line1", "city")}
# (end, start): an end may not be before its start (member-feed.md); no death before birth.
_ORDERED = (("coverage_end", "coverage_start"), ("medicare_a_end", "medicare_a_start"),
            ("medicare_b_end", "medicare_b_start"), ("date_of_death", "date_of_birth"))
_ORDERED_DATES = tuple((_I[end], _I[start]) for end, start in _ORDERED)
_DOB, _PLAN = _I["date_of_birth"], _I["current_plan_provider_id"]
_PLAN_START = _I["current_plan_start"]

REQUIRED = "is required"
# The 834 carries the date of birth (DMG02), and a D8 date before 1800 is invalid there
# (pyx12 4.0.0): a feed may not bring a member the 834 cannot carry.
FIRST_BIRTH_DATE = "1800-01-01"
_LETTER = re.compile(r"[A-Za-z]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# domain.md F: the CMS MBI format (C A AN N A AN N A A N N; no S, L, O, I, B, Z).
MBI_PATTERN = (r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d"
               r"[AC-HJKMNP-RT-Y]{2}\d{2}")

Converter = Callable[[str], str | None]
Problem = tuple[int, str, str]  # (line, column, problem)


class _Invalid(ValueError):
    """A value that breaks the contract; the message says how."""


# ----------------------------------------------------------------------------- values


def _undecodable(value: str) -> bool:
    """Return True when *value* holds bytes that were not UTF-8 (kept as lone surrogates)."""
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def _show(value: str) -> str:
    """Return *value* quoted for a problem message, shortened, or say it is not UTF-8."""
    if _undecodable(value):
        return "a value that is not valid UTF-8"
    return repr(value if len(value) <= 40 else f"{value[:37]}...")


def _is_date(value: str, valid: set[str]) -> bool:
    """Return True when *value* (YYYY-MM-DD) is a calendar date, remembering it in *valid*."""
    try:
        datetime.date(int(value[:4]), int(value[5:7]), int(value[8:]))
    except ValueError:
        return False
    if len(valid) < _DATE_CACHE_LIMIT:
        valid.add(value)
    return True


def _text(max_len: int, *, name: bool = False) -> Converter:
    """Return a converter for required free text of at most *max_len* characters, trimmed."""
    def convert(value: str) -> str:
        v = value.strip()
        if not v:
            raise _Invalid(REQUIRED)
        if len(v) > max_len:
            raise _Invalid(f"is longer than {max_len} characters")
        if not v.isprintable():
            if _undecodable(v):
                raise _Invalid("is not valid UTF-8")
            # A line break or control character would break 834 segments and screens.
            raise _Invalid("contains a line break or another non-printing character")
        if name and not ((v.isascii() and v.isalpha()) or _LETTER.search(v)):
            # The 834 writer needs a letter for NM103/NM104 after dropping other characters.
            raise _Invalid(f"must contain a letter A-Z, not {_show(v)}")
        return v
    return convert


def _digits(count: int, *, what: str) -> Converter:
    """Return a converter for a required value of exactly *count* ASCII digits."""
    def convert(value: str) -> str:
        v = value.strip()
        if not v:
            raise _Invalid(REQUIRED)
        if len(v) == count and v.isdigit() and v.isascii():
            return v
        raise _Invalid(f"must be {what}, not {_show(v)}")
    return convert


def _middle_initial(value: str) -> str:
    """Return one letter A-Z in upper case, or "" when empty."""
    v = value.strip()
    if not v:
        return ""
    if len(v) == 1 and v.isascii() and v.isalpha():
        return v.upper()
    raise _Invalid(f"must be one letter, not {_show(v)}")


_MBI = re.compile(MBI_PATTERN, re.ASCII | re.IGNORECASE).fullmatch


def _mbi(value: str) -> str:
    """Return the MBI in upper case (domain.md F), or "" when empty."""
    v = value.strip()
    if not v:
        return ""
    if _MBI(v):
        return v.upper()
    raise _Invalid(f"must be an MBI in the CMS format, not {_show(v)}")


def _choice(values: Sequence[str]) -> Converter:
    """Return a converter for a required value of an enumeration, matched ignoring case."""
    folded = {v.casefold(): v for v in values}
    listed = ", ".join(values)

    def convert(value: str) -> str:
        v = value.strip()
        if not v:
            raise _Invalid(REQUIRED)
        canonical = folded.get(v.casefold())
        if canonical is None:
            raise _Invalid(f"must be one of {listed}, not {_show(v)}")
        return canonical  # stored in the canonical spelling (member-feed.md)
    return convert


def _date(valid: set[str], *, required: bool = True, first_of_month: bool = False) -> Converter:
    """Return a converter for a YYYY-MM-DD date, kept as its ISO text (which sorts as dates)."""
    def convert(value: str) -> str | None:
        v = value.strip()
        if not v:
            if required:
                raise _Invalid(REQUIRED)
            return None
        if not _DATE.fullmatch(v):
            raise _Invalid(f"must be a date YYYY-MM-DD, not {_show(v)}")
        if v not in valid and not _is_date(v, valid):
            raise _Invalid(f"is not a calendar date: {v}")
        if first_of_month and v[8:] != "01":
            raise _Invalid(f"must be the first day of a month, not {v}")
        return v
    return convert


def _plan(programs: dict[str, str]) -> Converter:
    """Return a converter for the provider ID of an existing SCO or One Care plan."""
    def convert(value: str) -> str | None:
        v = value.strip().upper()
        if not v:
            return None
        program = programs.get(v)
        if program is None:
            raise _Invalid(f"no plan has the provider ID {_show(value.strip())}")
        if program not in Program.integrated():
            raise _Invalid(f"{v} is not an SCO or One Care plan ({program})")
        return v
    return convert


def converters(*, plan_programs: dict[str, str], valid_dates: set[str]) -> tuple[Converter, ...]:
    """Return one converter per column of COLUMNS, in order."""
    optional_date = _date(valid_dates, required=False)
    yes_no = _choice(("Y", "N"))
    return (
        _digits(12, what="12 digits"),  # domain.md F: the MassHealth member ID
        _text(MAX_LENGTHS["last_name"], name=True),
        _text(MAX_LENGTHS["first_name"], name=True),
        _middle_initial,
        _date(valid_dates),
        _choice(Sex.values),
        _choice(CoverageType.values),
        _date(valid_dates),
        optional_date,
        optional_date,
        optional_date,
        optional_date,
        optional_date,
        _mbi,
        _text(MAX_LENGTHS["address_line1"]),
        _text(MAX_LENGTHS["city"]),
        _digits(5, what="5 digits"),
        _choice(County.values),
        _choice(Residence.values),
        _choice(RATING_CATEGORIES),
        yes_no,
        yes_no,
        optional_date,
        _plan(plan_programs),
        _date(valid_dates, required=False, first_of_month=True),
    )


def _row_problems(values: list[str | None], *, today: str,
                 bad: frozenset[int] = frozenset()) -> list[tuple[str, str]]:
    """Return the (column, problem) pairs of rules involving two values of a converted row.

    *bad* holds the positions of values already refused: rules involving them are skipped.
    """
    problems = []
    for end, start in _ORDERED_DATES:
        if values[end] is None or end in bad or start in bad:
            continue
        if values[start] is None:
            problems.append((NAMES[end], f"is given without {NAMES[start]}"))
        elif values[end] < values[start]:
            problems.append((NAMES[end], f"is before {NAMES[start]} ({values[start]})"))
    if _DOB not in bad and values[_DOB] > today:
        problems.append(("date_of_birth", f"is in the future ({values[_DOB]})"))
    if _DOB not in bad and values[_DOB] < FIRST_BIRTH_DATE:
        problems.append(("date_of_birth", f"is before {FIRST_BIRTH_DATE} ({values[_DOB]})"))
    if _PLAN not in bad and _PLAN_START not in bad:
        if values[_PLAN] is not None and values[_PLAN_START] is None:
            problems.append(("current_plan_start", f"{REQUIRED} with current_plan_provider_id"))
        elif values[_PLAN] is None and values[_PLAN_START] is not None:
            problems.append(("current_plan_start", "is given without current_plan_provider_id"))
    return problems


def convert_row(convs: Sequence[Converter], values: Sequence[str], *, line: int, today: str,
                problems: list[Problem]) -> list[str | None]:
    """Convert a row in COLUMNS order, noting its problems; refused values become None."""
    out: list[str | None] = []
    bad = set()
    for i, (convert, value) in enumerate(zip(convs, values, strict=True)):
        try:
            out.append(convert(value))
        except _Invalid as problem:
            problems.append((line, NAMES[i], str(problem)))
            out.append(None)
            bad.add(i)
    problems.extend((line, column, problem)
                    for column, problem in _row_problems(out, today=today, bad=frozenset(bad)))
    return out


# ----------------------------------------------------------------------------- fast path

# Canonical values only: trimmed, canonical case, printable ASCII without , or ".
_CHAR, _EDGE = r'[ !#-+\--~]', r'[!#-+\--~]'
_ISO = r"\d{4}-\d\d-\d\d"  # a calendar date only once checked against the known dates


def _one_of(values: Iterable[str]) -> str:
    """Return a pattern matching exactly one of *values*."""
    return f"(?:{'|'.join(re.escape(v) for v in values)})"


def _canonical_text(max_len: int, *, name: bool = False) -> str:
    """Return a pattern for trimmed printable ASCII text of 1 to *max_len* characters."""
    first = "[A-Za-z]" if name else _EDGE  # a name holds a letter: here, its first character
    return f"{first}(?:{_CHAR}{{0,{max_len - 2}}}{_EDGE})?"


_CANONICAL = {
    "member_id": r"\d{12}",
    "last_name": _canonical_text(MAX_LENGTHS["last_name"], name=True),
    "first_name": _canonical_text(MAX_LENGTHS["first_name"], name=True),
    "middle_initial": "[A-Z]?",
    "date_of_birth": _ISO,
    "sex": _one_of(Sex.values),
    "coverage_type": _one_of(CoverageType.values),
    "coverage_start": _ISO,
    "coverage_end": f"(?:{_ISO})?",
    "medicare_a_start": f"(?:{_ISO})?",
    "medicare_a_end": f"(?:{_ISO})?",
    "medicare_b_start": f"(?:{_ISO})?",
    "medicare_b_end": f"(?:{_ISO})?",
    "mbi": f"(?:{MBI_PATTERN})?",
    "address_line1": _canonical_text(MAX_LENGTHS["address_line1"]),
    "city": _canonical_text(MAX_LENGTHS["city"]),
    "zip": r"\d{5}",
    "county": _one_of(County.values),
    "residence": _one_of(Residence.values),
    "rating_category": _one_of(RATING_CATEGORIES),
    "esrd": "[YN]",
    "deductible_period": "[YN]",
    "date_of_death": f"(?:{_ISO})?",
    "current_plan_provider_id": None,  # the plans of the database, see fast_checker
    "current_plan_start": r"(?:\d{4}-\d\d-01)?",
}
# The values the fast path needs for the rules involving two columns, in this order.
_CAPTURED = ("date_of_birth", "coverage_start", "coverage_end", "medicare_a_start",
             "medicare_a_end", "medicare_b_start", "medicare_b_end", "date_of_death",
             "current_plan_provider_id", "current_plan_start")


def fast_checker(header: Sequence[str], *, plan_programs: dict[str, str], today: str,
                 valid_dates: set[str]) -> Callable[[str], bool]:
    """Return a test of one physical line (columns in *header* order): True when the row is
    canonical and breaks no rule, so that it may be staged as it is.

    *valid_dates* holds the dates known to be valid (shared with the converters).
    """
    plans = _one_of(sorted(p for p, program in plan_programs.items()
                           if program in Program.integrated()))
    parts = [_CANONICAL[name] or f"{plans}?" for name in header]
    parts = [f"({part})" if name in _CAPTURED else part
             for name, part in zip(header, parts, strict=True)]
    match = re.compile(",".join(parts) + r"\r?\n?", re.ASCII).fullmatch
    captured = [name for name in header if name in _CAPTURED]
    # An absent optional column reads as the "" appended to the groups.
    pick = itemgetter(*(captured.index(n) if n in captured else len(captured) for n in _CAPTURED))
    valid_dates.add("")

    def accept(line: str) -> bool:
        found = match(line)
        if found is None:
            return False
        dob, cov, cov_end, a, a_end, b, b_end, died, plan, plan_start = pick(found.groups() + ("",))
        dates = (dob, cov, cov_end, a, a_end, b, b_end, died, plan_start)
        if not valid_dates.issuperset(dates) and not all(
                d in valid_dates or _is_date(d, valid_dates) for d in dates):
            return False
        return not ((cov_end and cov_end < cov) or (a_end and (not a or a_end < a))
                    or (b_end and (not b or b_end < b)) or (died and died < dob)
                    or dob > today or dob < FIRST_BIRTH_DATE or (not plan) != (not plan_start))
    return accept
