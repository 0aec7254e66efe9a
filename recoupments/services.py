"""Recoupment writes: the provider's submission and every move of Enrollment Operations' review.

Each service owns its transaction, locks the request (``select_for_update``), checks the
move against ``TRANSITIONS`` before changing anything, writes the history row and queues
its e-mails in the same transaction: a refused move leaves no trace.
"""

import datetime
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from posc.exceptions import DomainError, InvalidTransition
from posc.submission import submission_lock
from posc.members.models import Plan, Program
from recoupments import business_days, clocks, emails
from recoupments.identifiers import icn_valid, npi_valid
from recoupments.inputs import RecoupmentInput
from recoupments.money import format_money
from recoupments.xlsx import AMOUNT_MAX, AMOUNT_MAX_TEXT
from recoupments.models import (
    FORM_FIELD_LABELS,
    MCE_UPDATE_DAYS,
    PAYMENT_DAYS,
    TRANSITIONS,
    ApprovalPath,
    ClaimUpdate,
    DeniedClaim,
    EditCode,
    MceContact,
    Move,
    Recoupment,
    RecoupmentEvent,
    RecoupmentLine,
    Status,
)
from recoupments.selectors import user_recoupment_provider_ids


# ----------------------------------------------------------------------------- helpers

def next_reference(day: datetime.date) -> str:
    """Return a new reference such as ``RCP-20261122-000042`` (a sequence: never reused)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('recoupment_reference_seq')")
        (number,) = cursor.fetchone()
    return f"RCP-{day:%Y%m%d}-{number:06d}"


def _locked(recoupment_id: int) -> Recoupment:
    recoupment = Recoupment.objects.select_for_update().filter(pk=recoupment_id).first()
    if recoupment is None:
        raise DomainError("No such recoupment request.", code="NOT_FOUND")
    return recoupment


def _check(recoupment: Recoupment, move: str) -> None:
    """Refuse a move the transition table does not allow from the current status."""
    refusal = recoupment.move_refusal(move)
    if refusal:
        raise InvalidTransition(refusal, extra={"move": move, "status": recoupment.status})


def _record(*, recoupment: Recoupment, move: str, user: AbstractBaseUser,
            now: datetime.datetime, note: str = "", internal_note: str = "") -> RecoupmentEvent:
    """Apply *move* (already checked) to the locked request and write its history row."""
    before = recoupment.status
    target = TRANSITIONS[move].target
    if target is not None:
        recoupment.status = target
    recoupment.save()
    # HIPAA 45 CFR 164.312(b): every move is audited in the move's transaction.
    audit_record(AuditAction.CHANGE, "recoupment", recoupment.reference,
                 member_ids=recoupment.member_ids, user=user,
                 detail=f"{move}: {before} -> {recoupment.status}")
    return RecoupmentEvent.objects.create(recoupment=recoupment, move=move, from_status=before,
                                          to_status=recoupment.status, actor=user, at=now,
                                          note=note.strip(),
                                          internal_note=internal_note.strip())


def _validate_input(*, data: RecoupmentInput, user: AbstractBaseUser) -> list[Plan]:
    """Refuse a form the view should already have refused; return the MCEs."""
    if data.provider_id not in user_recoupment_provider_ids(user=user):
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


def _line(recoupment: Recoupment, number: int) -> RecoupmentLine:
    line = recoupment.lines.filter(number=number).first()
    if line is None:
        raise DomainError(f"{recoupment.reference} has no service line {number}.", code="LINE")
    return line


# ----------------------------------------------------------------------------- provider

@transaction.atomic
def recoupment_submit(*, user: AbstractBaseUser, data: RecoupmentInput,
                      submission_token: uuid.UUID | None = None,
                      now: datetime.datetime) -> Recoupment:
    """Store a Recoupment Form, number it and confirm receipt to the submitter.

    A second post of the same page (same *submission_token*) returns the first request:
    one request, one reference, one e-mail, however the two posts interleave.
    """
    if submission_token is not None:
        submission_lock(submission_token)
        done = Recoupment.objects.filter(submission_token=submission_token).first()
        if done is not None:
            if done.submitted_by_id != user.pk:
                raise DomainError("This form was already submitted.", code="TOKEN")
            return done
    mces = _validate_input(data=data, user=user)
    recoupment = Recoupment(submitted_by=user, contact_email=user.email, status=Status.SUBMITTED,
                            submission_token=submission_token)
    clocks.start_clocks(recoupment, now)
    recoupment.reference = next_reference(now.astimezone(business_days.EASTERN).date())
    _write_form(recoupment=recoupment, data=data, mces=mces)
    RecoupmentEvent.objects.create(recoupment=recoupment, move=Move.SUBMIT, from_status="",
                                   to_status=Status.SUBMITTED, actor=user, at=now)
    audit_record(AuditAction.CREATE, "recoupment", recoupment.reference,
                 member_ids=recoupment.member_ids, detail=f"{Move.SUBMIT}", user=user)
    emails.receipt_email(recoupment=recoupment, now=now)
    return recoupment


recoupment_submit.alters_data = True


@transaction.atomic
def recoupment_resubmit(*, recoupment_id: int, user: AbstractBaseUser, data: RecoupmentInput,
                        now: datetime.datetime) -> Recoupment:
    """Replace a returned form with the provider's corrections and restart its clocks."""
    recoupment = _locked(recoupment_id)
    _check(recoupment, Move.RESUBMIT)
    mces = _validate_input(data=data, user=user)
    changes = form_changes(recoupment=recoupment, data=data, mces=mces)
    recoupment.missing_fields = []
    recoupment.contact_email = user.email or recoupment.contact_email
    clocks.start_clocks(recoupment, now)
    _write_form(recoupment=recoupment, data=data, mces=mces)
    _record(recoupment=recoupment, move=Move.RESUBMIT, user=user, now=now,
            note=("Changed: " + "; ".join(changes) + ".") if changes else "Nothing changed.")
    emails.receipt_email(recoupment=recoupment, resubmitted=True, now=now)
    return recoupment


