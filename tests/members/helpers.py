"""Helpers of the member tests: link two Member IDs, enroll a member, a plan's clerk."""

import datetime
import uuid

from enrollment.models import EnrollmentTransaction
from enrollment.services import enrollment_submit
from posc.members.demo import CCA_SCO
from posc.members.models import Member, MemberLink, ProviderLink
from posc.members.services import member_link
from tests.factories import UserFactory

TODAY = datetime.date(2026, 11, 22)
NOW = datetime.datetime(2026, 11, 22, 15, 0, tzinfo=datetime.UTC)


def link(primary: Member, secondary: Member, actor,
         reason: str = "Member reported a second MassHealth ID") -> MemberLink:
    """Link *secondary*'s Member ID to *primary*'s as *actor* did at NOW."""
    return member_link(primary_id=primary.pk, secondary_id=secondary.pk, reason=reason,
                       actor=actor, now=NOW)


def enroll(user, member: Member, provider_id: str = CCA_SCO) -> EnrollmentTransaction:
    """Submit an SCO enrollment of *member* with *provider_id* as *user*, on TODAY."""
    return enrollment_submit(token=uuid.uuid4(), program="SCO", provider_id=provider_id,
                             member=member, last_name=member.last_name,
                             first_name=member.first_name, actor=user, today=TODAY)


def plan_clerk(username: str, provider_id: str):
    """Return a new provider-staff user linked to *provider_id*."""
    user = UserFactory(username=username, email=f"{username}@provider.example")
    ProviderLink.objects.create(user=user, provider_id=provider_id)
    return user
