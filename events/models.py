"""The event store: one `events` row per event, one `event_resources` row per involved
resource (spec/events.md §9.1).

On PostgreSQL both tables are range-partitioned by day on `occurred` (see
`events.storage.partitions` and migration 0001); on SQLite they are plain tables. Neither has
foreign keys: events are an append-only log that outlives the runs they mention.

On PostgreSQL the primary key of `events` is `(occurred, id)` (a partitioned table's unique
keys must include the partition column) and a plain index on `id` serves lookups by id;
Django's model state keeps `id` as the primary key, which is what every ORM lookup needs.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class UnicodeJSONEncoder(DjangoJSONEncoder):
    """Stores non-ASCII text as itself, so SQLite's JSON text reads like PostgreSQL's
    (`jsonb::text`) and the text search finds `é` on both."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    occurred = models.DateTimeField()
    received = models.DateTimeField()
    event = models.TextField()
    resource_id = models.TextField()
    resource = models.JSONField(encoder=UnicodeJSONEncoder)
    related = models.JSONField(encoder=UnicodeJSONEncoder, default=list)
    related_resource_ids = models.JSONField(encoder=UnicodeJSONEncoder, default=list)
    payload = models.JSONField(encoder=UnicodeJSONEncoder, default=dict)
    follows = models.UUIDField(null=True, blank=True)

    class Meta:
        db_table = "events"
        indexes = [
            # On PostgreSQL this is the primary key (migration 0001).
            models.Index(fields=["occurred", "id"], name="ix_events__occurred_id"),
            models.Index(fields=["event", "occurred"], name="ix_events__event_occurred"),
            models.Index(fields=["resource_id", "occurred"], name="ix_events__resource_occurred"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred:%Y-%m-%d %H:%M:%S} {self.event} {self.resource_id}"


class EventResource(models.Model):
    """One involved resource of one event: the primary (`resource_role` "") or a related one.
    `resource` holds its labels other than `prefect.resource.id` and `prefect.resource.role`.

    No uniqueness: a duplicate event is never inserted, so it writes no rows here."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField()
    occurred = models.DateTimeField()
    resource_id = models.TextField()
    resource_role = models.TextField()
    resource = models.JSONField(encoder=UnicodeJSONEncoder, default=dict)

    class Meta:
        db_table = "event_resources"
        indexes = [
            models.Index(fields=["resource_id", "occurred"], name="ix_evres__resource_occurred"),
            models.Index(fields=["occurred"], name="ix_evres__occurred"),
            models.Index(fields=["event_id"], name="ix_evres__event_id"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} ({self.resource_role or 'primary'})"


class PendingTaskRunEvent(models.Model):
    """A client task-run event whose flow run did not exist when it arrived (spec §6.5).

    The event itself is stored in `events` as usual; this row keeps it for the task-run
    recorder, which records it when the flow run is created (or an ingestion finds that it
    exists), or drops it, with a warning, once it is older than
    EVENTS_PENDING_TASK_RUN_TTL_SECONDS. The table is empty but for such stragglers."""

    id = models.UUIDField(primary_key=True, editable=False)  # the event's id
    flow_run_id = models.UUIDField()
    event = models.JSONField(encoder=UnicodeJSONEncoder)  # the ReceivedEvent JSON (§2.2)
    received = models.DateTimeField()

    class Meta:
        db_table = "pending_task_run_event"
        indexes = [
            models.Index(fields=["flow_run_id"], name="ix_pending_tr_event__flow_run"),
            models.Index(fields=["received"], name="ix_pending_tr_event__received"),
        ]

    def __str__(self) -> str:
        return f"{self.event.get('event', '?')} for flow run {self.flow_run_id}"
