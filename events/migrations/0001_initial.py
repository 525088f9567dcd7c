"""The event tables: range-partitioned by day on PostgreSQL, plain tables on SQLite.

The model state is ordinary (`CreateModel`), so `makemigrations --check` stays clean; the
database side is written by hand for PostgreSQL (`events.storage.partitions` adds the daily
partitions) and left to Django's schema editor on SQLite. PostgreSQL differs from the state in
three deliberate ways:

* `events` has the primary key `(occurred, id)` (a partitioned table's unique keys must
  include the partition column) instead of `id`, plus a plain index on `id`; the state's
  `ix_events__occurred_id` index is that primary key;
* `event_resources` has no primary key (nothing looks its rows up by `id`; one index fewer
  on the largest table) and its `id` comes from a sequence;
* `event` and `resource_id` use the "C" collation, so prefix filters (`LIKE 'x%'`) can use
  their b-tree indexes.
"""

from __future__ import annotations

import uuid

from django.db import migrations, models

import events.models

POSTGRES_TABLES = """
CREATE TABLE events (
    id uuid NOT NULL,
    occurred timestamptz NOT NULL,
    received timestamptz NOT NULL,
    event text COLLATE "C" NOT NULL,
    resource_id text COLLATE "C" NOT NULL,
    resource jsonb NOT NULL,
    related jsonb NOT NULL,
    related_resource_ids jsonb NOT NULL,
    payload jsonb NOT NULL,
    follows uuid NULL,
    CONSTRAINT events_pkey PRIMARY KEY (occurred, id)
) PARTITION BY RANGE (occurred);
CREATE INDEX ix_events__id ON events (id);
CREATE INDEX ix_events__event_occurred ON events (event, occurred);
CREATE INDEX ix_events__resource_occurred ON events (resource_id, occurred);

CREATE SEQUENCE event_resources_id_seq;
CREATE TABLE event_resources (
    id bigint NOT NULL DEFAULT nextval('event_resources_id_seq'),
    event_id uuid NOT NULL,
    occurred timestamptz NOT NULL,
    resource_id text COLLATE "C" NOT NULL,
    resource_role text NOT NULL,
    resource jsonb NOT NULL
) PARTITION BY RANGE (occurred);
ALTER SEQUENCE event_resources_id_seq OWNED BY event_resources.id;
CREATE INDEX ix_evres__resource_occurred ON event_resources (resource_id, occurred);
CREATE INDEX ix_evres__occurred ON event_resources (occurred);
CREATE INDEX ix_evres__event_id ON event_resources (event_id);
"""


def create_tables(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_TABLES)
        return
    for name in ("Event", "EventResource"):
        schema_editor.create_model(apps.get_model("events", name))


def drop_tables(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Dropping a partitioned table drops its partitions.
        schema_editor.execute("DROP TABLE IF EXISTS events, event_resources")
        return
    for name in ("EventResource", "Event"):
        schema_editor.delete_model(apps.get_model("events", name))


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        # The state first, so the schema editor (SQLite) sees the models it creates.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Event",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("occurred", models.DateTimeField()),
                        ("received", models.DateTimeField()),
                        ("event", models.TextField()),
                        ("resource_id", models.TextField()),
                        ("resource", models.JSONField(encoder=events.models.UnicodeJSONEncoder)),
                        (
                            "related",
                            models.JSONField(
                                default=list, encoder=events.models.UnicodeJSONEncoder
                            ),
                        ),
                        (
                            "related_resource_ids",
                            models.JSONField(
                                default=list, encoder=events.models.UnicodeJSONEncoder
                            ),
                        ),
                        (
                            "payload",
                            models.JSONField(
                                default=dict, encoder=events.models.UnicodeJSONEncoder
                            ),
                        ),
                        ("follows", models.UUIDField(blank=True, null=True)),
                    ],
                    options={
                        "db_table": "events",
                        "indexes": [
                            models.Index(fields=["occurred", "id"], name="ix_events__occurred_id"),
                            models.Index(
                                fields=["event", "occurred"], name="ix_events__event_occurred"
                            ),
                            models.Index(
                                fields=["resource_id", "occurred"],
                                name="ix_events__resource_occurred",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="EventResource",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("event_id", models.UUIDField()),
                        ("occurred", models.DateTimeField()),
                        ("resource_id", models.TextField()),
                        ("resource_role", models.TextField()),
                        (
                            "resource",
                            models.JSONField(
                                default=dict, encoder=events.models.UnicodeJSONEncoder
                            ),
                        ),
                    ],
                    options={
                        "db_table": "event_resources",
                        "indexes": [
                            models.Index(
                                fields=["resource_id", "occurred"],
                                name="ix_evres__resource_occurred",
                            ),
                            models.Index(fields=["occurred"], name="ix_evres__occurred"),
                            models.Index(fields=["event_id"], name="ix_evres__event_id"),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(create_tables, drop_tables),
    ]
