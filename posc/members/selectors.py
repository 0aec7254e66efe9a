"""Reads of members, plans and spans."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q, QuerySet

from posc.members.models import (
    Member,
    MemberLink,
    Plan,
    Program,
    Provider,
    ProviderLink,
    RateCell,
)


@functools.cache
def _links_sql(user: str = "%(user)s") -> str:
    """Return the query behind _load_links: one row per link, then the permission names.

    *user* is the SQL expression of the user's id: a parameter, or a column of an outer
    query (links_json_sql).
    """
    user_model = get_user_model()
    perm, ctype = Permission._meta.db_table, ContentType._meta.db_table
    user_perms = user_model._meta.get_field("user_permissions").remote_field.through
    groups = user_model._meta.get_field("groups").remote_field.through
    group_perms = groups._meta.get_field("group").related_model._meta.get_field(
        "permissions").remote_field.through
    # The permission names as ModelBackend reads them (app_label.codename), by source.
    named = (f"JOIN {perm} perm ON perm.id = {{t}}.permission_id"
             f" JOIN {ctype} ct ON ct.id = perm.content_type_id")
    return f"""
        SELECT 0, l.provider_id, p.id, p.name, p.program, v.id, v.name, v.npi
        FROM {ProviderLink._meta.db_table} l
        LEFT JOIN {Plan._meta.db_table} p ON p.provider_id = l.provider_id
        LEFT JOIN {Provider._meta.db_table} v ON v.provider_id = l.provider_id
        WHERE l.user_id = {user}
        UNION ALL
        SELECT 1, ct.app_label || '.' || perm.codename, NULL, NULL, NULL, NULL, NULL, NULL
        FROM {user_perms._meta.db_table} up {named.format(t="up")}
        WHERE up.{user_perms._meta.get_field(user_model._meta.model_name).column} = {user}
        UNION ALL
        SELECT 2, ct.app_label || '.' || perm.codename, NULL, NULL, NULL, NULL, NULL, NULL
        FROM {groups._meta.db_table} ug
        JOIN {group_perms._meta.db_table} gp ON gp.group_id = ug.group_id
        {named.format(t="gp")}
        WHERE ug.{groups._meta.get_field(user_model._meta.model_name).column} = {user}
        ORDER BY 1, 2"""


def _load_links(user: AbstractBaseUser) -> None:
    """Read the user's provider IDs, their plans and providers, and the user's permissions in
    one query; cache them on the user.

    Every portal page needs them (the left menu, the panels' guards, the menu's permission
    checks), so they cost one round trip per request rather than three. A user loaded from
    the session (posc.auth_backends.PortalBackend.get_user) already has them: the same rows
    come back with the user's own row, in the statement that reads it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_links_sql(), {"user": user.pk})
        links_cache(user, cursor.fetchall())


def links_json_sql(user: str) -> str:
    """Return a scalar subquery: the rows of _load_links for the user whose id is the SQL
    expression *user* (a column of the outer query), as one JSON array (null for none).

    posc.auth_backends reads them with the user's own row, in the same statement.
    """
    return (f"(SELECT json_agg(json_build_array(k, a, b, c, d, e, f, g) ORDER BY k, a)"
            f" FROM ({_links_sql(user)}) AS x(k, a, b, c, d, e, f, g))")


def links_cache(user: AbstractBaseUser, rows) -> None:
    """Cache _links_sql's *rows* (kind, provider ID or permission, plan and provider columns)
    on *user*, as _load_links does.

    The permissions fill the caches of Django's ModelBackend (the same sets it would read, in
    two more queries), unless it already read them; a superuser's are left to it (it grants
    them all).
    """
    links = [row[1:] for row in rows if row[0] == 0]
    user._provider_ids = frozenset(row[0] for row in links)
    user._plans = [Plan(pk=pk, provider_id=provider_id, name=name, program=program)
                   for provider_id, pk, name, program, *_ in links if pk is not None]
    user._providers = [Provider(pk=pk, provider_id=provider_id, name=name, npi=npi)
                       for provider_id, *_, pk, name, npi in links if pk is not None]
    if not getattr(user, "is_superuser", False):
        for kind, cache in ((1, "_user_perm_cache"), (2, "_group_perm_cache")):
            if not hasattr(user, cache):
                setattr(user, cache, {row[1] for row in rows if row[0] == kind})


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


def user_provider_list(*, user: AbstractBaseUser) -> list[Provider]:
    """Return the non-plan providers the user acts for, by provider ID (cached on the user)."""
    if getattr(user, "_providers", None) is None:
        _load_links(user)
    return user._providers


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


# ------------------------------------------------------------------ linked Member IDs

def person_ctes() -> str:
    """Return the CTEs ``person`` (the primary ID of %(member_id)s) and ``person_ids``.

    A person is one primary ID and its active secondaries (MemberLink). The typed ID is
    always among ``person_ids``, also when it names no member. Public so that a query of
    another module reads the person in the same round trip (enrollment/selectors.py).
    """
    link = MemberLink._meta.db_table
    return f"""
        person AS (
            SELECT COALESCE((SELECT l.primary_id FROM {link} l
                             WHERE l.secondary_id = %(member_id)s AND l.unlinked_at IS NULL),
                            %(member_id)s) AS primary_id),
        person_ids AS (
            SELECT primary_id AS member_id FROM person
            UNION SELECT l.secondary_id FROM {link} l JOIN person p
                  ON l.primary_id = p.primary_id AND l.unlinked_at IS NULL
            UNION SELECT %(member_id)s)"""


def person_lock(*, member_id: str) -> tuple[str, ...]:
    """Lock the member rows of the person *member_id* belongs to; return their IDs.

    One query. The primary ID's row is locked first, then the others in Member ID order:
    every writer that touches a person's spans or links takes that order, so two of them
    never wait on each other in a circle, and all of them queue on the primary row.
    Empty when *member_id* names no member. The set is read when the query starts: a
    caller compares it with the person it reads after the lock (a link made meanwhile).
    """
    sql = f"""WITH {person_ctes()}
        SELECT m.member_id FROM {Member._meta.db_table} m CROSS JOIN person p
        WHERE m.member_id IN (SELECT member_id FROM person_ids)
        ORDER BY m.member_id <> p.primary_id, m.member_id
        FOR UPDATE OF m"""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"member_id": member_id})
        return tuple(row[0] for row in cursor.fetchall())


def person_of(*, member_id: str) -> tuple[str, tuple[str, ...]]:
    """Return the primary ID of *member_id*'s person and all its IDs, primary first."""
    sql = f"""WITH {person_ctes()}
        SELECT p.primary_id, i.member_id FROM person p CROSS JOIN person_ids i
        ORDER BY i.member_id <> p.primary_id, i.member_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"member_id": member_id})
        rows = cursor.fetchall()
    return rows[0][0], tuple(row[1] for row in rows)


def member_links(*, member_id: str) -> QuerySet[MemberLink]:
    """Return every link, active or undone, in which *member_id* is primary or secondary."""
    return (MemberLink.objects.filter(Q(primary_id=member_id) | Q(secondary_id=member_id))
            .select_related("linked_by", "unlinked_by").order_by("-linked_at", "-pk"))
