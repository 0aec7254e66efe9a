"""Enrollment writes: submit to MMIS, record the answer, cut and write 834 batches.

Every service owns its transaction and locks what it changes. A Submit is serialised on
the member's row (on the rows of all the IDs of the member's person, the primary ID's
first, when Enrollment Operations linked several: posc.members.services), so two clerks
(or a double click) never produce two accepted transactions: the second sees the first's
span and MMIS answers DUPLICATE, or it sees the first's one-time token and gets the
stored answer back.
"""

import datetime
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Max

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from enrollment.models import (
    INS04_ENROLLMENT,
    INS04_FOR_REASON,
    Batch834,
    BatchEntry,
    DisenrollmentReason,
    EnrollmentTransaction,
)
from enrollment.selectors import MmisFacts, batch_first, mmis_facts
from posc.clock import EASTERN
from posc.exceptions import DomainError
from posc.files import write_atomically
from posc.members.models import EnrollmentSpan, Member, Plan
from posc.members.selectors import person_lock
from posc.mmis.programs import PROGRAM_CODES
from posc.mmis.types import (
    Action,
    Interchange834,
    MemberLoop834,
    MmisRequest,
    MmisResponse,
    RenderedLoop,
)
from posc.mmis.validator import NO_MATCH_MESSAGE, medicare_status_on, validate
from posc.mmis.x12_834 import iter_834, render_member_loop
from posc.submission import submission_replay


