"""Abstract models shared by every app."""

from django.db import models


class BaseModel(models.Model):
    """Creation and update timestamps."""

    created_at = models.DateTimeField("created at", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        abstract = True
