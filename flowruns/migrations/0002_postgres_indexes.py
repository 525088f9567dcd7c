"""PostgreSQL-only indexes that Django's portable index API cannot express.

* GIN on the JSON `tags` lists serves the tag operators (`@>` for all_, `?|` for any_).
* pg_trgm GIN on run names serves `like_` (ILIKE '%x%') without a sequential scan.
On SQLite this migration does nothing.
"""

from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_flow_run__tags_gin ON flow_run USING gin (tags)",
    "CREATE INDEX IF NOT EXISTS ix_task_run__tags_gin ON task_run USING gin (tags)",
    "CREATE INDEX IF NOT EXISTS ix_flow__tags_gin ON flow USING gin (tags)",
    "CREATE INDEX IF NOT EXISTS ix_deployment__tags_gin ON deployment USING gin (tags)",
]
TRIGRAM_INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_flow_run__name_trgm ON flow_run USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_task_run__name_trgm ON task_run USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_flow__name_trgm ON flow USING gin (name gin_trgm_ops)",
]
DROPS = [
    "ix_flow_run__tags_gin",
    "ix_task_run__tags_gin",
    "ix_flow__tags_gin",
    "ix_deployment__tags_gin",
    "ix_flow_run__name_trgm",
    "ix_task_run__name_trgm",
    "ix_flow__name_trgm",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in INDEXES:
        schema_editor.execute(sql)
    # pg_trgm needs CREATE privilege on the database; without it `like_` still works, only slower.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        have_trgm = cursor.fetchone() is not None
    if not have_trgm:
        try:
            schema_editor.execute("SAVEPOINT trgm")
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute("RELEASE SAVEPOINT trgm")
            have_trgm = True
        except Exception:  # noqa: BLE001 - permission denied: skip the optional indexes
            schema_editor.execute("ROLLBACK TO SAVEPOINT trgm")
    if have_trgm:
        for sql in TRIGRAM_INDEXES:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in DROPS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("flowruns", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