recoupment_resubmit.alters_data = True


# ----------------------------------------------------------------------------- completeness

@transaction.atomic
def recoupment_confirm_complete(*, recoupment_id: int, user: AbstractBaseUser, note: str = "",
                                internal_note: str = "",
                                now: datetime.datetime) -> Recoupment:
    """Confirm the form complete: research starts."""
    recoupment = _locked(recoupment_id)
    _check(recoupment, Move.CONFIRM_COMPLETE)
    _record(recoupment=recoupment, move=Move.CONFIRM_COMPLETE, user=user,
            now=now, note=note, internal_note=internal_note)
    return recoupment


recoupment_confirm_complete.alters_data = True


@transaction.atomic
def recoupment_return(*, recoupment_id: int, user: AbstractBaseUser, missing_fields: list[str],
                      note: str = "", internal_note: str = "",
                      now: datetime.datetime) -> Recoupment:
    """Return the form to the provider naming the missing fields (seed 004)."""
    recoupment = _locked(recoupment_id)
    _check(recoupment, Move.RETURN_INCOMPLETE)
    if not missing_fields or any(f not in FORM_FIELD_LABELS for f in missing_fields):
        raise DomainError("Name the missing or incomplete fields.", code="MISSING_FIELDS")
    recoupment.missing_fields = list(dict.fromkeys(missing_fields))
    labels = ", ".join(recoupment.missing_field_labels)
    _record(recoupment=recoupment, move=Move.RETURN_INCOMPLETE, user=user, now=now,
            note=f"Missing: {labels}. {note}".strip(), internal_note=internal_note)
    emails.returned_email(recoupment=recoupment, note=note.strip(), now=now)
    return recoupment


recoupment_return.alters_data = True


# ----------------------------------------------------------------------------- research

