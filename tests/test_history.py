"""Every history table is append-only through the ORM, by one base (posc/history.py)."""

import pytest
from django.apps import apps
from django.db import models

from audit.models import AuditEvent
from crm_tracker.models import CaseHistory, VettingBatch
from enrollment.models import (
    Acknowledgment,
    AcknowledgmentError,
    CapitationAdjustment,
    EnrollmentAdjustment,
    EnrollmentTransaction,
    Reconciliation,
    ReconciliationDifference,
)
from posc.history import AppendOnlyError, AppendOnlyModel
from posc.members.models import MemberLinkEvent
from recoupments.models import ClaimUpdate, RecoupmentEvent

HISTORY_TABLES = [AuditEvent, CaseHistory, VettingBatch, EnrollmentTransaction, RecoupmentEvent,
                  ClaimUpdate, MemberLinkEvent, Acknowledgment, AcknowledgmentError,
                  EnrollmentAdjustment, CapitationAdjustment, Reconciliation,
                  ReconciliationDifference]
tables = pytest.mark.parametrize("model", HISTORY_TABLES, ids=lambda m: m.__name__)


def existing_row(model: type[models.Model]) -> models.Model:
    """Return an instance as the ORM holds a row read from the table (no query needed)."""
    row = model(pk=1)
    row._state.adding = False
    return row


def test_every_history_or_event_table_is_listed():
    named = {m for m in apps.get_models()
             if m._meta.app_label in ("audit", "members", "enrollment", "recoupments",
                                      "crm_tracker")
             and m.__name__.endswith(("History", "Event", "Transaction", "Update"))}
    assert named <= set(HISTORY_TABLES)


@tables
def test_the_table_takes_the_append_only_base(model):
    assert issubclass(model, AppendOnlyModel)


@tables
@pytest.mark.django_db
@pytest.mark.parametrize("write", [
    lambda qs: qs.update(pk=2),
    lambda qs: qs.delete(),
    lambda qs: qs.bulk_update([], ["pk"]),
], ids=["update", "delete", "bulk_update"])
def test_the_queryset_refuses_update_and_delete(model, write):
    with pytest.raises(AppendOnlyError, match="append-only"):
        write(model.objects.all())


@tables
def test_a_row_read_back_refuses_save(model):
    with pytest.raises(AppendOnlyError, match="never changed"):
        existing_row(model).save()


@tables
def test_a_row_refuses_delete(model):
    with pytest.raises(AppendOnlyError, match="never deleted"):
        existing_row(model).delete()
