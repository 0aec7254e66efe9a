"""Tracker reads: the cases each role may see, the queues, and the reports built on history."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from crm_tracker.models import Case, CaseHistory, CaseStatus, CaseType
from crm_tracker.workflow import (
    MONITOR_QUEUE,
    OUTREACH_QUEUE,
    PLAN_SELECTED_IN_ERROR,
    QC_QUEUE,
)

# Seed 003, "Report Filters": dispositions Plan Selected in Error and MCO Updated are the
# cases that need to be vetted and processed by the State Monitors. The report filters on
# the case's Disposition as it is now: QC's relabel (Plan Selection Corrected, Outreach
# Required) changes it, and the case leaves the report (issue 13, point 9).
QC_REPORT_DISPOSITIONS = (PLAN_SELECTED_IN_ERROR, "MCO Updated")
TRUE_DISPOSITION = "Plan Selection Corrected"
FALSE_DISPOSITION = "Outreach Required"

_RELATED = ("record_type", "category", "sub_category", "disposition", "child_disposition",
            "csr_disposition", "status", "owner_queue", "owner_user", "work_queue",
            "requested_plan", "created_by", "outreach_supervisor")


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(*_RELATED).order_by("-case_number")


def case_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Case]:
    """Return the cases *user* may see: by role, the union of what each part needs."""
    if user.has_perm("crm_tracker.view_all_cases"):
        return _cases()
    scope = Q(pk__in=[])
    if user.has_perm("crm_tracker.intake_case"):
        scope |= Q(created_by=user)
    if user.has_perm("crm_tracker.monitor_case"):
        scope |= Q(vetting="TRUE") | Q(mmis_result__gt="")
    if user.has_perm("crm_tracker.outreach_case"):
        scope |= Q(created_by__crm_supervision__supervisor=user) | Q(outreach_supervisor=user)
    return _cases().filter(scope)


def case_get_for_user(*, user: AbstractBaseUser, number: str) -> Case | None:
    """Return case *number* if *user* may see it."""
    return case_list_for_user(user=user).filter(case_number=int(number)).first()


def qc_queue() -> QuerySet[Case]:
    return _cases().filter(work_queue__name=QC_QUEUE).order_by("case_number")


def monitor_queue() -> QuerySet[Case]:
    return _cases().filter(work_queue__name=MONITOR_QUEUE).order_by("case_number")


def outreach_queue(*, user: AbstractBaseUser) -> QuerySet[Case]:
    """Return the cases waiting for *user*'s outreach (their CSRs' cases)."""
    return _cases().filter(work_queue__name=OUTREACH_QUEUE,
                           outreach_supervisor=user).order_by("case_number")


def team_cases(*, user: AbstractBaseUser) -> QuerySet[Case]:
    """Return every case opened by a CSR of *user*'s team."""
    return _cases().filter(created_by__crm_supervision__supervisor=user)


def supervisor_requested(*, user: AbstractBaseUser) -> QuerySet[Case]:
    """Return *user*'s team cases whose consumer asked for a Supervisor (seed 003 question).

    Open cases (not in a closed status) first, then the newest; at most 200.
    """
    team = Q(created_by__crm_supervision__supervisor=user) | Q(outreach_supervisor=user)
    return _cases().filter(team, supervisor_requested=True).order_by(
        "status__is_closed", "-case_number")[:200]


def queue_arrival() -> Coalesce:
    """When each case came to wait where it waits: its last "Waiting in" history row.

    A case opened straight into its queue has no such row; its creation is the moment.
    """
    last = (CaseHistory.objects.filter(case=OuterRef("pk"), field="work_queue")
            .order_by("-changed_at", "-pk").values("changed_at")[:1])
    return Coalesce(Subquery(last), F("created_at"))


def cases_narrowed(cases: QuerySet[Case], *, case_type: str = "", disposition: str = "",
                   arrived_from: datetime.datetime | None = None,
                   arrived_before: datetime.datetime | None = None,
                   attempts: int | None = None) -> QuerySet[Case]:
    """Return *cases* narrowed as a dashboard figure asks (issue 18: the list behind it)."""
    if case_type:
        cases = cases.filter(case_type=case_type)
    if disposition:
        cases = cases.filter(disposition__name=disposition)
    if attempts is not None:
        cases = cases.filter(outreach_attempts=attempts)
    if arrived_from or arrived_before:
        cases = cases.annotate(arrived=queue_arrival())
        if arrived_from:
            cases = cases.filter(arrived__gte=arrived_from)
        if arrived_before:
            cases = cases.filter(arrived__lt=arrived_before)
    return cases


def csr_choices() -> QuerySet:
    """Return the users who opened tracker cases (the QC report's CSR filter)."""
    return get_user_model().objects.filter(crm_cases_created__isnull=False).distinct().order_by(
        "username")


