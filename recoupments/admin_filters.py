"""The recoupment list's clock filters: overdue per clock, and each clock's ageing band.

The bands are recoupments.clocks' (``due_q``); the dashboard (issue 18) links each of its
figures to the list these filters give.
"""

import datetime

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest

from posc.clock import request_now, today_eastern
from recoupments.clocks import CLOCKS, DUE_BANDS, due_q, overdue_q


def _today(request: HttpRequest) -> datetime.date:
    """Return the request's Eastern date (the clock is read once per request)."""
    return today_eastern(request_now(request))


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("any", "Any target overdue")] + [
            (name, f"{clock.label} target overdue") for name, clock in CLOCKS.items()]

    def queryset(self, request, queryset):
        today = _today(request)
        if self.value() == "any":
            q = Q()
            for clock in CLOCKS:
                q |= overdue_q(clock, today)
            return queryset.filter(q)
        if self.value() in CLOCKS:
            return queryset.filter(overdue_q(self.value(), today))
        return queryset


class DueFilter(admin.SimpleListFilter):
    """A running clock's ageing band on the request's date: ``?due=research:today``."""

    title = "clock target"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [(f"{name}:{band}", f"{clock.label}: {label}")
                for name, clock in CLOCKS.items() for band, label in DUE_BANDS.items()]

    def queryset(self, request, queryset):
        name, _, band = (self.value() or "").partition(":")
        if name in CLOCKS and band in DUE_BANDS:
            return queryset.filter(due_q(name, band, _today(request)))
        return queryset
