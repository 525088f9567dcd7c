"""Columns every table shares, and the pieces runs (flow and task) have in common."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from orchestration.states import StateType, default_state_name

# `choices` for every state-type column and filter, derived from the engine's vocabulary.
# The labels are the ones TextChoices used to derive ("Scheduled"), so the migrations and
# the admin's display of these columns stay as they were.
STATE_TYPE_CHOICES: list[tuple[str, str]] = [(t.value, default_state_name(t)) for t in StateType]


class TimestampedModel(models.Model):
    """UUID primary key plus `created` and `updated` (refreshed by every service write)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    # Not indexed by default: nothing filters on it, and every state change rewrites it.
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        # A new row is created and updated at the same instant.
        self.updated = self.created if self._state.adding else timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class RunFields(models.Model):
    """The columns a flow run and a task run share; kept current by orchestration bookkeeping."""

    name = models.TextField()  # indexed with `id` by each run table (sorts, exact matches)
    state_type = models.CharField(max_length=16, choices=STATE_TYPE_CHOICES, null=True, blank=True)
    state_name = models.TextField(null=True, blank=True)
    state_timestamp = models.DateTimeField(null=True, blank=True)
    run_count = models.IntegerField(default=0)
    expected_start_time = models.DateTimeField(null=True, blank=True)
    next_scheduled_start_time = models.DateTimeField(null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    # Seconds, as a float: the wire format is float seconds, and SQL arithmetic over it
    # (history, lateness) is then the same on PostgreSQL and SQLite.
    total_run_time = models.FloatField(default=0.0)
    empirical_policy = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    labels = models.JSONField(null=True, blank=True, default=dict)

    class Meta:
        abstract = True


class StateFields(models.Model):
    """One row of a run's append-only state history."""

    # State rows are read by run (the unique (run, timestamp) index) and by id only.
    type = models.CharField(max_length=16, choices=STATE_TYPE_CHOICES)
    timestamp = models.DateTimeField()
    name = models.TextField()
    message = models.TextField(null=True, blank=True)
    state_details = models.JSONField(default=dict, blank=True)
    data = models.JSONField(null=True, blank=True)
    # Who wrote the state (`access.actors`: an API key's user, the admin user, a command);
    # null when nobody is known (the API with authentication off).
    actor = models.TextField(null=True, blank=True)

    class Meta:
        abstract = True