@transaction.atomic
def recoupment_research_record(*, recoupment_id: int, user: AbstractBaseUser,
                               enrollments_documented: str, enrollment_adjustments: str = "",
                               note: str = "", internal_note: str = "",
                               now: datetime.datetime) -> Recoupment:
    """Document the member's enrollments and the adjustments made; approval comes next."""
    recoupment = _locked(recoupment_id)
    _check(recoupment, Move.RECORD_RESEARCH)
    if not enrollments_documented.strip():
        raise DomainError("Document the member's enrollments for each Member ID.",
                          code="RESEARCH")
    recoupment.enrollments_documented = enrollments_documented.strip()
    recoupment.enrollment_adjustments = enrollment_adjustments.strip()
    _record(recoupment=recoupment, move=Move.RECORD_RESEARCH, user=user,
            now=now, note=note, internal_note=internal_note)
    return recoupment


recoupment_research_record.alters_data = True


# ----------------------------------------------------------------------------- approval

def _paying_mce(recoupment: Recoupment, path: str, provider_id: str) -> Plan:
    """Return the entity that pays on path (a)–(c), refusing one the path does not allow."""
    original = list(recoupment.mces.all())
    if path == ApprovalPath.MBHP:
        plans = Plan.objects.filter(program=Program.MBHP)
        plan = plans.filter(provider_id=provider_id).first() if provider_id else (
            plans.first() if plans.count() == 1 else None)
        if plan is None:
            raise DomainError("Choose the MBHP as the paying entity for approval (c).",
                              code="PAYING_MCE")
        return plan
    if not provider_id and path == ApprovalPath.ORIGINAL_MCE and len(original) == 1:
        return original[0]
    plan = Plan.objects.filter(provider_id=provider_id).exclude(program=Program.MBHP).first()
    if plan is None:
        raise DomainError("Choose the MCE that will process and pay the claims.",
                          code="PAYING_MCE")
    if path == ApprovalPath.ORIGINAL_MCE and plan not in original:
        raise DomainError(f"{plan.name} is not an MCE named on the form: approval (a) is the "
                          f"original MCE.", code="PAYING_MCE")
    if path == ApprovalPath.OTHER_MCE and plan in original:
        raise DomainError(f"{plan.name} is named on the form: approval (b) is a different MCE.",
                          code="PAYING_MCE")
    return plan


@transaction.atomic
def recoupment_approve(*, recoupment_id: int, user: AbstractBaseUser, path: str,
                       paying_mce: str = "", instructions: str = "",
                       enrollment_adjustments: str = "", capitation_note: str = "",
                       note: str = "", internal_note: str = "",
                       now: datetime.datetime) -> Recoupment:
    """Approve who processes and pays, and send the e-mail that path calls for (seed 004)."""
    recoupment = _locked(recoupment_id)
    if path not in ApprovalPath.values:
        raise DomainError("Choose the approval: (a), (b), (c) or (d).", code="PATH")
    move = Move.APPROVE_MASSHEALTH if path == ApprovalPath.MASSHEALTH else Move.APPROVE_MCE
    _check(recoupment, move)
    recoupment.approval_path = path
    if enrollment_adjustments.strip():
        recoupment.enrollment_adjustments = "\n".join(
            p for p in (recoupment.enrollment_adjustments, enrollment_adjustments.strip()) if p)
    recoupment.capitation_adjustment_note = capitation_note.strip()
    if move == Move.APPROVE_MCE:
        recoupment.paying_mce = _paying_mce(recoupment, path, paying_mce)
        contact = MceContact.objects.filter(plan=recoupment.paying_mce).first()
        if contact is None:
            raise DomainError(f"No recoupment contact e-mail is set for "
                              f"{recoupment.paying_mce.name}: add it under MCE recoupment "
                              f"contacts first.", code="MCE_CONTACT")
        recoupment.mce_instructions = instructions.strip()
        recoupment.approved_on = clocks.receipt_day(now)
        recoupment.mce_update_due = clocks.due_after(recoupment.approved_on, MCE_UPDATE_DAYS)
        _record(recoupment=recoupment, move=move, user=user, now=now,
                note=f"{ApprovalPath(path).label}: {recoupment.paying_mce.name}. {note}".strip(),
                internal_note=internal_note)
        emails.mce_instructions_email(recoupment=recoupment, to=contact.email, now=now)
        emails.approved_mce_email(recoupment=recoupment, note=note.strip(), now=now)
    else:
        recoupment.approved_on = clocks.receipt_day(now)
        _record(recoupment=recoupment, move=move, user=user, now=now,
                note=f"{ApprovalPath(path).label}. {note}".strip(), internal_note=internal_note)
        emails.bill_masshealth_email(recoupment=recoupment, now=now)
    return recoupment


