"""Recoupment writes up to approval: the provider's (re)submission, completeness, research and
approval (seed 004); the moves after approval are in ``claim_services``.

Every service has one shape: keyword-only, the request it changes and the ``actor``, the
moment from its caller; under ``transaction.atomic(durable=True)``, in this order: lock
the request, guard the move with ``TRANSITIONS``, change, write the history row, the audit
row, then queue the e-mails (``move_steps``). A refused move leaves no trace.
"""

import datetime
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from posc.exceptions import DomainError
from posc.members.models import Plan
from posc.submission import submission_replay
from recoupments import business_days, clocks, emails
from recoupments.identifiers import npi_valid
from recoupments.inputs import RecoupmentInput
from recoupments.models import (
    FORM_FIELD_LABELS,
    MCE_UPDATE_DAYS,
    ApprovalPath,
    Move,
    Recoupment,
    RecoupmentEvent,
    RecoupmentLine,
    Status,
)
from recoupments.money import format_money
from recoupments.move_steps import (
    check_path,
    guard,
    lock,
    mce_contact,
    paying_entity,
    record,
)
from recoupments.selectors import user_recoupment_provider_ids
from recoupments.xlsx import AMOUNT_MAX, AMOUNT_MAX_TEXT

# ----------------------------------------------------------------------------- helpers

def next_reference(day: datetime.date) -> str:
    """Return a new reference such as ``RCP-20261122-000042`` (a sequence: never reused)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('recoupment_reference_seq')")
        (number,) = cursor.fetchone()
    return f"RCP-{day:%Y%m%d}-{number:06d}"


def _validate_input(*, data: RecoupmentInput, actor: AbstractBaseUser) -> list[Plan]:
    """Refuse a form the view should already have refused; return the MCEs."""
    if data.provider_id not in user_recoupment_provider_ids(user=actor):
        raise DomainError("Choose one of your own MassHealth Provider IDs.", code="PROVIDER")
    if data.provider_npi and not npi_valid(data.provider_npi):
        raise DomainError("The Provider NPI fails the NPI check digit.", code="NPI")
    if not data.member_ids or len(set(data.member_ids)) != len(data.member_ids):
        raise DomainError("Enter each Member MassHealth ID once.", code="MEMBER_IDS")
    if not data.lines or any(line.amount <= 0 for line in data.lines):
        raise DomainError("Enter at least one service line with an amount over $0.00.",
                          code="LINES")
    if any(line.amount > AMOUNT_MAX for line in data.lines):
        raise DomainError(f"The Amount Recouped cannot be more than {AMOUNT_MAX_TEXT} for one "
                          f"line.", code="AMOUNT_MAX")
    mces = list(Plan.objects.filter(provider_id__in=data.mce_provider_ids))
    if not mces or len(mces) != len(set(data.mce_provider_ids)):
        raise DomainError("Choose the MCE Name(s) from the list.", code="MCES")
    return mces


def _write_form(*, recoupment: Recoupment, data: RecoupmentInput, mces: list[Plan]) -> None:
    """Store the form's fields and lines on the (locked or new) request."""
    for field in ("provider_id", "provider_name", "provider_npi", "member_first_name",
                  "member_last_name"):
        setattr(recoupment, field, getattr(data, field).strip())
    recoupment.member_ids = list(data.member_ids)
    recoupment.save()
    recoupment.mces.set(mces)
    recoupment.lines.all().delete()
    RecoupmentLine.objects.bulk_create([
        RecoupmentLine(recoupment=recoupment, number=i, date_of_service=line.date_of_service,
                       service=line.service.strip(), amount=line.amount)
        for i, line in enumerate(data.lines, start=1)])


