"""Append-only audit trails (a booking's events, a claim's): rows written once, in the transaction of the change
they record, and never changed or removed afterwards."""

from django.db import models


class AuditTrailImmutable(ValueError):
    """Raised on any attempt to change or remove an event of an audit trail."""


def _refuse(model: type[models.Model]) -> AuditTrailImmutable:
    return AuditTrailImmutable(f"{model._meta.object_name} rows are an append-only audit trail: they never change.")


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused like single ones. Each trail's migration also installs database
    triggers that refuse them, for SQL that does not go through this class."""

    def update(self, **kwargs):
        raise _refuse(self.model)

    def delete(self):
        raise _refuse(self.model)

    def bulk_update(self, objs, fields, batch_size=None):
        raise _refuse(self.model)


class AppendOnlyModel(models.Model):
    """An event of an audit trail: saved once, then refused any save or delete. Its foreign keys are expected to
    PROTECT, so that no cascade removes an event either."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise _refuse(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _refuse(type(self))