recoupment_approve.alters_data = True


@transaction.atomic
def recoupment_mce_update_record(*, recoupment_id: int, user: AbstractBaseUser, line_number: int,
                                 status: str, note: str = "", internal_note: str = "",
                                 now: datetime.datetime) -> ClaimUpdate:
    """Record the paying MCE's status update on one claim; the provider sees it."""
    recoupment = _locked(recoupment_id)
    _check(recoupment, Move.RECORD_MCE_UPDATE)
    if status not in ClaimUpdate.ClaimStatus.values:
        raise DomainError("Choose the claim status.", code="CLAIM_STATUS")
    line = _line(recoupment, line_number)
    if line.is_closed:
        raise DomainError(f"Line {line.number} is closed.", code="LINE_CLOSED")
    if line.effective_path(recoupment) not in ApprovalPath.mce_paths():
        raise DomainError(f"Line {line.number} is billed to MassHealth (approval (d)): no MCE "
                          f"reports on it.", code="LINE_PATH")
    # The same update posted twice (a double-click: the request row lock makes the second
    # wait for the first) is recorded once.
    latest = line.updates.order_by("-recorded_at", "-pk").first()
    if (latest is not None and (latest.status, latest.note) == (status, note.strip())
            and (line.reapproved_at is None or latest.recorded_at > line.reapproved_at)):
        return latest
    update = ClaimUpdate.objects.create(line=line, status=status, note=note.strip(),
                                        recorded_by=user, recorded_at=now)
    _record(recoupment=recoupment, move=Move.RECORD_MCE_UPDATE, user=user, now=now,
            note=f"Line {line.number}: {update.get_status_display()}. {note}".strip(),
            internal_note=internal_note)
    emails.claim_update_email(recoupment=recoupment, update=update, now=now)
    return update


recoupment_mce_update_record.alters_data = True


def _billed_line(recoupment: Recoupment, line_number: int) -> RecoupmentLine:
    """Return an open line billed to MassHealth (approval (d), the request's or its own)."""
    line = _line(recoupment, line_number)
    if line.is_closed:
        raise DomainError(f"Line {line.number} is closed.", code="LINE_CLOSED")
    if line.effective_path(recoupment) != ApprovalPath.MASSHEALTH:
        raise DomainError(f"Line {line.number} is paid by an MCE or MBHP: it has no "
                          f"MassHealth claim.", code="LINE_PATH")
    return line


def _denial_edits(*, icn: str, edit_codes: list[str], line: RecoupmentLine) -> list[EditCode]:
    """Check an ICN and the edits of a denial; return the edits."""
    if not icn_valid(icn):
        raise DomainError("Enter the ICN: 13 digits.", code="ICN")
    if DeniedClaim.objects.filter(icn=icn).exclude(line=line).exists():
        raise DomainError(f"ICN {icn} is already recorded.", code="ICN_USED")
    edits = list(EditCode.objects.filter(code__in=edit_codes))
    if len(edits) != len(set(edit_codes)):
        raise DomainError("Choose the edit codes from the list.", code="EDITS")
    # Seed 004: the claim denies for MCE coverage with edit 2017 (and, usually, timely filing).
    if not any(e.kind == EditCode.Kind.MCE_COVERAGE for e in edits):
        raise DomainError("The denial must include the MCE coverage edit 2017.",
                          code="EDIT_2017")
    return edits