def form_changes(*, recoupment: Recoupment, data: RecoupmentInput,
                 mces: list[Plan]) -> list[str]:
    """Return what a resubmission changes, field by field: "Label: old → new"."""
    def shown(value: str) -> str:
        return value or "(blank)"

    changes = []
    for name in ("provider_name", "provider_npi", "provider_id", "member_first_name",
                 "member_last_name"):
        old, new = getattr(recoupment, name), getattr(data, name).strip()
        if old != new:
            changes.append(f"{FORM_FIELD_LABELS[name]}: {shown(old)} → {shown(new)}")
    old_mces = sorted(p.name for p in recoupment.mces.all())
    new_mces = sorted(p.name for p in mces)
    if old_mces != new_mces:
        changes.append(f"MCE Name(s): {'; '.join(old_mces)} → {'; '.join(new_mces)}")
    if list(recoupment.member_ids) != list(data.member_ids):
        changes.append(f"Member MassHealth ID(s): {', '.join(recoupment.member_ids)} → "
                       f"{', '.join(data.member_ids)}")
    old_lines = list(recoupment.lines.order_by("number"))
    for number, line in enumerate(data.lines, start=1):
        old = old_lines[number - 1] if number <= len(old_lines) else None
        if old is None:
            changes.append(f"line {number} added: {line.date_of_service:%m/%d/%Y} "
                           f"{line.service.strip()} {format_money(line.amount)}")
            continue
        for label, before, after in (
                ("Date(s) of Service Recouped", f"{old.date_of_service:%m/%d/%Y}",
                 f"{line.date_of_service:%m/%d/%Y}"),
                ("Service Code or Name", old.service, line.service.strip()),
                ("Amount Recouped", format_money(old.amount), format_money(line.amount))):
            if before != after:
                changes.append(f"line {number} {label}: {before} → {after}")
    for old in old_lines[len(data.lines):]:
        changes.append(f"line {old.number} removed: {old.date_of_service:%m/%d/%Y} "
                       f"{old.service} {format_money(old.amount)}")
    return changes


# ----------------------------------------------------------------------------- provider

@transaction.atomic(durable=True)
def recoupment_submit(*, actor: AbstractBaseUser, data: RecoupmentInput,
                      submission_token: uuid.UUID | None = None,
                      now: datetime.datetime) -> Recoupment:
    """Store a Recoupment Form, number it and confirm receipt to the submitter.

    A second post of the same page (same *submission_token*) returns the first request:
    one request, one reference, one e-mail, however the two posts interleave.
    """
    done = submission_replay(Recoupment, token=submission_token, user=actor,
                             owner_field="submitted_by_id",
                             refusal="This form was already submitted.")
    if done is not None:
        return done
    mces = _validate_input(data=data, actor=actor)
    recoupment = Recoupment(submitted_by=actor, contact_email=actor.email, status=Status.SUBMITTED,
                            submission_token=submission_token)
    clocks.start_clocks(recoupment, now)
    recoupment.reference = next_reference(now.astimezone(business_days.EASTERN).date())
    _write_form(recoupment=recoupment, data=data, mces=mces)
    RecoupmentEvent.objects.create(recoupment=recoupment, move=Move.SUBMIT, from_status="",
                                   to_status=Status.SUBMITTED, actor=actor, at=now)
    audit_record(AuditAction.CREATE, "recoupment", recoupment.reference,
                 member_ids=recoupment.member_ids, detail=f"{Move.SUBMIT}", user=actor)
    emails.receipt_email(recoupment=recoupment, now=now)
    return recoupment


@transaction.atomic(durable=True)
def recoupment_resubmit(*, recoupment: Recoupment, actor: AbstractBaseUser, data: RecoupmentInput,
                        now: datetime.datetime) -> Recoupment:
    """Replace a returned form with the provider's corrections and restart its clocks."""
    recoupment = lock(recoupment)
    guard(recoupment, Move.RESUBMIT)
    mces = _validate_input(data=data, actor=actor)
    changes = form_changes(recoupment=recoupment, data=data, mces=mces)
    recoupment.missing_fields = []
    recoupment.contact_email = actor.email or recoupment.contact_email
    clocks.start_clocks(recoupment, now)
    _write_form(recoupment=recoupment, data=data, mces=mces)
    record(recoupment=recoupment, move=Move.RESUBMIT, actor=actor, now=now,
            note=("Changed: " + "; ".join(changes) + ".") if changes else "Nothing changed.")
    emails.receipt_email(recoupment=recoupment, resubmitted=True, now=now)
    return recoupment


# ----------------------------------------------------------------------------- completeness

@transaction.atomic(durable=True)
def recoupment_confirm_complete(*, recoupment: Recoupment, actor: AbstractBaseUser, note: str = "",
                                internal_note: str = "",
                                now: datetime.datetime) -> Recoupment:
    """Confirm the form complete: research starts."""
    recoupment = lock(recoupment)
    guard(recoupment, Move.CONFIRM_COMPLETE)
    record(recoupment=recoupment, move=Move.CONFIRM_COMPLETE, actor=actor,
            now=now, note=note, internal_note=internal_note)
    return recoupment


