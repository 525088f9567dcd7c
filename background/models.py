"""What the admin shows about the background services.

`ServiceState`: one row per service, rewritten by every pass (one UPDATE): its switch and
interval, the last pass's numbers, and which `run_services` process (host, pid) ran it.
`ServiceRun`: the history, but only of passes that changed something or failed; passes that
found nothing leave no row, and the runner prunes rows older than a week or beyond a cap
(`background.records`).
"""

from __future__ import annotations

from django.db import models


class ServiceState(models.Model):
    name = models.CharField(max_length=100, primary_key=True)
    enabled = models.BooleanField(default=True)
    interval_seconds = models.FloatField(default=0)
    last_started = models.DateTimeField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_examined = models.PositiveIntegerField(default=0)
    last_changed = models.PositiveIntegerField(default=0)
    last_failed = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    last_notes = models.TextField(blank=True, default="")
    # The start of the last pass that changed or failed something (its history row).
    last_activity = models.DateTimeField(null=True, blank=True)
    host = models.CharField(max_length=255, blank=True, default="")
    pid = models.PositiveIntegerField(null=True, blank=True)
    updated = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name",)
        verbose_name = "service"

    def __str__(self) -> str:
        return self.name


class ServiceRun(models.Model):
    id = models.BigAutoField(primary_key=True)
    service = models.CharField(max_length=100)
    started = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    examined = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    notes = models.TextField(blank=True, default="")
    host = models.CharField(max_length=255, blank=True, default="")
    pid = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("-started", "-id")
        verbose_name = "service pass"
        verbose_name_plural = "service history"
        indexes = [
            models.Index(fields=["started"], name="service_run_started"),
            models.Index(fields=["service", "started"], name="service_run_service_started"),
        ]

    def __str__(self) -> str:
        return f"{self.service} at {self.started:%Y-%m-%d %H:%M:%S}"