@transaction.atomic
def recoupment_denied_claim_record(*, recoupment_id: int, user: AbstractBaseUser,
                                   line_number: int, icn: str, edit_codes: list[str],
                                   internal_note: str = "",
                                   now: datetime.datetime) -> DeniedClaim:
    """Record the ICN and edits of the claim a line was billed on and denied (seed 004 (d))."""
    recoupment = _locked(recoupment_id)
    _check(recoupment, Move.RECORD_DENIED_CLAIM)
    line = _billed_line(recoupment, line_number)
    icn = icn.strip()
    if DeniedClaim.objects.filter(line=line).exists():
        raise DomainError(f"Line {line.number} already has a denied claim: correct it instead.",
                          code="DUPLICATE")
    edits = _denial_edits(icn=icn, edit_codes=edit_codes, line=line)
    claim = DeniedClaim.objects.create(line=line, icn=icn, recorded_by=user, recorded_at=now)
    claim.edits.set(edits)
    _record(recoupment=recoupment, move=Move.RECORD_DENIED_CLAIM, user=user, now=now,
            note=f"Line {line.number}: ICN {icn}, edits {', '.join(e.code for e in edits)}.",
            internal_note=internal_note)
    return claim


recoupment_denied_claim_record.alters_data = True


@transaction.atomic
def recoupment_denied_claim_correct(*, recoupment_id: int, user: AbstractBaseUser,
                                    line_number: int, icn: str, edit_codes: list[str],
                                    now: datetime.datetime,
                                    internal_note: str = "") -> DeniedClaim:
    """Correct a line's recorded ICN or edits, before ClaimsSupport is e-mailed them.

    The history keeps the old and the new values.
    """
    recoupment = _locked(recoupment_id)
    _check(recoupment, Move.CORRECT_DENIED_CLAIM)
    line = _billed_line(recoupment, line_number)
    claim = DeniedClaim.objects.filter(line=line).first()
    if claim is None:
        raise DomainError(f"Line {line.number} has no denied claim to correct.",
                          code="NO_CLAIM")
    icn = icn.strip()
    edits = _denial_edits(icn=icn, edit_codes=edit_codes, line=line)
    old_icn, old_codes = claim.icn, sorted(e.code for e in claim.edits.all())
    new_codes = sorted(e.code for e in edits)
    if (old_icn, old_codes) == (icn, new_codes):
        raise DomainError(f"Line {line.number} already has ICN {icn} with these edits: "
                          f"nothing to correct.", code="UNCHANGED")
    changes = []
    if old_icn != icn:
        changes.append(f"ICN {old_icn} → {icn}")
    if old_codes != new_codes:
        changes.append(f"edits {', '.join(old_codes)} → {', '.join(new_codes)}")
    claim.icn, claim.recorded_by, claim.recorded_at = icn, user, now
    claim.save()
    claim.edits.set(edits)
    _record(recoupment=recoupment, move=Move.CORRECT_DENIED_CLAIM, user=user, now=now,
            note=f"Line {line.number}: {'; '.join(changes)}.", internal_note=internal_note)
    return claim


def _open_lines(recoupment: Recoupment) -> list[RecoupmentLine]:
    return [line for line in recoupment.lines.select_related("denied_claim")
            .prefetch_related("updates", "denied_claim__edits").order_by("number")
            if not line.is_closed]


