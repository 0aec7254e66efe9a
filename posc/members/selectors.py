"""Reads of members, plans and spans."""


from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import QuerySet

from posc.members.models import Plan, Program, RateCell


def _load_links(user: AbstractBaseUser) -> None:
    """Read the user's provider IDs and their plans in one query; cache both on the user.

    Every portal page needs them (the left menu, the panels' guards), so they cost one
    round trip per request rather than two.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.provider_id, p.id, p.name, p.program FROM members_providerlink l"
            " LEFT JOIN members_plan p ON p.provider_id = l.provider_id"
            " WHERE l.user_id = %s ORDER BY l.provider_id", [user.pk])
        rows = cursor.fetchall()
    user._provider_ids = frozenset(row[0] for row in rows)
    user._plans = [Plan(pk=pk, provider_id=provider_id, name=name, program=program)
                   for provider_id, pk, name, program in rows if pk is not None]


def user_provider_ids(*, user: AbstractBaseUser) -> frozenset[str]:
    """Return the provider IDs the user is linked to (cached on the user object)."""
    if getattr(user, "_provider_ids", None) is None:
        _load_links(user)
    return user._provider_ids


def user_plans(*, user: AbstractBaseUser, program: str | None = None) -> QuerySet[Plan]:
    """Return the plans the user acts for, optionally of one program."""
    plans = Plan.objects.filter(provider_id__in=user_provider_ids(user=user))
    if program:
        plans = plans.filter(program=program)
    return plans.order_by("provider_id")


def user_plan_list(*, user: AbstractBaseUser) -> list[Plan]:
    """Return the user's plans as a list, read once per request (cached on the user object)."""
    if getattr(user, "_plans", None) is None:
        _load_links(user)
    return user._plans


def user_programs(*, user: AbstractBaseUser) -> frozenset[str]:
    """Return the SCO / One Care programs the user has a plan in."""
    return frozenset(p.program for p in user_plan_list(user=user)
                     if p.program in Program.integrated())


def rate_cells_for_program(*, program: str) -> QuerySet[RateCell]:
    """Return the program's rate cells."""
    return RateCell.objects.filter(program=program).order_by("category", "region", "effective_from")
