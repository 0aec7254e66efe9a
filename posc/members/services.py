"""Link and unlink two Member IDs of one person (Enrollment Operations, in the admin).

Job aid "Reporting Multiple IDs" (seed 004): a member may hold more than one MassHealth ID
(domain.md D3: the State Auditor reviewed capitation paid for members with several IDs).
Enrollment Operations records that two IDs are the same person; from then on the MMIS
rules see the person, not the ID (docs/eligibility.md, "Several Member IDs for one person").

A person is one primary ID and its secondaries: a star, never a chain. Linking is refused
when the two IDs have SCO or One Care spans that overlap, because the database's exclusion
constraint (one such span at a time) is per Member ID and cannot see links: the services
hold that rule across a person's IDs under row locks instead (see ``member_link``).

Every service follows docs/architecture.md: lock, guard (DomainError with a stable code),
change, history row (MemberLinkEvent, append-only), audit row.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from posc.exceptions import DomainError
from posc.members.models import EnrollmentSpan, Member, MemberLink, MemberLinkEvent, Program

# Stable refusal codes of member_link and member_unlink.
SAME_ID = "LINK_SAME_ID"
UNKNOWN_ID = "LINK_UNKNOWN_ID"
ALREADY_LINKED = "LINK_ALREADY_LINKED"
CHAIN = "LINK_CHAIN"
OVERLAP = "LINK_OVERLAP"
NOT_LINKED = "LINK_NOT_LINKED"
REASON = "LINK_REASON"

AUDIT_OBJECT = "member link"


def _reason(reason: str) -> str:
    """Return *reason* trimmed; refuse an empty one (who, when and why are all recorded)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Give the reason.", code=REASON)
    if len(reason) > 255:
        raise DomainError("Give the reason in at most 255 characters.", code=REASON)
    return reason


def _rows_lock(member_ids: list[str]) -> list[str]:
    """Lock the member rows of *member_ids* in Member ID order; return the IDs found."""
    return list(Member.objects.select_for_update().filter(pk__in=member_ids)
                .order_by("pk").values_list("pk", flat=True))


def _active_secondaries(primary_id: str) -> list[str]:
    return list(MemberLink.objects.filter(primary_id=primary_id, unlinked_at__isnull=True)
                .order_by("secondary_id").values_list("secondary_id", flat=True))


def spans_overlap(*, member_ids: list[str], other_ids: list[str]) -> bool:
    """Return True when an SCO or One Care span of *member_ids* overlaps one of *other_ids*.

    Cancelled spans never took effect (mmis-rules.md) and are left out; an open end is
    infinity, as in the exclusion constraint ``span_no_overlap_integrated``.
    """
    table = EnrollmentSpan._meta.db_table
    sql = f"""SELECT EXISTS (
        SELECT 1 FROM {table} a JOIN {table} b
          ON daterange(a.start_date, a.end_date, '[]') && daterange(b.start_date, b.end_date, '[]')
        WHERE a.member_id = ANY(%(one)s) AND b.member_id = ANY(%(two)s)
          AND NOT a.cancelled AND NOT b.cancelled
          AND a.program = ANY(%(programs)s) AND b.program = ANY(%(programs)s))"""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"one": member_ids, "two": other_ids,
                             "programs": list(Program.integrated())})
        return cursor.fetchone()[0]