@transaction.atomic
def recoupment_claims_support_send(*, recoupment_id: int, user: AbstractBaseUser,
                                   note: str = "", internal_note: str = "",
                                   now: datetime.datetime) -> Recoupment:
    """E-mail ClaimsSupport the denied claims' ICNs with the override approval (seed 004 (d))."""
    recoupment = _locked(recoupment_id)
    _check(recoupment, Move.SEND_CLAIMS_SUPPORT)
    billed = [line for line in _open_lines(recoupment)
              if line.effective_path(recoupment) == ApprovalPath.MASSHEALTH]
    missing = [line.number for line in billed if not hasattr(line, "denied_claim")]
    if missing:
        raise DomainError(f"Record the denied claim's ICN of line(s) "
                          f"{', '.join(map(str, missing))} first.", code="ICNS_MISSING")
    if not billed:
        raise DomainError("No open line is billed to MassHealth.", code="NO_CLAIMS")
    _record(recoupment=recoupment, move=Move.SEND_CLAIMS_SUPPORT, user=user, now=now,
            note=note, internal_note=internal_note)
    emails.claims_support_email(recoupment=recoupment, lines=billed, now=now)
    return recoupment


recoupment_claims_support_send.alters_data = True


@transaction.atomic
def recoupment_payment_confirm(*, recoupment_id: int, user: AbstractBaseUser, note: str = "",
                               capitation_note: str = "", internal_note: str = "",
                               now: datetime.datetime) -> Recoupment:
    """Confirm to the provider that the claims were paid; the request is closed.

    Every open line must be paid: on an MCE path, reported paid since its (re-)approval;
    on path (d), its denied claim sent to ClaimsSupport. Closed lines are left out.
    """
    recoupment = _locked(recoupment_id)
    _check(recoupment, Move.CONFIRM_PAYMENT)
    lines = _open_lines(recoupment)
    if not lines:
        raise DomainError("Every line is closed: nothing was paid. Close the request instead.",
                          code="ALL_CLOSED")
    mce_lines = [line for line in lines
                 if line.effective_path(recoupment) in ApprovalPath.mce_paths()]
    statuses = {line.number: (u.status if (u := line.current_update()) else "")
                for line in mce_lines}
    denied = [n for n, s in statuses.items() if s == ClaimUpdate.ClaimStatus.DENIED]
    if denied:
        raise DomainError(f"The MCE denied line(s) {', '.join(map(str, denied))}: approve "
                          f"them again on another path or close them with a reason.",
                          code="DENIED")
    unpaid = [n for n, s in statuses.items() if s != ClaimUpdate.ClaimStatus.PAID]
    if unpaid:
        raise DomainError(f"The MCE has not reported line(s) {', '.join(map(str, unpaid))} "
                          f"as paid.", code="NOT_PAID")
    recoupment.capitation_reconciliation_note = capitation_note.strip()
    recoupment.paid_on = now.astimezone(business_days.EASTERN).date()
    _record(recoupment=recoupment, move=Move.CONFIRM_PAYMENT, user=user, now=now, note=note,
            internal_note=internal_note)
    emails.payment_email(recoupment=recoupment, now=now)
    return recoupment


recoupment_payment_confirm.alters_data = True


# ----------------------------------------------------------------------------- denied lines

def _denied_line(recoupment: Recoupment, line_number: int) -> RecoupmentLine:
    """Return an open line whose paying MCE reported it denied (since its last approval)."""
    line = _line(recoupment, line_number)
    if line.is_closed:
        raise DomainError(f"Line {line.number} is already closed.", code="LINE_CLOSED")
    update = line.current_update()
    if (line.effective_path(recoupment) not in ApprovalPath.mce_paths() or update is None
            or update.status != ClaimUpdate.ClaimStatus.DENIED):
        raise DomainError(f"Line {line.number} was not denied by the MCE: only a denied line "
                          f"is approved again or closed.", code="NOT_DENIED")
    return line


