"""Workspace variables: named JSON values read with `Variable.get` (concurrency.md §6)."""

from __future__ import annotations

from django.db import models

from flowruns.models.base import TimestampedModel

MAX_NAME_LENGTH = 255


class Variable(TimestampedModel):
    name = models.CharField(max_length=MAX_NAME_LENGTH, unique=True)
    # Any JSON value, `null` included (stored as JSON null, not SQL NULL, unless absent).
    value = models.JSONField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "variable"
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name
