"""Per-user API keys (hashed by djangorestframework-api-key) and the log of deletions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey

from .levels import PERMISSIONS, Level


class APIKey(AbstractAPIKey):
    """A key `<prefix>.<secret>`: only the prefix and a SHA-512 of the whole key are stored.

    The key acts as its user: the user's `access.api_*` permissions decide what it may do, and
    a deactivated user's keys stop working."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(AbstractAPIKey.Meta):
        db_table = "api_key"
        permissions = [
            (PERMISSIONS[Level.READ], "API: read (GET and the filter/count routes)"),
            (PERMISSIONS[Level.WRITE], "API: write (run flows: create runs, set states, logs)"),
            (PERMISSIONS[Level.BULK], "API: bulk and destructive routes (deletes, bulk_*)"),
        ]


class DeletionRecord(models.Model):
    """One deletion (a row per call, or per batch of a batched deletion): what, and who."""

    class Kind(models.TextChoices):
        FLOW = "flow", "flow"
        FLOW_RUN = "flow_run", "flow runs"
        TASK_RUN = "task_run", "task run"
        FLOW_RUN_INPUT = "flow_run_input", "flow-run input"

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.TextField(null=True, blank=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    count = models.IntegerField()
    object_ids = models.JSONField(default=list, help_text="Ids of the deleted rows.")
    description = models.TextField(blank=True, default="")

    class Meta:
        db_table = "deletion_record"
        ordering = ("-created",)

    def __str__(self) -> str:
        return f"{self.count} {self.get_kind_display()} by {self.actor or 'anonymous'}"