@transaction.atomic
def recoupment_line_reapprove(*, recoupment_id: int, user: AbstractBaseUser, line_number: int,
                              path: str, now: datetime.datetime, paying_mce: str = "",
                              instructions: str = "", note: str = "",
                              internal_note: str = "") -> RecoupmentLine:
    """Approve a line the MCE denied on another path, (d) included, with its own clock.

    On (a)–(c) the new MCE or MBHP is instructed and has 10 business days to report; on
    (d) the provider bills MassHealth and the request goes back to "bill MassHealth"
    until the line's denied claim is recorded and sent to ClaimsSupport.
    """
    recoupment = _locked(recoupment_id)
    if path not in ApprovalPath.values:
        raise DomainError("Choose the approval: (a), (b), (c) or (d).", code="PATH")
    move = Move.REAPPROVE_MASSHEALTH if path == ApprovalPath.MASSHEALTH else Move.REAPPROVE_MCE
    _check(recoupment, move)
    line = _denied_line(recoupment, line_number)
    day0 = clocks.receipt_day(now)
    contact = None
    if move == Move.REAPPROVE_MCE:
        plan = _paying_mce(recoupment, path, paying_mce)
        if plan == (line.paying_mce or recoupment.paying_mce):
            raise DomainError(f"{plan.name} denied line {line.number}: choose another MCE, "
                              f"MBHP or MassHealth.", code="PAYING_MCE")
        contact = MceContact.objects.filter(plan=plan).first()
        if contact is None:
            raise DomainError(f"No recoupment contact e-mail is set for {plan.name}: add it "
                              f"under MCE recoupment contacts first.", code="MCE_CONTACT")
        line.paying_mce = plan
        line.due_on = clocks.due_after(day0, MCE_UPDATE_DAYS)
        recoupment.mce_update_due = max(filter(None, (recoupment.mce_update_due, line.due_on)))
        payer = plan.name
    else:
        line.paying_mce = None
        line.due_on = clocks.due_after(day0, PAYMENT_DAYS)
        payer = "MassHealth"
    recoupment.payment_due = max(recoupment.payment_due, line.due_on)
    line.path = path
    line.reapproved_at = now
    line.save()
    _record(recoupment=recoupment, move=move, user=user, now=now,
            note=(f"Line {line.number}: {ApprovalPath(path).label}: {payer}, target "
                  f"{line.due_on:%m/%d/%Y}. {note}").strip(), internal_note=internal_note)
    if contact is not None:
        emails.line_mce_instructions_email(recoupment=recoupment, line=line, to=contact.email,
                                           instructions=instructions.strip(), now=now)
    emails.line_decision_email(recoupment=recoupment, line=line, note=note.strip(), now=now)
    return line


@transaction.atomic
def recoupment_line_close(*, recoupment_id: int, user: AbstractBaseUser, line_number: int,
                          reason: str, now: datetime.datetime,
                          internal_note: str = "") -> RecoupmentLine:
    """Close a line the MCE denied, without reimbursement; the provider is told why."""
    recoupment = _locked(recoupment_id)
    _check(recoupment, Move.CLOSE_LINE)
    line = _denied_line(recoupment, line_number)
    reason = reason.strip()
    if not reason:
        raise DomainError("Give the reason the line is closed: the provider reads it.",
                          code="REASON")
    line.closed_reason, line.closed_at = reason, now
    line.save()
    _record(recoupment=recoupment, move=Move.CLOSE_LINE, user=user, now=now,
            note=f"Line {line.number} closed: {reason}", internal_note=internal_note)
    emails.line_decision_email(recoupment=recoupment, line=line, note="", now=now)
    return line


@transaction.atomic
def recoupment_close(*, recoupment_id: int, user: AbstractBaseUser, now: datetime.datetime,
                     note: str = "", internal_note: str = "") -> Recoupment:
    """Close a request whose every line was closed: nothing is paid, the clocks stop."""
    recoupment = _locked(recoupment_id)
    _check(recoupment, Move.CLOSE_REQUEST)
    still_open = [line.number for line in _open_lines(recoupment)]
    if still_open:
        raise DomainError(f"Line(s) {', '.join(map(str, still_open))} are still open: close "
                          f"a request only when every line is closed.", code="LINES_OPEN")
    _record(recoupment=recoupment, move=Move.CLOSE_REQUEST, user=user, now=now, note=note,
            internal_note=internal_note)
    emails.closed_email(recoupment=recoupment, note=note.strip(), now=now)
    return recoupment

