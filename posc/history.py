"""Append-only tables: a history or event row is written once and never changed or deleted.

Every history table of the portal (the audit log, case history, recoupment events, claim
updates, QC vetting batches, enrollment transactions) takes its model and queryset from
here, so that the ORM refuses the same writes on each: ``save`` of an existing row,
``delete`` of a row, and a queryset's ``update``, ``bulk_update`` and ``delete``.
HIPAA 45 CFR 164.312(b); ASVS 4.0.3 7.3.3 (a record protected from modification).
"""

from django.db import models


class AppendOnlyError(TypeError):
    """Code tried to change or delete a row of an append-only table (a bug: never done)."""


class AppendOnlyQuerySet(models.QuerySet):
    """Inserts and reads only."""

    def _refuse(self, verb: str):
        raise self.model.append_only_error(
            f"{self.model._meta.verbose_name_plural} are append-only: rows are never {verb}.")

    def update(self, **kwargs):
        self._refuse("changed")

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse("changed")

    def delete(self):
        self._refuse("deleted")

    def _raw_delete(self, using):
        self._refuse("deleted")

    update.alters_data = True
    bulk_update.alters_data = True
    delete.alters_data = True


class AppendOnlyModel(models.Model):
    """A row that is inserted once; ``save`` of an existing row and ``delete`` raise."""

    # The exception raised on a refused write (the audit log keeps its own subclass).
    append_only_error: type[AppendOnlyError] = AppendOnlyError

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise self.append_only_error(
                f"{self._meta.verbose_name_plural} are append-only: rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.append_only_error(
            f"{self._meta.verbose_name_plural} are append-only: rows are never deleted.")

    save.alters_data = True
    delete.alters_data = True
