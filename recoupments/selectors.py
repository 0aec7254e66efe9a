"""Reads of recoupment requests: the provider's own list, one request, the research spans."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet

from posc.members.models import EnrollmentSpan, Member, Provider
from posc.members.selectors import user_provider_list
from recoupments.models import ClaimUpdate, Recoupment, RecoupmentLine


def user_recoupment_providers(*, user: AbstractBaseUser) -> list[Provider]:
    """Return the non-plan providers the user acts for (demo-data.md: the submitters)."""
    # The links query every page already makes reads them (no query of their own).
    return user_provider_list(user=user) if user.is_authenticated else []


def user_recoupment_provider_ids(*, user: AbstractBaseUser) -> list[str]:
    """Return the provider IDs the user may submit recoupments for, in order."""
    return [p.provider_id for p in user_recoupment_providers(user=user)]


def recoupment_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Recoupment]:
    """Return the requests of the user's providers, newest first."""
    return (Recoupment.objects.filter(provider_id__in=user_recoupment_provider_ids(user=user))
            .order_by("-submitted_at"))


def recoupment_for_user(*, user: AbstractBaseUser, reference: str) -> Recoupment | None:
    """Return one of the user's providers' requests with its lines, claims and history."""
    lines = RecoupmentLine.objects.select_related("denied_claim").prefetch_related(
        Prefetch("updates", queryset=ClaimUpdate.objects.order_by("recorded_at", "pk")),
        "denied_claim__edits")
    return (recoupment_list_for_user(user=user).filter(reference=reference)
            .select_related("paying_mce", "submitted_by")
            .prefetch_related("mces", Prefetch("lines", queryset=lines),
                              "events__actor").first())


@dataclass
class DateCoverage:
    line: RecoupmentLine
    spans: list[EnrollmentSpan]


@dataclass
class MemberResearch:
    member_id: str
    member: Member | None
    dates: list[DateCoverage] = field(default_factory=list)


def research_spans(*, recoupment: Recoupment) -> list[MemberResearch]:
    """For each Member ID, list the enrollment spans covering each line's date of service."""
    members = Member.objects.in_bulk(recoupment.member_ids)
    spans = list(EnrollmentSpan.objects.filter(member_id__in=recoupment.member_ids,
                                               cancelled=False)
                 .select_related("plan").order_by("member_id", "start_date"))
    lines = list(recoupment.lines.order_by("number"))
    result = []
    for member_id in recoupment.member_ids:
        own = [s for s in spans if s.member_id == member_id]
        result.append(MemberResearch(
            member_id=member_id, member=members.get(member_id),
            dates=[DateCoverage(line=line, spans=[s for s in own if s.covers(line.date_of_service)])
                   for line in lines]))
    return result


def research_summary(*, recoupment: Recoupment) -> str:
    """Return the research listing as text, the starting point of ops' documentation."""
    out = []
    for item in research_spans(recoupment=recoupment):
        name = item.member.full_name if item.member else "no member record with this ID"
        out.append(f"Member ID {item.member_id} ({name}):")
        for cover in item.dates:
            plans = "; ".join(
                f"{s.plan.name} {s.plan.provider_id} {s.start_date:%m/%d/%Y}–"
                f"{s.end_date.strftime('%m/%d/%Y') if s.end_date else 'open'}"
                for s in cover.spans) or "no managed-care enrollment"
            out.append(f"  {cover.line.date_of_service:%m/%d/%Y} (line {cover.line.number}): "
                       f"{plans}")
    return "\n".join(out)