@transaction.atomic(durable=True)
def member_link(*, primary_id: str, secondary_id: str, reason: str, actor: AbstractBaseUser,
                now: datetime.datetime) -> MemberLink:
    """Record that *secondary_id* is another Member ID of the person whose primary ID is
    *primary_id*; return the new link.

    Locks: both rows in Member ID order (each is the primary of its own person when the link
    is allowed), then the primary's current secondaries in Member ID order. Every change
    to a person's links locks that person's primary row, so the secondaries read after the
    first lock cannot change until this transaction ends, and a Submit for any ID of the
    person (enrollment.services, which also locks the primary row first) waits for it.
    """
    reason = _reason(reason)
    primary_id, secondary_id = (primary_id or "").strip(), (secondary_id or "").strip()
    if primary_id == secondary_id:
        raise DomainError("A Member ID cannot be linked to itself.", code=SAME_ID)
    found = _rows_lock([primary_id, secondary_id])
    for member_id in (primary_id, secondary_id):
        if member_id not in found:
            raise DomainError(f"No member has Member ID {member_id}.", code=UNKNOWN_ID)
    secondaries = _active_secondaries(primary_id)
    _rows_lock(secondaries)
    # Guards, read after the locks (READ COMMITTED: each query sees what committed before it).
    held = (MemberLink.objects.filter(secondary_id=secondary_id, unlinked_at__isnull=True)
            .values_list("primary_id", flat=True).first())
    if held is not None:
        raise DomainError(f"Member ID {secondary_id} is already linked to primary Member ID "
                          f"{held}; unlink it first.", code=ALREADY_LINKED)
    above = (MemberLink.objects.filter(secondary_id=primary_id, unlinked_at__isnull=True)
             .values_list("primary_id", flat=True).first())
    if above is not None:
        raise DomainError(f"Member ID {primary_id} is itself linked to primary Member ID "
                          f"{above}; link to {above} instead.", code=CHAIN)
    if MemberLink.objects.filter(primary_id=secondary_id, unlinked_at__isnull=True).exists():
        raise DomainError(f"Member ID {secondary_id} is the primary ID of other Member IDs; "
                          "a secondary ID cannot be primary elsewhere. Unlink those first.",
                          code=CHAIN)
    if spans_overlap(member_ids=[secondary_id], other_ids=[primary_id, *secondaries]):
        raise DomainError(f"Member IDs {primary_id} and {secondary_id} have SCO or One Care "
                          "enrollments at the same time; one of them must be ended or "
                          "cancelled before the IDs are linked.", code=OVERLAP)
    link = MemberLink.objects.create(primary_id=primary_id, secondary_id=secondary_id,
                                     reason=reason, linked_by=actor, linked_at=now)
    MemberLinkEvent.objects.create(link=link, kind=MemberLinkEvent.Kind.LINK,
                                   primary_member_id=primary_id,
                                   secondary_member_id=secondary_id, at=now, by=actor,
                                   reason=reason)
    audit_record(AuditAction.CREATE, AUDIT_OBJECT, str(link.pk),
                 member_ids=[primary_id, secondary_id],
                 detail=f"linked {secondary_id} to primary {primary_id}", user=actor)
    return link


@transaction.atomic(durable=True)
def member_unlink(*, link: MemberLink, reason: str, actor: AbstractBaseUser,
                  now: datetime.datetime) -> MemberLink:
    """Undo *link*: its two Member IDs are two persons again. The row is kept (who, when
    and why it was made and undone); linking them again makes a new link.

    Locks the primary row first, then the secondary, as a Submit does.
    """
    reason = _reason(reason)
    _rows_lock([link.primary_id])
    _rows_lock([link.secondary_id])
    link = MemberLink.objects.select_for_update().get(pk=link.pk)
    if not link.active:
        raise DomainError(f"Member IDs {link.secondary_id} and {link.primary_id} are not "
                          "linked any more.", code=NOT_LINKED)
    link.unlinked_at, link.unlinked_by, link.unlink_reason = now, actor, reason
    link.save(update_fields=["unlinked_at", "unlinked_by", "unlink_reason", "updated_at"])
    MemberLinkEvent.objects.create(link=link, kind=MemberLinkEvent.Kind.UNLINK,
                                   primary_member_id=link.primary_id,
                                   secondary_member_id=link.secondary_id, at=now, by=actor,
                                   reason=reason)
    audit_record(AuditAction.CHANGE, AUDIT_OBJECT, str(link.pk),
                 member_ids=[link.primary_id, link.secondary_id],
                 detail=f"unlinked {link.secondary_id} from primary {link.primary_id}",
                 user=actor)
    return link


member_link.alters_data = True
member_unlink.alters_data = True
