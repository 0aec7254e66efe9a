"""The monthly full-file (audit) 834 of each SCO and One Care plan (issue 17, point 4).

On the 1st of each month every plan gets one 834 listing every member in force with it
that day, INS03 ``030`` (docs/834.md, "The audit file"). The members are read and written
in one pass: one query streams them from a server-side cursor, each becomes one loop, and
the file goes to disk in chunks, so memory does not grow with the plan.

The file's own counter (``AuditFile834.number``) leaves the daily batches' numbers alone;
its control number is ``AUDIT_CONTROL_BASE + number`` (enrollment/models.py).
"""

import datetime
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Window

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from enrollment.models import AuditFile834
from posc.clock import EASTERN
from posc.exceptions import DomainError
from posc.files import write_atomically
from posc.members.models import EnrollmentSpan, Plan
from posc.members.selectors import user_plans
from posc.mmis.programs import PROGRAM_CODES, rate_cell_code, region_of
from posc.mmis.types import AuditLoop834, Interchange834, RenderedLoop
from posc.mmis.x12_834 import AUDIT_ACTION_CODE, iter_834, render_audit_loop

# What one loop needs, in the order _loops unpacks it.
_LOOP_FIELDS = (
    "member_id", "start_date", "end_date", "member__last_name", "member__first_name",
    "member__middle_initial", "member__address_line1", "member__city", "member__zip",
    "member__date_of_birth", "member__sex", "member__medicare_a_start",
    "member__medicare_a_end", "member__medicare_b_start", "member__medicare_b_end",
    "member__rating_category", "member__county",
)
_CHUNK_ROWS = 5_000
_CHUNK_PIECES = 1_000  # loops joined per write

# mmis-rules.md, The 834: INS06 is the Medicare status on the day, from Parts A and B.
_INS06 = {(True, True): "C", (True, False): "A", (False, True): "B", (False, False): "E"}


def in_force_spans(*, plan: Plan, as_of: datetime.date) -> QuerySet[EnrollmentSpan]:
    """Return the spans of *plan* in force on *as_of* (a cancelled span never took effect)."""
    return (EnrollmentSpan.objects
            .filter(plan=plan, cancelled=False, start_date__lte=as_of)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of)))


def _on(start: datetime.date | None, end: datetime.date | None, day: datetime.date) -> bool:
    return start is not None and start <= day and (end is None or end >= day)


def state_rate_cell(*, program: str, rating_category: str, county: str) -> str:
    """Return the member's rate cell code as MMIS derives it (demo-data.md, Rate cells)."""
    return rate_cell_code(program, rating_category, region_of(county))


def _stream(*, plan: Plan, as_of: datetime.date) -> tuple[int, Iterator[tuple]]:
    """Return how many members are in force and an iterator over their rows, one snapshot.

    The count rides on every row (``count(*) OVER ()``), so that QTY*TO, written first,
    always equals the loops that follow, even when a span changes during the write.
    """
    rows = (in_force_spans(plan=plan, as_of=as_of).order_by("member_id")
            .annotate(total=Window(Count("pk")))
            .values_list("total", *_LOOP_FIELDS).iterator(chunk_size=_CHUNK_ROWS))
    first = next(rows, None)
    if first is None:
        return 0, iter(())

    def all_rows() -> Iterator[tuple]:
        yield first
        yield from rows

    return first[0], all_rows()


def _loops(*, plan: Plan, as_of: datetime.date, rows: Iterator[tuple]) -> Iterator[RenderedLoop]:
    code = PROGRAM_CODES[plan.program]
    for (_, member_id, start, end, last, first, middle, address, city, zip_code, born, sex,
         a_start, a_end, b_start, b_end, category, county) in rows:
        yield render_audit_loop(AuditLoop834(
            member_id=member_id, program_code=code,
            medicare_status=_INS06[(_on(a_start, a_end, as_of), _on(b_start, b_end, as_of))],
            last_name=last, first_name=first, middle_initial=middle, address_line1=address,
            city=city, state="MA", zip=zip_code, date_of_birth=born, sex=sex,
            start_date=start, end_date=end,
            rate_cell_code=rate_cell_code(plan.program, category, region_of(county)),
        ))


def audit_interchange(*, audit_file: AuditFile834, loop_count: int,
                      loops: Iterator[RenderedLoop]) -> Interchange834:
    """Return the envelope of *audit_file* around *loops* (BGN08 4, DTP*007 its date)."""
    plan = audit_file.plan
    control = audit_file.control_number
    return Interchange834(
        sender_id=settings.X12_SENDER_ID, receiver_id=plan.provider_id, plan_name=plan.name,
        program=plan.program,
        created_at=audit_file.created_at.astimezone(EASTERN).replace(tzinfo=None),
        isa_control=control, gs_control=control, st_control=control,
        reference=f"{plan.provider_id}-A{audit_file.as_of:%Y%m%d}", loop_count=loop_count,
        loops=loops, action_code=AUDIT_ACTION_CODE, effective_date=audit_file.as_of,
    )


