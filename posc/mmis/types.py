"""Frozen value objects exchanged with the MMIS stub (mmis-rules.md)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    ENROLL = "ENROLL"
    DISENROLL = "DISENROLL"


class Code(StrEnum):
    """Rejection codes; stable, shown to users with a plain sentence."""

    NO_MATCH = "NO_MATCH"
    PROVIDER = "PROVIDER"
    DECEASED = "DECEASED"
    COVERAGE = "COVERAGE"
    MEDICARE = "MEDICARE"
    AGE = "AGE"
    SERVICE_AREA = "SERVICE_AREA"
    ESRD = "ESRD"
    DEDUCTIBLE = "DEDUCTIBLE"
    RESIDENCE = "RESIDENCE"
    RATE_CELL = "RATE_CELL"
    ALREADY_ENROLLED = "ALREADY_ENROLLED"
    NOT_ENROLLED = "NOT_ENROLLED"
    DUPLICATE = "DUPLICATE"


@dataclass(frozen=True)
class MemberRecord:
    """What MMIS knows of a member (the feed's columns that the rules read)."""

    member_id: str
    last_name: str
    first_name: str
    date_of_birth: datetime.date
    sex: str
    coverage_type: str
    coverage_start: datetime.date
    county: str
    residence: str
    rating_category: str
    middle_initial: str = ""
    coverage_end: datetime.date | None = None
    medicare_a_start: datetime.date | None = None
    medicare_a_end: datetime.date | None = None
    medicare_b_start: datetime.date | None = None
    medicare_b_end: datetime.date | None = None
    esrd: bool = False
    deductible_period: bool = False
    date_of_death: datetime.date | None = None
    address_line1: str = ""
    city: str = ""
    zip: str = ""


@dataclass(frozen=True)
class PlanRecord:
    """A plan: its provider ID, program (``SCO`` or ``ONE_CARE``), name and counties."""

    provider_id: str
    program: str
    name: str
    counties: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SpanRecord:
    """One of the member's SCO or One Care enrollment spans (cancelled spans left out).

    ``disenrollment_accepted`` is True when a disenrollment of this span was accepted.
    ``linked_id`` is empty for a span of the request's Member ID, and otherwise the other
    Member ID of the same person that the span is under (MMIS sees the person: issue 17).
    """

    provider_id: str
    program: str
    start_date: datetime.date
    end_date: datetime.date | None = None
    disenrollment_accepted: bool = False
    linked_id: str = ""

    def in_force_on_or_after(self, day: datetime.date) -> bool:
        """Return True when the span has no end or ends on or after *day*."""
        return self.end_date is None or self.end_date >= day


@dataclass(frozen=True)
class RateCellRecord:
    program: str
    category: str
    region: str
    code: str
    label: str
    setting: str
    effective_from: datetime.date
    effective_to: datetime.date | None = None


@dataclass(frozen=True)
class MmisRequest:
    """An enrollment or disenrollment request as typed on the Member Search panel.

    ``member`` is the record with that Member ID, or None when there is none; the names
    typed by the user are compared by the stub itself (NO_MATCH). ``plan`` is the plan
    of ``provider_id``, or None when no such plan exists. ``user_provider_ids`` are the
    provider IDs the user is linked to. ``rate_cells`` are the program's rate cells.
    """

    action: Action
    program: str
    provider_id: str
    member_id: str
    last_name: str
    first_name: str
    user_provider_ids: frozenset[str]
    plan: PlanRecord | None
    member: MemberRecord | None
    spans: tuple[SpanRecord, ...] = ()
    rate_cells: tuple[RateCellRecord, ...] = ()


@dataclass(frozen=True)
class MmisError:
    code: Code
    message: str


@dataclass(frozen=True)
class MmisResponse:
    """MMIS's answer: accepted, or rejected with every failing rule's error.

    ``effective_date`` is E: the enrollment start or the disenrollment end.
    ``span`` is the span a disenrollment ends (None for enrollments).
    ``cancellation`` is True when a disenrollment ends a span that has not started yet.
    """

    accepted: bool
    effective_date: datetime.date
    errors: tuple[MmisError, ...] = ()
    rate_cell: RateCellRecord | None = None
    span: SpanRecord | None = None
    cancellation: bool = False

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(str(e.code) for e in self.errors)


# ---------------------------------------------------------------------------- 834

@dataclass(frozen=True, kw_only=True)
class Member834:
    """The member's part of every INS loop (REF*0F, NM1, N3/N4, DMG and INS06): what the
    daily, audit and adjustment loops share; each loop type adds its dates and codes."""

    member_id: str
    program_code: str
    medicare_status: str
    last_name: str
    first_name: str
    middle_initial: str
    address_line1: str
    city: str
    state: str
    zip: str
    date_of_birth: datetime.date
    sex: str


@dataclass(frozen=True, kw_only=True)
class MemberLoop834(Member834):
    """One INS loop: an enrollment (INS03 021) or a disenrollment (INS03 024).

    ``date`` is the effective date for an enrollment, the end date for a disenrollment
    (the span's start date for a cancellation). ``medicare_status`` is INS06 (C, A, B, E).
    ``maintenance_reason`` is INS04 (28 for enrollments; the reason's code otherwise).
    """

    action: Action
    maintenance_reason: str
    date: datetime.date
    rate_cell_code: str = ""


@dataclass(frozen=True)
class RenderedLoop:
    """A member loop already written by ``x12_834.render_member_loop`` (its text, ``~\n``-ended
    segments, and how many segments it holds), as stored at Submit."""

    text: str
    segment_count: int


@dataclass(frozen=True)
class Interchange834:
    """One 834 file: one ISA/GS/ST envelope for one plan (receiver).

    ``loops`` may be a generator (the writer streams) of MemberLoop834 or RenderedLoop;
    ``loop_count`` must equal the number of loops it yields, because QTY*TO comes first.
    """

    sender_id: str
    receiver_id: str
    plan_name: str
    program: str
    created_at: datetime.datetime
    isa_control: int
    gs_control: int
    st_control: int
    reference: str
    loop_count: int
    loops: Iterable["MemberLoop834 | RenderedLoop"]
    # BGN08: 2 = change (update) file, the daily batches; 4 = verify, the monthly audit file.
    action_code: str = "2"
    # DTP*007, the file's effective date: the day of the cut when None; a full file's date.
    effective_date: datetime.date | None = None


@dataclass(frozen=True, kw_only=True)
class AuditLoop834(Member834):
    """One member of a full-file (audit) 834: INS03 030, a span in force on the file's date.

    ``start_date`` and ``end_date`` are the span's (``end_date`` None while open);
    ``medicare_status`` is INS06 on the file's date; ``rate_cell_code`` the member's rate
    cell on that date.
    """

    start_date: datetime.date
    rate_cell_code: str
    end_date: datetime.date | None = None


@dataclass(frozen=True, kw_only=True)
class AdjustmentLoop834(Member834):
    """One INS loop of an enrollment adjustment (issue 17 §1): a change to the past.

    ``maintenance_type`` is INS03 and HD01: 021 (addition, a retro start), 024 (termination,
    a retro end) or 025 (reinstatement, with the original dates). ``begin`` goes in DTP*356
    and DTP*348, ``end`` in DTP*357 and DTP*349; either may be None, not both.
    """

    maintenance_type: str
    maintenance_reason: str
    begin: datetime.date | None = None
    end: datetime.date | None = None
    rate_cell_code: str = ""