def qc_report(*, case_type: str = "", date_from: datetime.date | None = None,
              date_to: datetime.date | None = None, csr: AbstractBaseUser | None = None,
              waiting: bool = False) -> tuple[QuerySet[Case], list[tuple[str, int]]]:
    """Return the QC report's cases and the count per case type (all four, zeros included).

    *waiting* gives the "Waiting for QC" view: every case waiting in QC's queue, the cases
    the State Monitor returned not processed included (they wait for QC's relabel).
    """
    if waiting:
        rows = _cases().filter(work_queue__name=QC_QUEUE)
    else:
        rows = _cases().filter(disposition__name__in=QC_REPORT_DISPOSITIONS)
    if case_type:
        rows = rows.filter(case_type=case_type)
    if date_from:
        rows = rows.filter(created_at__date__gte=date_from)
    if date_to:
        rows = rows.filter(created_at__date__lte=date_to)
    if csr is not None:
        rows = rows.filter(created_by=csr)
    counted = dict(rows.order_by().values_list("case_type").annotate(n=Count("pk")))
    counts = [(label, counted.get(value, 0)) for value, label in CaseType.choices]
    return rows, counts


@dataclass(frozen=True)
class RelabelRate:
    group: str
    vetted: int
    relabelled: int

    @property
    def rate(self) -> str:
        return f"{100 * self.relabelled / self.vetted:.0f}%" if self.vetted else "–"


def relabel_rates(*, team_of: AbstractBaseUser | None = None
                  ) -> tuple[list[RelabelRate], list[RelabelRate]]:
    """Return QC relabel rates by original case type and by CSR, from the history rows.

    With *team_of* (a Supervisor), only the cases of that Supervisor's CSRs count: a
    Supervisor sees the own team's rates, not other teams' staff (least privilege).

    A case is vetted once history shows QC setting the True or False disposition; it is
    relabelled when QC set "Outreach Required" (not a true tracker case, or not processed).
    """
    marks = CaseHistory.objects.filter(
        field="disposition", new_value__in=(TRUE_DISPOSITION, FALSE_DISPOSITION)
    ).values_list("case_id", "new_value")
    vetted: set[int] = set()
    relabelled: set[int] = set()
    for case_id, value in marks:
        vetted.add(case_id)
        if value == FALSE_DISPOSITION:
            relabelled.add(case_id)
    cases = Case.objects.filter(pk__in=vetted)
    if team_of is not None:
        cases = cases.filter(created_by__crm_supervision__supervisor=team_of)
    cases = cases.values_list("pk", "case_type", "created_by__username")
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_csr: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pk, case_type, csr in cases:
        for bucket, key in ((by_type, CaseType(case_type).label), (by_csr, csr)):
            bucket[key][0] += 1
            bucket[key][1] += pk in relabelled
    type_rows = [RelabelRate(label, *by_type.get(label, [0, 0])) for label in CaseType.labels]
    csr_rows = [RelabelRate(csr, *counts) for csr, counts in sorted(by_csr.items())]
    return type_rows, csr_rows


@dataclass(frozen=True)
class StatusTime:
    status: str
    is_closed: bool
    periods: int
    total: datetime.timedelta

    @property
    def average_days(self) -> str:
        if not self.periods:
            return "–"
        return f"{self.total.total_seconds() / self.periods / 86400:.1f}"

    @property
    def total_days(self) -> str:
        return f"{self.total.total_seconds() / 86400:.1f}"


def time_in_status(*, now: datetime.datetime,
                   team_of: AbstractBaseUser | None = None) -> list[StatusTime]:
    """Return the time cases spent in each status, from the status history rows.

    Each row opens a period that the case's next status row closes; the last period of a
    case runs until *now* (CaseHistory2-style status deltas, domain.md G). With *team_of*
    (a Supervisor), only that Supervisor's CSRs' cases count, as in relabel_rates.
    """
    totals: dict[str, datetime.timedelta] = defaultdict(datetime.timedelta)
    periods: dict[str, int] = defaultdict(int)
    current: dict[int, tuple[str, datetime.datetime]] = {}
    rows = CaseHistory.objects.filter(field="status").order_by("case_id", "changed_at", "pk")
    if team_of is not None:
        rows = rows.filter(case__created_by__crm_supervision__supervisor=team_of)
    for case_id, value, at in rows.values_list("case_id", "new_value", "changed_at"):
        if case_id in current:
            status, since = current[case_id]
            totals[status] += at - since
            periods[status] += 1
        current[case_id] = (value, at)
    for status, since in current.values():
        totals[status] += now - since
        periods[status] += 1
    return [StatusTime(s.name, s.is_closed, periods.get(s.name, 0),
                       totals.get(s.name, datetime.timedelta()))
            for s in CaseStatus.objects.all()]