@transaction.atomic(durable=True)
def recoupment_return(*, recoupment: Recoupment, actor: AbstractBaseUser, missing_fields: list[str],
                      note: str = "", internal_note: str = "",
                      now: datetime.datetime) -> Recoupment:
    """Return the form to the provider naming the missing fields (seed 004)."""
    recoupment = lock(recoupment)
    guard(recoupment, Move.RETURN_INCOMPLETE)
    if not missing_fields or any(f not in FORM_FIELD_LABELS for f in missing_fields):
        raise DomainError("Name the missing or incomplete fields.", code="MISSING_FIELDS")
    recoupment.missing_fields = list(dict.fromkeys(missing_fields))
    labels = ", ".join(recoupment.missing_field_labels)
    record(recoupment=recoupment, move=Move.RETURN_INCOMPLETE, actor=actor, now=now,
            note=f"Missing: {labels}. {note}".strip(), internal_note=internal_note)
    emails.returned_email(recoupment=recoupment, note=note.strip(), now=now)
    return recoupment


# ----------------------------------------------------------------------------- research

@transaction.atomic(durable=True)
def recoupment_research_record(*, recoupment: Recoupment, actor: AbstractBaseUser,
                               enrollments_documented: str, enrollment_adjustments: str = "",
                               note: str = "", internal_note: str = "",
                               now: datetime.datetime) -> Recoupment:
    """Document the member's enrollments and the adjustments made; approval comes next."""
    recoupment = lock(recoupment)
    guard(recoupment, Move.RECORD_RESEARCH)
    if not enrollments_documented.strip():
        raise DomainError("Document the member's enrollments for each Member ID.",
                          code="RESEARCH")
    recoupment.enrollments_documented = enrollments_documented.strip()
    recoupment.enrollment_adjustments = enrollment_adjustments.strip()
    record(recoupment=recoupment, move=Move.RECORD_RESEARCH, actor=actor,
            now=now, note=note, internal_note=internal_note)
    return recoupment


# ----------------------------------------------------------------------------- approval

@transaction.atomic(durable=True)
def recoupment_approve(*, recoupment: Recoupment, actor: AbstractBaseUser, path: str,
                       paying_mce: str = "", instructions: str = "",
                       enrollment_adjustments: str = "", capitation_note: str = "",
                       note: str = "", internal_note: str = "",
                       now: datetime.datetime) -> Recoupment:
    """Approve who processes and pays, and send the e-mail that path calls for (seed 004)."""
    recoupment = lock(recoupment)
    check_path(path)
    move = Move.APPROVE_MASSHEALTH if path == ApprovalPath.MASSHEALTH else Move.APPROVE_MCE
    guard(recoupment, move)
    recoupment.approval_path = path
    if enrollment_adjustments.strip():
        recoupment.enrollment_adjustments = "\n".join(
            p for p in (recoupment.enrollment_adjustments, enrollment_adjustments.strip()) if p)
    recoupment.capitation_adjustment_note = capitation_note.strip()
    if move == Move.APPROVE_MCE:
        recoupment.paying_mce = paying_entity(recoupment, path, paying_mce)
        contact = mce_contact(recoupment.paying_mce)
        recoupment.mce_instructions = instructions.strip()
        recoupment.approved_on = clocks.receipt_day(now)
        recoupment.mce_update_due = clocks.due_after(recoupment.approved_on, MCE_UPDATE_DAYS)
        record(recoupment=recoupment, move=move, actor=actor, now=now,
                note=f"{ApprovalPath(path).label}: {recoupment.paying_mce.name}. {note}".strip(),
                internal_note=internal_note)
        emails.mce_instructions_email(recoupment=recoupment, to=contact.email, now=now)
        emails.approved_mce_email(recoupment=recoupment, note=note.strip(), now=now)
    else:
        recoupment.approved_on = clocks.receipt_day(now)
        record(recoupment=recoupment, move=move, actor=actor, now=now,
                note=f"{ApprovalPath(path).label}. {note}".strip(), internal_note=internal_note)
        emails.bill_masshealth_email(recoupment=recoupment, now=now)
    return recoupment