def _next_reference(kind: str, day: datetime.date) -> str:
    """Return a new transaction reference such as ``ENR-20261122-000042`` (X12-safe)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('enrollment_reference_seq')")
        (number,) = cursor.fetchone()
    prefix = "ENR" if kind == EnrollmentTransaction.Kind.ENROLL else "DIS"
    return f"{prefix}-{day:%Y%m%d}-{number:06d}"


def _member_loop(*, request: MmisRequest, response: MmisResponse, maintenance_reason: str,
                 rate_cell_code: str) -> RenderedLoop:
    """Return the 834 member loop of an accepted request (mmis-rules.md, "The 834").

    Raise DomainError when the writer refuses the member's record (e.g. a name with no
    letter A-Z): the request is then refused before anything is stored, never a file
    that fails validation later.
    """
    member = request.member
    try:
        return render_member_loop(MemberLoop834(
            action=request.action, maintenance_reason=maintenance_reason,
            medicare_status=medicare_status_on(member, response.effective_date),
            member_id=member.member_id, program_code=PROGRAM_CODES[request.plan.program],
            last_name=member.last_name, first_name=member.first_name,
            middle_initial=member.middle_initial, address_line1=member.address_line1,
            city=member.city, state="MA", zip=member.zip, date_of_birth=member.date_of_birth,
            sex=member.sex, date=response.effective_date, rate_cell_code=rate_cell_code,
        ))
    except ValueError:
        raise DomainError("This member's record cannot be sent in an 834 file; ask Enrollment "
                          "Operations to correct it in MMIS.", code="X12") from None


def _member_lock(member: Member) -> tuple[str, ...]:
    """Lock the rows of every Member ID of the member's person, the primary ID's first.

    Submits for one person run one after the other, whichever of its IDs they name, so
    that the MMIS rules that look at all the person's spans (ALREADY_ENROLLED, DUPLICATE)
    read them with no other Submit half-way: the database's exclusion constraint refuses
    overlapping spans per Member ID only (docs/eligibility.md). Return the locked IDs.
    """
    locked = person_lock(member_id=member.pk)
    if not locked:
        # The panels only reach Submit after a matching search; nothing to record against.
        raise DomainError(NO_MATCH_MESSAGE, code="NO_MATCH")
    return locked


def _person_check(*, locked: tuple[str, ...], facts: MmisFacts) -> None:
    """Refuse a Submit whose person changed between the lock and the read (a link made
    or undone at that moment): not all of the person's IDs are locked. Nothing is stored;
    submitting again locks the person as it is now."""
    if not set(facts.person_ids) <= set(locked):
        raise DomainError("This member's Member IDs were linked or unlinked by Enrollment "
                          "Operations just now; nothing was sent. Submit again.",
                          code="LINKS_CHANGED")


def _span_change(*, facts: MmisFacts, request: MmisRequest, response: MmisResponse,
                 member: Member) -> EnrollmentSpan:
    """Open the span an accepted enrollment starts, or end the span a disenrollment ends."""
    if request.action == Action.ENROLL:
        # The exclusion constraint on spans refuses an overlap even if the stub were wrong.
        return EnrollmentSpan.objects.create(
            member=member, plan_id=facts.plan_pk, program=request.plan.program,
            start_date=response.effective_date, source=EnrollmentSpan.Source.PORTAL)
    span = EnrollmentSpan.objects.get(member=member, plan_id=facts.plan_pk,
                                      start_date=response.span.start_date, cancelled=False)
    # mmis-rules.md: disenrolling before the start cancels the span (kept, never deleted).
    span.end_date = response.effective_date
    span.cancelled = response.cancellation
    span.save(update_fields=["end_date", "cancelled", "updated_at"])
    return span


def _submit(*, action: Action, member: Member, program: str, provider_id: str, last_name: str,
            first_name: str, token: uuid.UUID, actor: AbstractBaseUser, today: datetime.date,
            reason: str = "") -> EnrollmentTransaction:
    """Send one request to MMIS and store it with the answer (see the module docstring).

    Lock the member's person (every linked Member ID, the primary's row first), replay a
    stored answer, read the member's MMIS facts (one query), ask MMIS once; then change the
    span, write the transaction (the history row), audit it and put an accepted one in the
    834 outbox.
    """
    locked = _member_lock(member)
    stored = submission_replay(
        EnrollmentTransaction, token=token, token_field="token", user=actor,
        owner_field="requested_by_id",
        refusal="This form can no longer be submitted. Start again with the Member Search panel.")
    if stored is not None:
        return stored  # mmis-rules.md: a re-post of the same form returns the stored answer
    facts = mmis_facts(program=program, provider_id=provider_id, member_id=member.pk)
    if facts.plan_pk is None:
        raise DomainError(NO_MATCH_MESSAGE, code="NO_MATCH")
    _person_check(locked=locked, facts=facts)
    request = facts.request(action=action, program=program, provider_id=provider_id,
                            member_id=member.pk, last_name=last_name, first_name=first_name,
                            user=actor)
    response = validate(request, today=today)
    kind = (EnrollmentTransaction.Kind.ENROLL if action == Action.ENROLL
            else EnrollmentTransaction.Kind.DISENROLL)
    txn = EnrollmentTransaction(
        reference=_next_reference(kind, today), token=token, kind=kind,
        status=(EnrollmentTransaction.Status.ACCEPTED if response.accepted
                else EnrollmentTransaction.Status.REJECTED),
        member=member, plan_id=facts.plan_pk, requested_by=actor, request_date=today,
        effective_date=response.effective_date, reason=reason,
        codes=list(response.codes),
        errors=[{"code": str(e.code), "message": e.message} for e in response.errors],
        cancellation=response.cancellation,
    )
    if response.accepted:
        txn.span = _span_change(facts=facts, request=request, response=response, member=member)
        if action == Action.ENROLL:
            txn.rate_cell_id = facts.rate_cell_pks[response.rate_cell]
            loop = _member_loop(request=request, response=response,
                                maintenance_reason=INS04_ENROLLMENT,
                                rate_cell_code=response.rate_cell.code)
        else:
            loop = _member_loop(request=request, response=response,
                                maintenance_reason=INS04_FOR_REASON[DisenrollmentReason(reason)],
                                rate_cell_code="")
        txn.loop_x12, txn.loop_segments = loop.text, loop.segment_count
    txn.save()
    # HIPAA 45 CFR 164.312(b): the write is audited in its own transaction.
    audit_record(AuditAction.CREATE, "enrollment transaction", txn.reference,
                 member_ids=[member.pk], detail=f"{kind} {txn.status}", user=actor)
    if response.accepted:
        BatchEntry.objects.create(transaction=txn, plan_id=facts.plan_pk)  # the 834 outbox
    return txn


@transaction.atomic(durable=True)
def enrollment_submit(*, member: Member, program: str, provider_id: str, last_name: str,
                      first_name: str, token: uuid.UUID, actor: AbstractBaseUser,
                      today: datetime.date) -> EnrollmentTransaction:
    """Submit an enrollment of *member* to MMIS; return the stored transaction."""
    return _submit(action=Action.ENROLL, member=member, program=program,
                   provider_id=provider_id, last_name=last_name, first_name=first_name,
                   token=token, actor=actor, today=today)


@transaction.atomic(durable=True)
def disenrollment_submit(*, member: Member, program: str, provider_id: str, last_name: str,
                         first_name: str, reason: str, token: uuid.UUID,
                         actor: AbstractBaseUser, today: datetime.date) -> EnrollmentTransaction:
    """Submit a disenrollment of *member* to MMIS; return the stored transaction."""
    if reason not in DisenrollmentReason.values:
        raise DomainError("Select the Disenrollment Reason.", code="REASON")
    return _submit(action=Action.DISENROLL, member=member, program=program,
                   provider_id=provider_id, last_name=last_name, first_name=first_name,
                   token=token, actor=actor, today=today, reason=reason)


# ---------------------------------------------------------------------------- 834 batches

@transaction.atomic(durable=True)
def batch_cut(*, plan: Plan, actor: AbstractBaseUser | None = None) -> Batch834 | None:
    """Put every accepted, unsent transaction of *plan* in a new batch; None when none is pending.

    The plan row is locked so that two cuts for one plan take numbers one after the other
    (no gap, no reuse); a cut with nothing pending takes no number.
    """
    Plan.objects.select_for_update().get(pk=plan.pk)
    pending = BatchEntry.objects.filter(plan=plan, batch__isnull=True)
    count = pending.count()
    if not count:
        return None
    last = Batch834.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0
    batch = Batch834.objects.create(plan=plan, number=last + 1, cut_by=actor, loop_count=count)
    updated = pending.update(batch=batch)
    if updated != count:  # pending rows are only ever added, and the plan lock holds other cuts
        batch.loop_count = updated
        batch.save(update_fields=["loop_count", "updated_at"])
    audit_record(AuditAction.CREATE, "834 batch", batch.label,
                 detail=f"{batch.loop_count} member loops", user=actor)
    return batch


def _loops(batch: Batch834) -> Iterator[RenderedLoop]:
    rows = (EnrollmentTransaction.objects.filter(entry__batch=batch_first(batch)).order_by("pk")
            .values_list("loop_x12", "loop_segments").iterator(chunk_size=10_000))
    for text, segment_count in rows:
        yield RenderedLoop(text=text, segment_count=segment_count)


def batch_interchange(*, batch: Batch834) -> Interchange834:
    """Return the 834 of *batch*; the same batch always gives the same interchange."""
    plan = batch.plan
    return Interchange834(
        sender_id=settings.X12_SENDER_ID, receiver_id=plan.provider_id, plan_name=plan.name,
        program=plan.program, created_at=batch.created_at.astimezone(EASTERN).replace(tzinfo=None),
        isa_control=batch.number, gs_control=batch.number, st_control=batch.number,
        reference=f"{plan.provider_id}-{batch.number:06d}", loop_count=batch.loop_count,
        loops=_loops(batch),
    )


def batch_stream(*, batch: Batch834) -> Iterator[bytes]:
    """Yield the 834 of *batch* as ASCII bytes, in chunks of about a thousand loops."""
    chunk: list[str] = []
    for piece in iter_834(batch_interchange(batch=batch)):
        chunk.append(piece)
        if len(chunk) >= 1000:
            yield "".join(chunk).encode("ascii")
            chunk.clear()
    if chunk:
        yield "".join(chunk).encode("ascii")


def batch_write(*, batch: Batch834, path: Path) -> str:
    """Write *batch* to *path* atomically (posc/files.py); return its SHA-256.

    *path* keeps its old content or gets the whole new file, never part of one, even when
    the process is killed midway: the bytes go to a temporary file in the same directory,
    which is fsynced and then renamed over *path*. A temporary file left by a killed
    writer is removed by the next write of the same path. The file is created 0600 and
    keeps that mode: an 834 holds PHI (HIPAA 45 CFR 164.312(a)(1), access control).
    The first write records the digest; a later write of the same batch must match it.
    """
    path = Path(path)

    def same_bytes(sha: str) -> None:
        if batch.sha256 and batch.sha256 != sha:
            raise DomainError(f"Batch {batch.number} no longer gives the bytes first written.",
                              code="BATCH_CHANGED")

    sha = write_atomically(path, lambda: batch_stream(batch=batch), check=same_bytes)
    if not batch.sha256:
        Batch834.objects.filter(pk=batch.pk, sha256="").update(sha256=sha)
        batch.sha256 = sha
    audit_record(AuditAction.EXPORT, "834 batch", batch.label,
                 detail=f"{batch.loop_count} member loops written to {path.name}")
    return sha


def batch_unwritten_write(*, plan: Plan, path_for: Callable[[Batch834], Path],
                          limit: int | None = None) -> list[tuple[Batch834, Path, str]]:
    """Write the batches of *plan* cut but never written, oldest first; return what was written.

    A batch stays unwritten when the process that cut it died before or while writing it
    (the cut commits first, so its number is kept: no gap, no reuse). Its row stays locked
    while one run writes it to ``path_for(batch)``; another run skips it instead of writing
    it twice. Each entry is (batch, path, SHA-256); at most *limit* batches are written.
    """
    written: list[tuple[Batch834, Path, str]] = []
    pending = list(Batch834.objects.filter(plan=plan, sha256="").order_by("number")
                   .values_list("pk", flat=True))
    for pk in pending:
        if limit is not None and len(written) >= limit:
            break
        with transaction.atomic():
            # order_by(): the model's default ordering joins Plan, and FOR UPDATE would lock it.
            batch = (Batch834.objects.select_for_update(skip_locked=True)
                     .filter(pk=pk, sha256="").order_by().first())
            if batch is None:  # another run holds it, or has written it since
                continue
            batch.plan = plan
            path = Path(path_for(batch))
            sha = batch_write(batch=batch, path=path)
        written.append((batch, path, sha))
    return written


# ---------------------------------------------------------------------------- acknowledgments