def audit_file_chunks(*, audit_file: AuditFile834) -> tuple[int, Iterator[bytes]]:
    """Return the member count of *audit_file* and its 834 as ASCII chunks (about a
    thousand loops each), both from one snapshot of the members in force.

    The file holds the members in force now: a span changed since the first write gives
    other bytes (``audit_file_write`` refuses to put them under the same name).
    """
    plan, as_of = audit_file.plan, audit_file.as_of
    count, rows = _stream(plan=plan, as_of=as_of)
    if not count:
        raise DomainError(f"No member is in force with {plan.provider_id} on "
                          f"{as_of:%m/%d/%Y} any more.", code="AUDIT_CHANGED")
    interchange = audit_interchange(audit_file=audit_file, loop_count=count,
                                    loops=_loops(plan=plan, as_of=as_of, rows=rows))

    def chunks() -> Iterator[bytes]:
        chunk: list[str] = []
        for piece in iter_834(interchange):
            chunk.append(piece)
            if len(chunk) >= _CHUNK_PIECES:
                yield "".join(chunk).encode("ascii")
                chunk.clear()
        if chunk:
            yield "".join(chunk).encode("ascii")

    return count, chunks()


@transaction.atomic(durable=True)
def audit_file_cut(*, plan: Plan, as_of: datetime.date,
                   actor: AbstractBaseUser | None = None) -> AuditFile834 | None:
    """Return the audit file of *plan* on *as_of*, numbering a new one if there is none yet.

    None when nobody is in force with the plan that day (an 834 needs a member loop, and no
    number is taken). The plan row is locked: two runs take one number between them.
    """
    Plan.objects.select_for_update().get(pk=plan.pk)
    found = AuditFile834.objects.filter(plan=plan, as_of=as_of).first()
    if found is not None:
        return found
    count = in_force_spans(plan=plan, as_of=as_of).count()
    if not count:
        return None
    last = AuditFile834.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0
    audit_file = AuditFile834.objects.create(plan=plan, as_of=as_of, number=last + 1,
                                             cut_by=actor, loop_count=count)
    audit_record(AuditAction.CREATE, "834 audit file", audit_file.label,
                 detail=f"{count} members in force on {as_of:%m/%d/%Y}", user=actor)
    return audit_file


def audit_file_write(*, audit_file: AuditFile834, path: Path) -> str:
    """Write *audit_file* to *path* atomically (as ``batch_write``); return its SHA-256.

    The first write records the digest and the member count; a later write must give the
    same bytes, or nothing is written and DomainError ``AUDIT_CHANGED`` says so (the
    members in force that day changed since: a new file would need a new number). The file
    is created 0600: it holds PHI (HIPAA 45 CFR 164.312(a)(1)).
    """
    path = Path(path)
    count = 0

    def chunks() -> Iterator[bytes]:
        nonlocal count
        count, stream = audit_file_chunks(audit_file=audit_file)
        yield from stream

    def same_bytes(sha: str) -> None:
        if audit_file.sha256 and audit_file.sha256 != sha:
            raise DomainError(
                f"The members in force with {audit_file.plan.provider_id} on "
                f"{audit_file.as_of:%m/%d/%Y} changed since audit file "
                f"{audit_file.number} was first written; it was not written again.",
                code="AUDIT_CHANGED")

    sha = write_atomically(path, chunks, check=same_bytes)
    if not audit_file.sha256:
        AuditFile834.objects.filter(pk=audit_file.pk, sha256="").update(sha256=sha,
                                                                       loop_count=count)
        audit_file.sha256, audit_file.loop_count = sha, count
    audit_record(AuditAction.EXPORT, "834 audit file", audit_file.label,
                 detail=f"{audit_file.loop_count} member loops written to {path.name}")
    return sha


def audit_file_write_once(*, audit_file: AuditFile834, path: Path) -> str | None:
    """Write *audit_file* to *path* unless it was written already or another run holds it.

    Return the SHA-256 written, or None when there was nothing to do.
    """
    with transaction.atomic():
        locked = (AuditFile834.objects.select_for_update(skip_locked=True)
                  .filter(pk=audit_file.pk, sha256="").order_by().first())
        if locked is None:
            return None
        locked.plan = audit_file.plan
        sha = audit_file_write(audit_file=locked, path=path)
    audit_file.sha256, audit_file.loop_count = locked.sha256, locked.loop_count
    return sha


def audit_file_list_for_user(*, user: AbstractBaseUser) -> QuerySet[AuditFile834]:
    """Return the audit files of the user's own plans, newest first."""
    return (AuditFile834.objects.filter(plan__in=user_plans(user=user))
            .select_related("plan").order_by("-as_of", "plan__provider_id"))


def audit_file_member_ids(*, audit_file: AuditFile834) -> list[str]:
    """Return the Member IDs the audit file carries (for the audit log of a download)."""
    return list(in_force_spans(plan=audit_file.plan, as_of=audit_file.as_of)
                .order_by("member_id").values_list("member_id", flat=True))
